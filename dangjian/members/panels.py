"""Panels other apps add to a member's page (the member's file: attendance, dues, development...).

An app registers a panel from its ``AppConfig.ready()``::

    from dangjian.members.panels import register
    register("orglife-attendance", template="orglife/_member_panel.html",
             context=lambda request, member, scope: {...} or None, order=10)

``context`` runs only for a member the viewer may ``view``; it returns the template's context,
or None to hide the panel (e.g. the viewer lacks that app's policy row for this member).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable
    order: int = 100


PANELS: dict[str, Panel] = {}


def register(key: str, *, template: str, context: Callable, order: int = 100) -> None:
    PANELS[key] = Panel(key, template, context, order)


def panels_for(request, member, scope) -> list[dict]:
    """The panels to show, in order: ``{"key", "template", "ctx"}``."""
    out = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        ctx = panel.context(request, member, scope)
        if ctx is not None:
            out.append({"key": panel.key, "template": panel.template, "ctx": ctx})
    return out
