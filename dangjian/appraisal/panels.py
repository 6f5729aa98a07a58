"""The member page's panel: the member's democratic-appraisal grade per year (closed rounds)."""
from __future__ import annotations

from . import selectors


def member_panel_context(request, member, scope):
    """Shown to the member themself and to the branch staff above them; hidden otherwise, and
    hidden when the member has no closed appraisal yet."""
    own = member.user_id is not None and member.user_id == getattr(request.user, "pk", None)
    if not own and not scope.path_allows("appraisal", "result", member.org_path):
        return None
    rows = selectors.member_grades(member)
    if not rows:
        return None
    # staff see the rows of rounds within their reach only
    if not own:
        rows = [p for p in rows if scope.path_allows("appraisal", "result", p.round.org_path)]
    return {"rows": rows, "own": own}
