"""Arrears (art. 13): the daily check, its warnings and escalation, the 6-month review case and
the 支部大会's decision on it."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.models import OrgKind, Role
from dangjian.members.api import Member, RecordState

from ..models import (
    ArrearsNotice,
    BillStatus,
    CaseStatus,
    DuesBill,
    ReviewCase,
)
from ..months import label, month_start, month_start_offset
from ._common import _cfg, branch_of


def arrears_streaks(bills_desc: list[tuple[dt.date, str]], before: dt.date) -> tuple[int, dt.date | None]:
    """Consecutive unpaid months ending with the month before ``before`` (bills newest first):
    (count, first month of the streak). Paid, exempt and excused months end the streak; so does a
    month without a bill."""
    n, start, expect = 0, None, month_start_offset(before, -1)
    for month, status in bills_desc:
        if month >= before:
            continue
        if month != expect or status != BillStatus.UNPAID:
            break
        n, start, expect = n + 1, month, month_start_offset(month, -1)
    return n, start


def review_months() -> int:
    return int(_cfg("DANGJIAN_DUES_REVIEW_MONTHS", 6))


ESCALATION_KINDS = (OrgKind.PRIMARY_COMMITTEE, OrgKind.TOWN_COMMITTEE, OrgKind.COUNTY_COMMITTEE, OrgKind.CITY_COMMITTEE,
                    OrgKind.PROVINCE_COMMITTEE)


def escalation_kinds() -> tuple[str, ...]:
    """[cfg] DANGJIAN_DUES_ESCALATE_KINDS: which superior organizations count as "Party committee"
    for the escalated 3-month warning — by default every committee kind (a 总支 or a Party group is
    not a committee and is passed over)."""
    return tuple(str(k) for k in _cfg("DANGJIAN_DUES_ESCALATE_KINDS", ESCALATION_KINDS))


def superior_committee(branch, _cache: dict | None = None):
    """The nearest superior Party committee of ``branch`` that has an org admin to tell: the
    closest active ancestor of an escalation kind with at least one active ``org_admin`` role —
    for a village branch, the town Party committee; if that committee has no admin account, the
    next one up (a warning addressed to nobody would be lost). None when there is none.

    (Supervision tells "the nearest publisher" with its own private helper and transfers picks its
    approving committee with another; core offers no shared one, see docs/notes/dues.md.)"""
    from dangjian.core.models import Organization, OrgStatus, RoleAssignment

    if _cache is not None and branch.pk in _cache:
        return _cache[branch.pk]
    ancestors = list(Organization.objects.filter(path__in=branch.ancestor_paths()[:-1], kind__in=escalation_kinds(),
                                                 status=OrgStatus.ACTIVE).order_by("-depth"))
    staffed = set(RoleAssignment.objects.filter(org__in=ancestors, role=Role.ORG_ADMIN, active=True)
                  .values_list("org_id", flat=True))
    found = next((a for a in ancestors if a.pk in staffed), None)
    if _cache is not None:
        _cache[branch.pk] = found
    return found


def run_arrears(*, today: dt.date | None = None, org=None) -> dict:
    """The arrears check (daily, idempotent): [warn] 1 month, [warn escalated] 3 months — to the
    member (if they have an account) and the branch secretary, once per streak; the 3-month
    warning also goes, once per streak, to the org admins of the nearest superior Party committee
    (``superior_committee``: for a village branch the town committee; DOMAIN §11 Dues "[warn,
    escalated] 3 months", §11 Indices "warnings go to the responsible role (secretary, 组织委员,
    upper org)"; art. 13 of 中组发〔2008〕3号: six months lead to the self-lapse review); 6 consecutive
    unpaid months without an approved reason → one ReviewCase for the branch (art. 13: treated as
    self-lapsed only after criticism, a deadline and a decision of the 支部大会). The system never
    removes or changes a member."""
    from dangjian.notify.api import RoleIn, notify

    today = today or timezone.localdate()
    this_month = month_start(today)
    prev = month_start_offset(this_month, -1)
    counts = {"warn1": 0, "warn3": 0, "escalated": 0, "cases": 0}
    superiors: dict = {}
    base = DuesBill.objects.filter(member__state=RecordState.ACTIVE)
    if org is not None:
        base = base.filter(org_path__startswith=org.path)
    ids = list(base.filter(month=prev, status=BillStatus.UNPAID).values_list("member_id", flat=True))
    window = month_start_offset(this_month, -(review_months() + 1))
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        rows: dict[int, list] = defaultdict(list)
        for mid, month, status in (DuesBill.objects.filter(member_id__in=chunk, month__gte=window, month__lt=this_month)
                                   .order_by("member_id", "-month").values_list("member_id", "month", "status")):
            rows[mid].append((month, status))
        members = {m.pk: m for m in Member.objects.filter(pk__in=chunk).select_related("org", "org__parent", "user")}
        for mid, bills in rows.items():
            n, start = arrears_streaks(bills, this_month)
            if not n:
                continue
            member = members[mid]
            with transaction.atomic():
                counts_for = _arrears_for_member(member, n, start, notify, RoleIn, superiors)
            for k, v in counts_for.items():
                counts[k] += v
    return counts


def _arrears_for_member(member, n, start, notify, RoleIn, superiors: dict) -> dict:
    out = {"warn1": 0, "warn3": 0, "escalated": 0, "cases": 0}
    branch = branch_of(member.org)
    levels = [lvl for lvl in (1, 3) if n >= lvl]
    new_levels = []
    for lvl in levels:
        try:
            with transaction.atomic():
                ArrearsNotice.objects.create(member=member, level=lvl, since_month=start)
            new_levels.append(lvl)
        except IntegrityError:
            pass
    if new_levels:
        lvl = max(new_levels)
        recipients = [RoleIn(branch, Role.SECRETARY)] + ([member.user] if member.user_id else [])
        notify(recipients=recipients, kind=f"dues.arrears_{lvl}", org=branch,
               context={"member": member.name, "months": n, "since": label(start)})
        out[f"warn{lvl}"] += 1
    if n >= 3:
        out["escalated"] += _escalate(member, branch, n, start, notify, RoleIn, superiors)
    if n >= review_months() and not ReviewCase.objects.filter(member=member, since_month=start).exists():
        case = ReviewCase.objects.create(member=member, since_month=start, months_unpaid=n)
        notify(recipients=[RoleIn(branch, Role.SECRETARY)], kind="dues.review_case", org=branch,
               context={"member": member.name, "months": n, "since": label(start), "case_id": case.pk})
        audit.record(actor=None, action="dues.review_case_open", obj=case, org_path=member.org_path,
                     data={"member": member.pk, "months": n, "since": label(start)})
        out["cases"] += 1
    return out


def _escalate(member, branch, n, start, notify, RoleIn, superiors: dict) -> int:
    """The escalated 3-month warning to the nearest superior committee's org admins, once per
    arrears episode: the episode's level-3 ``ArrearsNotice`` row is locked and marked. A streak
    whose committee has no admin yet stays unmarked and is told when one is appointed."""
    notice = (ArrearsNotice.objects.select_for_update()
              .filter(member=member, level=3, since_month=start, escalated_at__isnull=True).first())
    if notice is None:
        return 0
    superior = superior_committee(branch, superiors)
    if superior is None:
        return 0
    notify(recipients=[RoleIn(superior, Role.ORG_ADMIN)], kind="dues.arrears_3_superior", org=superior,
           context={"member": member.name, "branch": branch.name, "months": n, "since": label(start)})
    notice.escalated_to, notice.escalated_at = superior, timezone.now()
    notice.save(update_fields=["escalated_to", "escalated_at"])
    audit.record(actor=None, action="dues.arrears_escalated", obj=notice, org_path=member.org_path,
                 data={"member": member.pk, "months": n, "since": label(start), "to": superior.pk})
    return 1


@transaction.atomic
def decide_case(*, actor, case: ReviewCase, meeting_date: dt.date, decision: str) -> ReviewCase:
    """Record the 支部大会's decision on a 6-month arrears case (art. 13; 教育管理条例 art. 31):
    a person records what the meeting decided; the member's record is not touched here (any
    removal follows its own procedure and upper approval)."""
    policy.authorize(actor, "dues", "record", case)
    case = ReviewCase.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("This case has already been decided."), code="decided")
    if not (decision or "").strip():
        raise ValidationError({"decision": ValidationError(_("Record what the branch general meeting decided."), code="no_decision")})
    if meeting_date > timezone.localdate():
        raise ValidationError({"meeting_date": ValidationError(_("The meeting date is in the future."), code="in_future")})
    case.status, case.meeting_date, case.decision = CaseStatus.DECIDED, meeting_date, decision.strip()
    case.decided_by, case.decided_at = actor, timezone.now()
    case.save()
    audit.record(actor=actor, action="dues.review_case_decide", obj=case, org_path=case.org_path,
                 data={"member": case.member_id, "meeting_date": meeting_date.isoformat()})
    return case
