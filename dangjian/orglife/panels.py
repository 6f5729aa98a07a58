"""The member page's org-life panel: every meeting with its attendance and method, and points."""
from __future__ import annotations

from . import selectors


def member_panel_context(request, member, scope):
    """Shown to the branch staff above the member and to the member themself; hidden otherwise
    (a viewer who may see the member record but no attendance of theirs sees no panel)."""
    own = member.user_id is not None and member.user_id == getattr(request.user, "pk", None)
    if not own and not scope.path_allows("attendance", "view", member.org_path):
        return None
    return selectors.member_record(member, scope)
