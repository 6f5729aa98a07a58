"""The dues panel on a member's page (dangjian.members.panels)."""
from __future__ import annotations


def _context(request, member, scope):
    is_self = member.user_id is not None and member.user_id == getattr(request.user, "pk", None)
    if not scope.path_allows("dues", "view", member.org_path, self_match=is_self):
        return None
    from . import selectors
    from .months import current_month

    st = selectors.member_status(member, current_month())
    st["bills"] = st["bills"][:6]
    st["m"] = member
    st["can_record"] = scope.path_allows("dues", "record", member.org_path)
    st["can_configure"] = scope.path_allows("dues", "configure", member.org_path)
    return st


def register_panel() -> None:
    from dangjian.members.api import register_panel as register

    register("dues", template="dues/_member_panel.html", context=_context, order=30)
