"""Read side of supervision: a branch's calendar, the subtree lists superiors watch.

Definitions (DOMAIN §9.2 Laizhou warnings, §11 "三会一课 & org life", rule version
``conf.RULE_VERSION``):

* **No org life this month** (Laizhou rule, seed 002): a branch-like organization of the subtree
  with no held (RECORDED) meeting of any type — its own or its Party groups' — whose ``starts_at``
  lies in the calendar month (Beijing time).
* **Attendance under the threshold**: held meetings of the month whose rate (实到 / 应到, the
  formula of ``orglife.selectors.attendance_summary``: present + late over invited minus exempt —
  教育管理条例 art. 23) is below ``DANGJIAN_ATTENDANCE_THRESHOLD`` (default 80 %). Meetings with
  nobody expected (应到 = 0) have no rate and are not listed.
* **Member month classification** — for each calendar month, over the held meetings the member
  was invited to (any organization's: a flowing member who attended elsewhere counts, DOMAIN
  §11): ATTENDED if present or late at least once; ABSENT if not attended and at least one
  invitation ended absent (or never answered) — i.e. *without* approved leave or exemption;
  EXCUSED if every invitation was leave or exempt; NONE if invited to no held meeting.
* **Absent N months in a row** (DOMAIN §11 member-level [warn], default 3): the months ending with
  the reference month (default: the last complete month) are ABSENT, N in a row. A month with
  no held meeting, with leave, or with attendance breaks the streak.
* **Self-lapse review** (教育管理条例 art. 31(6), DOMAIN §1.1: "no org life for 6 consecutive
  months without good reason → 自行脱党"): the same streak reaching 6 months. This is a
  *warning to review* only: the decision belongs to the 支部大会 with upper approval and the
  system never removes or changes anyone.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.core.dates import month_start_offset
from dangjian.core.models import Organization, OrgKind

from . import completion as C
from . import conf
from .models import Bulletin, BulletinRow

RESOURCE = "supervision"

ATTENDED, ABSENT, EXCUSED, NONE = "attended", "absent", "excused", "none"


def month_start(d: dt.date | dt.datetime) -> dt.date:
    return dt.date(d.year, d.month, 1)


def current_month(now: dt.datetime | None = None) -> dt.date:
    return month_start(timezone.localtime(now or timezone.now(), C.TZ))


def parse_month(value: str | None, default: dt.date) -> dt.date:
    p = C.parse_period(value or "")
    if p is None or p.frequency != "month" or not 2000 <= p.year <= 2100:
        return default
    return dt.date(p.year, p.index, 1)


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return C.month_bounds(month.year, month.month)


# -- a branch's calendar ------------------------------------------------------------------------

def calendar(org: Organization, year: int, now: dt.datetime) -> list[C.Row]:
    """One organization's rows for the year, each held cell listing the meetings counted."""
    from dangjian.orglife.api import HELD_STATUSES, Meeting

    st = C.load_subtree(org, year, only_root=True)
    if org.pk not in st.facts:
        return []
    rows = C.evaluate_org(st, org.pk, now)
    y0, y1 = dt.datetime(year, 1, 1, tzinfo=C.TZ), dt.datetime(year + 1, 1, 1, tzinfo=C.TZ)
    ids = [org.pk, *st.facts[org.pk].groups]
    meetings = list(Meeting.objects.filter(org_id__in=ids, status__in=list(HELD_STATUSES), starts_at__gte=y0, starts_at__lt=y1)
                    .only("id", "title", "starts_at", "type_id", "org_id").order_by("starts_at"))
    for row in rows:
        for cell in row.cells:
            cell.meetings = [m for m in meetings if m.type_id == row.type.id and cell.period.start <= m.starts_at < cell.period.end]
    return rows


# -- pages: roots, the aggregate, bulletins ---------------------------------------------------

def supervision_roots(scope) -> list[Organization]:
    """The top organization(s) the user may view for supervision, by path (the entry page)."""
    return list(Organization.objects.filter(path__in=scope.root_paths(RESOURCE, "view")).order_by("path"))


def subtree_aggregate(org: Organization, year: int, now: dt.datetime) -> tuple[C.Subtree, list[C.AggRow]]:
    """The subtree's facts for the year and, per type × period, how many of its organizations
    are done / due / overdue / not yet / N/A (the overview of a town or county)."""
    st = C.load_subtree(org, year)
    return st, C.aggregate(st, now)


def org_grades(org: Organization, scope):
    """The organization's own rows in published bulletins that the scope may view for
    supervision, newest month first (a queryset the page slices)."""
    return (BulletinRow.objects.filter(org=org).filter(scope.q_paths(RESOURCE, "view", "org_path"))
            .select_related("bulletin", "bulletin__org").order_by("-bulletin__period", "-bulletin__org_path"))


def bulletins_in(org: Organization, scope):
    """Bulletins published in the organization's subtree, within the scope, newest month first
    (a queryset the page paginates)."""
    return scope.filter(Bulletin.objects.filter(org_path__startswith=org.path)).select_related("org").order_by("-period", "org_path")


def bulletin_rows(b: Bulletin, grade: str = ""):
    """A bulletin's rows by grade then organization; only one grade when ``grade`` is given
    (a queryset the page paginates)."""
    rows = b.rows.all().order_by("grade", "org_path")
    if grade:
        rows = rows.filter(grade=grade)
    return rows


# -- no org life this month ------------------------------------------------------------------

def branches_without_org_life(root: Organization, month: dt.date):
    """Branch-like organizations of the subtree with no held meeting in the month (Laizhou)."""
    from dangjian.orglife.api import HELD_STATUSES, Meeting

    start, end = _bounds(month)
    branches = Organization.objects.filter(path__startswith=root.path, kind__in=C.BRANCH_LIKE, status="active")
    held_paths = set(Meeting.objects.filter(org_path__startswith=root.path, status__in=list(HELD_STATUSES),
                                            starts_at__gte=start, starts_at__lt=end)
                     .values_list("org_path", flat=True).distinct())
    held_ids = set()
    if held_paths:
        # a Party group's meeting counts for its branch
        for pk, kind, parent in Organization.objects.filter(path__in=held_paths).values_list("id", "kind", "parent_id"):
            held_ids.add(parent if kind == OrgKind.PARTY_GROUP else pk)
    return branches.exclude(pk__in=held_ids).order_by("path")


# -- secretaries' yearly 党课 --------------------------------------------------------------------

@dataclass
class LectureDue:
    org_id: int
    org_name: str
    secretary_id: int | None
    secretary_name: str


def secretaries_without_lecture(root: Organization, year: int) -> list[LectureDue]:
    """Branch-like organizations of the subtree whose secretary gave no 党课 in ``year`` (DOMAIN
    §1.1: Party committee secretaries give ≥1 党课 a year — verified for basic-level committees;
    "branch secretary ≥1/yr" is the common local rule, inferred). A 党课 counts when its minutes
    are signed off and the secretary is recorded as its lecturer, in any organization (a branch
    secretary may lecture in a Party group or a neighbouring branch). Organizations with no
    secretary recorded are listed too, as such."""
    from dangjian.members.api import Member, Position, RecordState
    from dangjian.orglife.api import HELD_STATUSES, LECTURE_CODE, Meeting

    tz = timezone.get_current_timezone()
    start, end = dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
    branches = list(Organization.objects.filter(path__startswith=root.path, kind__in=C.BRANCH_LIKE, status="active")
                    .order_by("path").values_list("id", "name"))
    secretaries = {}
    for pk, org_id, name in (Member.objects.filter(org_id__in=[b[0] for b in branches], position=Position.SECRETARY,
                                                   state=RecordState.ACTIVE).order_by("id").values_list("pk", "org_id", "name")):
        secretaries.setdefault(org_id, (pk, name))
    lecturers = set(Meeting.objects.filter(type__code=LECTURE_CODE, status__in=list(HELD_STATUSES), starts_at__gte=start,
                                           starts_at__lt=end, lecturer_id__in=[v[0] for v in secretaries.values()])
                    .values_list("lecturer_id", flat=True))
    out = []
    for org_id, org_name in branches:
        sec = secretaries.get(org_id)
        if sec is None or sec[0] not in lecturers:
            out.append(LectureDue(org_id, org_name, sec[0] if sec else None, sec[1] if sec else ""))
    return out


# -- attendance --------------------------------------------------------------------------------

@dataclass
class MeetingRate:
    meeting_id: int
    title: str
    starts_at: dt.datetime
    org_id: int
    org_name: str
    should: int
    present: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.present / self.should, 1) if self.should else None


def meeting_rates(root: Organization, start: dt.datetime, end: dt.datetime) -> list[MeetingRate]:
    """应到 / 实到 of every held meeting of the subtree in [start, end): one aggregate query, the
    same formula as ``orglife.selectors.attendance_summary``."""
    from dangjian.orglife.api import HELD_STATUSES, PRESENT_STATUSES, AttendanceStatus, Meeting

    rows = (Meeting.objects.filter(org_path__startswith=root.path, status__in=list(HELD_STATUSES),
                                   starts_at__gte=start, starts_at__lt=end)
            .annotate(total=Count("attendance"),
                      exempt=Count("attendance", filter=Q(attendance__status=AttendanceStatus.EXEMPT)),
                      present=Count("attendance", filter=Q(attendance__status__in=list(PRESENT_STATUSES))))
            .values("id", "title", "starts_at", "org_id", "org__name", "total", "exempt", "present")
            .order_by("starts_at", "id"))
    return [MeetingRate(r["id"], r["title"], r["starts_at"], r["org_id"], r["org__name"], r["total"] - r["exempt"], r["present"])
            for r in rows]


def low_attendance(root: Organization, month: dt.date, threshold: float | None = None) -> list[MeetingRate]:
    threshold = conf.attendance_threshold() if threshold is None else threshold
    start, end = _bounds(month)
    return [m for m in meeting_rates(root, start, end) if m.rate is not None and m.rate < threshold]


# -- members -----------------------------------------------------------------------------------

def classify(present: int, unexcused: int, excused: int) -> str:
    """One member's month (see the module docstring). Pure."""
    if present:
        return ATTENDED
    if unexcused:
        return ABSENT
    if excused:
        return EXCUSED
    return NONE


def streak(months: list[str]) -> int:
    """How many ABSENT months end the list (the list runs oldest → newest). Pure."""
    n = 0
    for m in reversed(months):
        if m != ABSENT:
            break
        n += 1
    return n


@dataclass
class MemberStreak:
    member_id: int
    name: str
    org_id: int
    org_name: str
    months: int  # consecutive absent months ending with the reference month


def absence_streaks(root: Organization, ref_month: dt.date, *, window: int | None = None, minimum: int = 1) -> list[MemberStreak]:
    """Members of the subtree (in the organization now) with ≥ ``minimum`` consecutive ABSENT
    months ending with ``ref_month``; looks back ``window`` months (default the lapse-review span).
    One aggregate query over attendance."""
    from dangjian.members.api import Member, RecordState
    from dangjian.orglife.api import HELD_STATUSES, PRESENT_STATUSES, Attendance, AttendanceStatus

    window = window or max(conf.lapse_review_months(), conf.absence_streak_months())
    first = month_start_offset(ref_month, -(window - 1))
    start, _e = _bounds(first)
    _s, end = _bounds(ref_month)
    S = AttendanceStatus
    rows = (Attendance.objects.filter(member__org_path__startswith=root.path, member__state=RecordState.ACTIVE,
                                      meeting__status__in=list(HELD_STATUSES),
                                      meeting__starts_at__gte=start, meeting__starts_at__lt=end)
            .annotate(month=C.month_bucket("meeting__starts_at", first, window))
            .values("member_id", "month")
            .annotate(present=Count("id", filter=Q(status__in=list(PRESENT_STATUSES))),
                      unexcused=Count("id", filter=Q(status__in=[S.ABSENT, S.INVITED])),
                      excused=Count("id", filter=Q(status__in=[S.LEAVE, S.EXEMPT]))))
    table: dict[int, list[str]] = defaultdict(lambda: [NONE] * window)
    for r in rows:
        if r["month"] is not None:
            table[r["member_id"]][r["month"]] = classify(r["present"], r["unexcused"], r["excused"])
    hits = {mid: streak(ms) for mid, ms in table.items()}
    hits = {mid: n for mid, n in hits.items() if n >= minimum}
    if not hits:
        return []
    members = Member.objects.filter(pk__in=hits).select_related("org").only("id", "name", "org__id", "org__name").order_by("org__path", "id")
    return [MemberStreak(m.pk, m.name, m.org.pk, m.org.name, hits[m.pk]) for m in members]


def absent_members(root: Organization, ref_month: dt.date) -> list[MemberStreak]:
    """Absent ≥ 3 (configurable) months in a row but below the self-lapse review span."""
    lo, hi = conf.absence_streak_months(), conf.lapse_review_months()
    return [s for s in absence_streaks(root, ref_month, minimum=lo) if s.months < hi]


def lapse_cases(member_ids) -> dict:
    """member id → the member's latest 自行脱党 review case (transfers.MembershipCase, kind LAPSED)
    that is open — the case the monthly job raises (``services.raise_lapse_cases``)."""
    from dangjian.transfers.api import CaseKind, CaseStatus, MembershipCase

    out = {}
    for c in MembershipCase.objects.filter(member_id__in=list(member_ids), kind=CaseKind.LAPSED,
                                           status=CaseStatus.OPEN).order_by("opened_on", "pk"):
        out[c.member_id] = c
    return out


def lapse_review_members(root: Organization, ref_month: dt.date) -> list[MemberStreak]:
    """Absent ≥ 6 (configurable) months in a row: a self-lapse *review* warning, nothing more."""
    return absence_streaks(root, ref_month, minimum=conf.lapse_review_months())
