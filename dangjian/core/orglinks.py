"""The work pages of one organization, linked from its page (the "hub" of a branch or a town).

A registry (issue 9 item 6): each app adds its links from its ``AppConfig.ready()``
(:func:`register`), so core names none of their URLs. :func:`links_for` shows a link only when
the viewer's POLICY row reaches the organization; links sort by group, then ``order``.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import OrgKind

BRANCH_LIKE = {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PRIMARY_COMMITTEE}
LEADING = {OrgKind.PROVINCE_COMMITTEE, OrgKind.CITY_COMMITTEE, OrgKind.COUNTY_COMMITTEE, OrgKind.TOWN_COMMITTEE,
           OrgKind.PRIMARY_COMMITTEE, OrgKind.GENERAL_BRANCH}


@dataclass(frozen=True)
class OrgLink:
    group: str
    label: str
    url_name: str
    resource: str
    action: str
    kinds: frozenset | None = None  # None: every kind
    by_query: bool = False  # ?org=<pk> instead of <pk> in the path
    testid: str = ""
    order: int = 100


def link(group, label, url_name, resource, action, kinds=None, by_query=False, order=100) -> OrgLink:
    return OrgLink(group, label, url_name, resource, action, frozenset(kinds) if kinds else None, by_query,
                   "orglink-" + url_name, order)


ORG_LIFE, AFFAIRS, PUBLIC = _("Organizational life"), _("Party affairs"), _("Publicity")
GROUPS = (ORG_LIFE, AFFAIRS, PUBLIC)
_LINKS: dict[str, OrgLink] = {}


def register(*links: OrgLink) -> None:
    """Add an app's links (from its ``ready()``); a URL name is linked once."""
    for item in links:
        if item.group not in GROUPS:
            raise ValueError(f"unknown organization-page group {item.group!r}")
        if item.url_name in _LINKS and _LINKS[item.url_name] != item:
            raise ValueError(f"organization-page link {item.url_name!r} is already registered")
        _LINKS[item.url_name] = item


def registered() -> list[OrgLink]:
    return sorted(_LINKS.values(), key=lambda item: (GROUPS.index(item.group), item.order, item.url_name))


def links_for(scope, org) -> list[dict]:
    """The links this viewer gets on ``org``'s page, grouped: ``[{"group", "links": [...]}]``."""
    groups: dict[str, list] = {}
    for item in registered():
        if item.kinds is not None and org.kind not in item.kinds:
            continue
        if not scope.path_allows(item.resource, item.action, org.path):
            continue
        try:
            url = reverse(item.url_name) + f"?org={org.pk}" if item.by_query else reverse(item.url_name, kwargs={"pk": org.pk})
        except NoReverseMatch:
            continue
        groups.setdefault(str(item.group), []).append({"label": item.label, "url": url, "testid": item.testid})
    return [{"group": g, "links": ls} for g, ls in groups.items()]
