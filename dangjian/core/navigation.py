"""The navigation bar as a registry (issue 9 item 6): each app adds its entries from its
``AppConfig.ready()``, so ``base.html`` names no app's URL.

Audiences: ``"staff"`` (users holding an organization work role: the work pages),
``"member"`` (a member without such a role: their own pages), ``"role:<role>"`` (shown to
holders of that role, next to either list), ``"account"`` (every signed-in user: inbox, jobs,
tokens) and ``"public"`` (not signed in). Entries sort by ``order`` within an audience.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import reverse

AUDIENCES = ("staff", "member", "account", "public")


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    audience: str
    order: int = 100
    badge: str = ""  # name of a context variable holding a count shown beside the label

    @property
    def testid(self) -> str:
        return self.key


_ITEMS: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        if item.key in _ITEMS and _ITEMS[item.key] != item:
            raise ValueError(f"navigation entry {item.key!r} is already registered")
        if item.audience not in AUDIENCES and not item.audience.startswith("role:"):
            raise ValueError(f"unknown navigation audience {item.audience!r}")
        _ITEMS[item.key] = item


@cache
def _url(url_name: str) -> str:
    return reverse(url_name)


def entries(audience: str) -> list[dict]:
    return [{"key": i.key, "label": i.label, "url": reverse(i.url_name), "testid": i.testid, "badge": i.badge}
            for i in sorted(_ITEMS.values(), key=lambda i: (i.order, i.key)) if i.audience == audience]


def for_request(user, roles: set[str], is_staff: bool) -> dict[str, list[dict]]:
    """The bar of this user: ``{"main": [...], "account": [...], "public": [...]}``."""
    if not user.is_authenticated:
        return {"main": [], "account": [], "public": entries("public")}
    main = entries("staff") if is_staff else (entries("member") if getattr(user, "member", None) else [])
    for role in sorted(roles):
        main += entries(f"role:{role}")
    return {"main": main, "account": entries("account"), "public": []}
