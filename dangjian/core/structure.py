"""Structure rules of DOMAIN §2 / §11 "Structure & terms", checked on an organization.

Each finding carries the rule id, its level ([block] = must be corrected, shown red; [warn] =
shown amber) and the source, so every colour on screen explains itself.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from . import config
from .models import Organization, OrgKind

RULE_VERSION = "条例2018/意见2018"


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str  # "block" | "warn"
    message: str
    source: str


BRANCH_KINDS = {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH}


def findings_for(org: Organization, counts: dict[str, int], committee_size: int, has_secretary: bool,
                 today: dt.date | None = None) -> list[Finding]:
    """Apply the structure rules to one organization.

    * 条例 ch. 2 art. 4: ≥3 full members to form a branch; fewer → joint branch ([block]).
    * Joint branch covers ≤5 units ([warn] above).
    * ≥7 full members → a branch committee must be set up ([block]); committee 3–5 members,
      [warn] >5, [block] >7; [warn] a committee with <7 members.
    * >50 members → suggest split or general branch ([warn]); ≥100 → primary committee eligible.
    * Missing secretary ([warn]); term expired without re-election ([warn], red).
    """
    if not org.is_active or org.kind not in BRANCH_KINDS:
        return []
    cfg = config.value("STRUCTURE")
    today = today or timezone.localdate()
    full = counts.get("status:full", 0)
    total = counts.get("total", 0)
    out: list[Finding] = []
    if full < cfg["branch_min_full_members"] and not org.is_joint:
        out.append(Finding("S1", "block", _("Fewer than %(n)s full members (%(full)s): attach to a joint branch or merge.") % {"n": cfg["branch_min_full_members"], "full": full}, "支部工作条例第4条"))
    if org.is_joint and org.unit_count > cfg["joint_branch_max_units"]:
        out.append(Finding("S2", "warn", _("A joint branch should cover at most %(n)s units (now %(u)s).") % {"n": cfg["joint_branch_max_units"], "u": org.unit_count}, "支部工作条例第4条"))
    if full >= cfg["committee_required_at_full_members"] and committee_size < 3:
        out.append(Finding("S3", "block", _("%(full)s full members: a branch committee (支部委员会) must be set up.") % {"full": full}, "支部工作条例第9条"))
    if committee_size > 7:
        out.append(Finding("S4", "block", _("The committee has %(n)s members; at most 7 are allowed.") % {"n": committee_size}, "支部工作条例第9条"))
    elif committee_size > 5:
        out.append(Finding("S4", "warn", _("The committee has %(n)s members; 3 to 5 is the norm.") % {"n": committee_size}, "支部工作条例第9条"))
    if 3 <= committee_size and full < cfg["committee_required_at_full_members"]:
        out.append(Finding("S5", "warn", _("Fewer than 7 full members: normally one secretary and no committee."), "支部工作条例第9条"))
    if org.kind == OrgKind.BRANCH and total > cfg["branch_split_suggest_above"]:
        out.append(Finding("S6", "warn", _("More than %(n)s members: consider splitting or setting up a general branch.") % {"n": cfg["branch_split_suggest_above"]}, "支部工作条例第4条"))
    if total >= cfg["primary_committee_eligible_at"]:
        out.append(Finding("S7", "warn", _("100 or more members: eligible for a primary Party committee (upper approval needed)."), "机关基层组织工作条例第5条"))
    if not has_secretary:
        out.append(Finding("S8", "warn", _("No secretary is recorded."), "支部工作条例第10条"))
    if org.term_ends_on and org.term_ends_on < today:
        out.append(Finding("S9", "warn", _("The term ended on %(d)s without a recorded re-election.") % {"d": org.term_ends_on}, "基层组织选举工作条例第3条"))
    return out
