"""The exports as a registry (issue 9 item 6): each app declares, from its ``AppConfig.ready()``,
the files it lets staff take out of the platform — the page where one is chosen, the URL names
that produce the file, the POLICY row that allows it, the audit action every run writes, and
whether it carries personal data (then masked, audited, short-lived: SECURITY.md "exports").

Readers: the exports page (``/exports/``, 导出中心: what this user may export, from where) and
tests/core/test_exports.py, which fails on a view declaring an ``export`` action that no
registered export names — so a new export cannot bypass the list an auditor reads.
"""
from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("xlsx", "pdf", "csv")


@dataclass(frozen=True)
class Export:
    key: str  # "<app>.<name>", e.g. "members.roster"
    label: str
    description: str
    url_name: str  # the page where the export is chosen (or started)
    resource: str  # the POLICY row that allows it ...
    action: str  # ... (resource, action), the same row its views declare
    audit_action: str  # the audit row each run writes
    endpoints: tuple[str, ...] = ()  # URL names that produce the file (default: url_name)
    formats: tuple[str, ...] = ("xlsx",)
    personal: bool = False  # carries personal data (names, ...): masked, audited, short-lived
    per_org: bool = False  # url_name takes the organization's pk

    @property
    def files(self) -> tuple[str, ...]:
        return self.endpoints or (self.url_name,)


_EXPORTS: dict[str, Export] = {}


def register(*exports: Export) -> None:
    """Add exports; a key registered twice with a different declaration is refused."""
    for e in exports:
        if "." not in e.key:
            raise ValueError(f"export key {e.key!r}: '<app>.<name>'")
        if not e.formats or set(e.formats) - set(FORMATS):
            raise ValueError(f"export {e.key!r}: formats must be among {FORMATS}")
        if not e.audit_action:
            raise ValueError(f"export {e.key!r}: every export writes an audit row; name its action")
        if e.key in _EXPORTS and _EXPORTS[e.key] != e:
            raise ValueError(f"export {e.key!r} is already registered")
        _EXPORTS[e.key] = e


def all_exports() -> list[Export]:
    return sorted(_EXPORTS.values(), key=lambda e: e.key)


def allowed(scope) -> list[Export]:
    """The exports ``scope`` holds the POLICY row of, somewhere."""
    return [e for e in all_exports() if scope.has_any(e.resource, e.action)]
