"""Read-side helpers of org life that other apps (minutes, supervision) use."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Attendance, AttendanceStatus


def attendance_summary(meeting) -> dict[str, int]:
    """应到 / 实到 and the rest for one meeting (DOMAIN §1.1, §11).

    ``should`` (应到) = invited members except those exempt by rule (old, frail, ill — 教育管理条例
    art. 23); ``present`` (实到) counts on-time and late sign-ins; ``rate`` is present / should
    in per cent (None when nobody should attend)."""
    S = AttendanceStatus
    agg = Attendance.objects.filter(meeting=meeting).aggregate(
        total=Count("id"),
        present=Count("id", filter=Q(status__in=[S.PRESENT, S.LATE])),
        late=Count("id", filter=Q(status=S.LATE)),
        leave=Count("id", filter=Q(status=S.LEAVE)),
        absent=Count("id", filter=Q(status__in=[S.ABSENT, S.INVITED])),
        exempt=Count("id", filter=Q(status=S.EXEMPT)),
    )
    should = agg["total"] - agg["exempt"]
    agg["should"] = should
    agg["rate"] = round(100 * agg["present"] / should, 1) if should else None
    return agg


# -- added by the org-life app ----------------------------------------------------------------

def types_for_org(org):
    """Meeting types that apply to ``org``: the built-in national types and the custom types of
    ``org`` or any organization above it (a county's types apply to its whole subtree)."""
    from .models import MeetingType

    return MeetingType.objects.filter(active=True).filter(
        Q(owner__isnull=True) | Q(owner_path__in=org.ancestor_paths())).order_by("order", "id")


def own_members_of(org):
    """The organization's own people: the active members of a branch (or general branch, primary
    committee) and its Party groups, by path; for a town or county committee (which holds no
    members itself) its own staff — members whose account holds an active role at exactly that
    organization — not the thousands of members below it."""
    from dangjian.core.models import MEMBER_HOLDING_KINDS
    from dangjian.members.api import Member, RecordState

    qs = Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE)
    if org.kind not in MEMBER_HOLDING_KINDS:
        qs = qs.filter(user__role_assignments__org=org, user__role_assignments__active=True).distinct()
    return qs.order_by("org_path", "id")


def flowing_in_member_ids(org):
    """Ids (a subquery) of the active members flowing in to ``org`` or an organization below it:
    open flowing entries of ``transfers`` naming it as the inflow organization (流入地党组织;
    教育管理条例 art. 32: one home branch, several org lives where the member is). Only
    member-holding organizations hold org life for them."""
    from dangjian.core.models import MEMBER_HOLDING_KINDS

    try:
        from dangjian.transfers.api import AwayKind, AwayRecord
    except ImportError:  # pragma: no cover - transfers not installed
        from dangjian.members.api import Member

        return Member.objects.none().values("pk")
    if org.kind not in MEMBER_HOLDING_KINDS:
        return AwayRecord.objects.none().values("member_id")
    return AwayRecord.objects.filter(kind=AwayKind.FLOWING, closed_on__isnull=True, inflow_path__startswith=org.path) \
        .exclude(inflow_path="").values("member_id")


def members_of(org):
    """Who may be invited to a meeting of ``org``: its own people (``own_members_of``) and the
    active flowing members of other branches registered to take part in org life here
    (``flowing_in_member_ids``; 教育管理条例 art. 32). The flowing-in members may be invited (and
    sign in like anyone invited) but are never in ``default_invitees``: they belong to their home
    branch's 应到."""
    from dangjian.core.models import MEMBER_HOLDING_KINDS
    from dangjian.members.api import Member, RecordState

    if org.kind not in MEMBER_HOLDING_KINDS:
        return own_members_of(org)
    flowing_in = list(flowing_in_member_ids(org).values_list("member_id", flat=True)[:1000])
    if not flowing_in:  # the usual case: the plain path query (its index) as before
        return own_members_of(org)
    return (Member.objects.filter(state=RecordState.ACTIVE)
            .filter(Q(org_path__startswith=org.path) | Q(pk__in=flowing_in))
            .order_by("org_path", "id"))


LECTURE_CODE = "party_lecture"


def possible_lecturers(org):
    """Who may give a 党课 of ``org``: its own members, and the staff of the organizations above
    (a town Party secretary lecturing in a village branch is the rule, not the exception) —
    members whose account holds an active role at an ancestor."""
    from django.db.models import Q

    from dangjian.members.api import Member, RecordState

    ancestors = [p for p in org.ancestor_paths()[:-1]]
    return (Member.objects.filter(state=RecordState.ACTIVE)
            .filter(Q(pk__in=members_of(org).values("pk")) |
                    Q(user__role_assignments__org__path__in=ancestors, user__role_assignments__active=True))
            .distinct().order_by("org_path", "id"))


def default_invitees(org, meeting_type):
    """Who is invited by default (DOMAIN §1.1 "participants"): all members of the branch and its
    Party groups; the committee (positions of ``members.models.COMMITTEE_POSITIONS``) for 支委会;
    the members of the one Party group for 党小组会 (the meeting is the group's); nobody for
    "chosen" types (谈心谈话). Only the organization's own people (``own_members_of``): members
    flowing in from other branches may be ticked but are not required — they count in their home
    branch's 应到 (教育管理条例 art. 32)."""
    from dangjian.members.api import COMMITTEE_POSITIONS

    from .models import Audience

    qs = own_members_of(org)
    if meeting_type is None or meeting_type.audience == Audience.CUSTOM:
        return qs.none()
    if meeting_type.audience == Audience.COMMITTEE:
        return qs.filter(position__in=[str(p) for p in COMMITTEE_POSITIONS])
    return qs


def exempt_member_ids(member_ids, on_date) -> dict[int, str]:
    """{member id: basis} of members with an exemption in force on ``on_date`` (教育管理条例 art. 23)."""
    from .models import Exemption

    rows = Exemption.objects.filter(member_id__in=list(member_ids), active=True, starts_on__lte=on_date).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on_date)).values_list("member_id", "basis")
    return dict(rows)


def plannable_orgs(scope):
    """Organizations where this user may plan a new meeting: the branch (and its Party groups) of
    a secretary or committee member; an org admin's own organization (issue 4 "Plan a meeting")."""
    from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus, Role

    q = Q(pk__in=[])
    for g in scope.grants:
        if g.role in (Role.SECRETARY, Role.COMMITTEE):
            q |= Q(path__startswith=g.path, kind__in=[str(k) for k in MEMBER_HOLDING_KINDS])
        elif g.role == Role.ORG_ADMIN:
            q |= Q(path=g.path)
    return Organization.objects.filter(q, status=OrgStatus.ACTIVE).order_by("path")


def meetings_for(scope, *, org=None, type_id=None, month=None):
    """The meetings this user may view, newest first; optionally one organization's subtree,
    one type, one month (``date``: any day of it)."""
    import datetime as dt

    from django.utils import timezone

    from .models import Meeting

    qs = scope.filter(Meeting.objects.select_related("org", "type"), "view")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if type_id:
        qs = qs.filter(type_id=type_id)
    if month is not None:
        tz = timezone.get_current_timezone()
        start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
        end = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    return qs.order_by("-starts_at", "-id")


def my_attendance(user):
    """The signed-in user's own invitations (their member record's attendance rows)."""
    from .models import Attendance

    return (Attendance.objects.filter(member__user=user).select_related("meeting", "meeting__org", "meeting__type")
            .order_by("-meeting__starts_at", "-id"))


def member_record(member, scope):
    """Attendance and points of one member as this viewer may see them (the member page panel):
    staff of the meetings' organizations, and the member themself (SELF)."""
    from django.db.models import Sum

    from .models import Attendance, PointsEntry

    rows = scope.filter(Attendance.objects.filter(member=member), "view").select_related("meeting", "meeting__type", "meeting__org")
    rows = rows.order_by("-meeting__starts_at", "-id")
    own = getattr(member, "user_id", None) is not None and member.user_id == getattr(scope.user, "pk", None)
    pts = PointsEntry.objects.filter(member=member)
    if not own:
        pts = pts.filter(scope.q_paths("attendance", "view", "org_path"))
    from django.utils import timezone

    year = timezone.localdate().year
    return {
        "rows": list(rows[:200]),
        "count": rows.count(),
        "study_year": year,
        "study_hours": study_hours([member.pk], year).get(member.pk, 0.0),
        "study_target": STUDY_HOURS_PER_YEAR,
        "points": list(pts.select_related("meeting")[:50]),
        "points_total": pts.aggregate(t=Sum("delta"))["t"] or 0,
    }


# -- yearly study hours (学时) ---------------------------------------------------------------------

STUDY_TYPE_CODES = ("party_lecture", "theme_day")  # collective study and training (教育管理条例 art. 16, 20)
STUDY_HOURS_PER_YEAR = 32
MAX_HOURS_PER_MEETING = 8  # one day of training at most per meeting


def study_attendance(year: int):
    """Attendance rows that count as collective study in ``year``: 党课 and 主题党日 (setting
    ``DANGJIAN_ORGLIFE_STUDY_TYPES``) with signed-off minutes, attended (present or late) or made up
    (补课), annotated with ``hours`` (the meeting's length, at most one day)."""
    from django.conf import settings
    from django.db.models import DurationField, ExpressionWrapper, F, Value
    from django.db.models.functions import Least
    from django.utils import timezone

    from .models import HELD_STATUSES, PRESENT_STATUSES

    codes = tuple(getattr(settings, "DANGJIAN_ORGLIFE_STUDY_TYPES", STUDY_TYPE_CODES))
    tz = timezone.get_current_timezone()
    start, end = dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)
    length = ExpressionWrapper(F("meeting__ends_at") - F("meeting__starts_at"), output_field=DurationField())
    return (Attendance.objects.filter(meeting__type__code__in=codes, meeting__status__in=list(HELD_STATUSES),
                                      meeting__starts_at__gte=start, meeting__starts_at__lt=end)
            .filter(Q(status__in=list(PRESENT_STATUSES)) | Q(makeup_on__isnull=False))
            .annotate(hours=Least(length, Value(dt.timedelta(hours=MAX_HOURS_PER_MEETING)), output_field=DurationField())))


def _hours(d) -> float:
    return round(d.total_seconds() / 3600, 1) if d else 0.0


def study_hours(member_ids, year: int) -> dict[int, float]:
    """Collective study hours (学时) of these members in ``year`` (DOMAIN §1.1, 教育管理条例 art. 20:
    ≥32 class hours a year), from ``study_attendance``."""
    from django.db.models import Sum

    rows = (study_attendance(year).filter(member_id__in=list(member_ids)).values("member_id")
            .annotate(total=Sum("hours")).values_list("member_id", "total"))
    return {pk: _hours(total) for pk, total in rows}


@dataclass
class StudyRow:
    member_id: int
    name: str
    org_id: int
    org_name: str
    hours: float


def members_below_study_hours(root, year: int, target: float | None = None) -> list[StudyRow]:
    """Active members of ``root``'s subtree with fewer than ``target`` study hours in ``year``
    (DOMAIN §11 "[warn] below by Q4"), fewest first; members exempt by rule (教育管理条例 art. 23)
    are left out. Two grouped queries and a sort in Python: a correlated subquery per member
    took 1.4 s for a county of 20,000 members on SQLite."""
    from django.db.models import Sum
    from django.utils import timezone

    from dangjian.members.api import Member, RecordState

    from .models import Exemption

    target = STUDY_HOURS_PER_YEAR if target is None else target
    today = timezone.localdate()
    totals = dict(study_attendance(year).filter(member__org_path__startswith=root.path).values("member_id")
                  .annotate(t=Sum("hours")).values_list("member_id", "t"))
    exempt = Exemption.objects.filter(starts_on__lte=today).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)) \
        .values("member_id")
    rows = []
    for pk, name, org_id, org_name, path in (Member.objects.filter(org_path__startswith=root.path, state=RecordState.ACTIVE)
                                             .exclude(pk__in=exempt)
                                             .values_list("pk", "name", "org_id", "org__name", "org_path")):
        hours = _hours(totals.get(pk))
        if hours < target:
            rows.append((hours, path, pk, StudyRow(pk, name, org_id, org_name, hours)))
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]


def inflow_attendance_of(*, member_id: int, inflow_path: str):
    """A flowing member's attendance at meetings of the inflow organization (its subtree), newest
    first: what the inflow side recorded itself (the transfers app's flowing-member pages)."""
    from .models import Attendance

    return (Attendance.objects.filter(member_id=member_id, org_path__startswith=inflow_path)
            .select_related("meeting", "meeting__type", "meeting__org").order_by("-meeting__starts_at", "-id"))
