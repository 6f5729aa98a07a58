"""What other apps may use of the members app (nothing else of it is imported from outside)."""
from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.core.policy import Scope
from dangjian.core.rollups import AGE_BANDS

from .forms import RestrictionForm
from .models import (
    COMMITTEE_POSITIONS,
    Category,
    Education,
    Gender,
    Member,
    MemberOrgHistory,
    MemberStatus,
    Position,
    RecordState,
    RightsRestriction,
)
from .panels import register as register_panel
from .selectors import MemberFilters, Page, committee_of, decode_cursor, member_page, no_members, visible_member, voting_members_on
from .services import (
    SENSITIVE,
    DuplicateElsewhere,
    ExactSearchRefused,
    add_restriction,
    authorize_exact_search,
    close_record,
    create_member,
    full_members_in,
    move_member,
    receive_member,
    recorded_elsewhere,
    refuse_duplicate,
    refuse_if_recorded_elsewhere,
    restricted_ids,
    restrictions_during,
    reveal_field,
    update_member,
)


def roster_preview(scope: Scope, org, size: int = 20) -> Page:
    """The first page of an organization's roster as this user may see it."""
    return member_page(scope, MemberFilters(org=org), size=size)


def chart_series(counts: dict[str, int]) -> dict[str, list[dict]]:
    """Subtree head-counts as labelled series for charts and tables (from rollups)."""
    dims = {
        "gender": (_("Gender"), [(g.value, g.label) for g in Gender]),
        "age": (_("Age"), [(label, label.replace("-30", "≤30").replace("71-", "≥71")) for _lo, _hi, label in AGE_BANDS]),
        "edu": (_("Education"), [(e.value, e.label) for e in Education]),
        "status": (_("Status"), [(s.value, s.label) for s in MemberStatus]),
        "cat": (_("Category"), [(c.value, c.label) for c in Category]),
    }
    out = {}
    for key, (title, buckets) in dims.items():
        out[key] = {"title": str(title), "items": [{"name": str(lbl), "value": counts.get(f"{key}:{val}", 0)} for val, lbl in buckets]}
    return out


__all__ = [
    "add_restriction",
    "authorize_exact_search",
    "Category",
    "chart_series",
    "close_record",
    "committee_of",
    "COMMITTEE_POSITIONS",
    "create_member",
    "decode_cursor",
    "DuplicateElsewhere",
    "Education",
    "ExactSearchRefused",
    "full_members_in",
    "Gender",
    "Member",
    "member_page",
    "MemberFilters",
    "MemberOrgHistory",
    "MemberStatus",
    "move_member",
    "no_members",
    "Page",
    "Position",
    "receive_member",
    "recorded_elsewhere",
    "RecordState",
    "refuse_duplicate",
    "refuse_if_recorded_elsewhere",
    "register_panel",
    "restricted_ids",
    "RestrictionForm",
    "restrictions_during",
    "reveal_field",
    "RightsRestriction",
    "roster_preview",
    "SENSITIVE",
    "update_member",
    "visible_member",
    "voting_members_on",
]
