"""Read-side helpers of org life that other apps (minutes, supervision) use."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from dangjian.core import config

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
    from django.db.models import DurationField, ExpressionWrapper, F, Value
    from django.db.models.functions import Least
    from django.utils import timezone

    from .models import HELD_STATUSES, PRESENT_STATUSES

    codes = tuple(config.value("ORGLIFE_STUDY_TYPES", STUDY_TYPE_CODES))
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


# -- the pages' reads (views.py stays HTTP only; issue 9 item 5) --------------------------------

def meeting_types_listed(scope) -> list:
    """The types page: the types that apply to the tops of the user's visible organizations
    (built-in and inherited custom ones) and the custom types the user may view, built-in first,
    then by order."""
    from dangjian.core.models import Organization

    from .models import MeetingType

    roots = Organization.objects.filter(path__in=scope.root_paths("meeting_type", "view"))
    applying = {}
    for org in roots:
        for t in types_for_org(org):
            applying[t.pk] = t
    own = scope.filter(MeetingType.objects.filter(owner__isnull=False).select_related("owner"), "view")
    for t in own:
        applying.setdefault(t.pk, t)
    return sorted(applying.values(), key=lambda t: (t.owner_id is not None, t.order, t.pk))


def type_owner_choices(scope):
    """Organizations a new custom meeting type may be made for (``meeting_type``/``configure``)."""
    from dangjian.core.models import Organization

    return Organization.objects.filter(scope.q_paths("meeting_type", "configure", "path")).order_by("path")


def viewable_org(scope, org_id):
    """The organization ``org_id`` if this user may view its meetings, else None."""
    from dangjian.core.models import Organization

    return Organization.objects.filter(scope.q_paths("meeting", "view", "path"), pk=org_id).first()


def meeting_types_used(scope, *, org=None):
    """The types of the meetings this user may view (of ``org``'s subtree): the list's filter."""
    from .models import MeetingType

    return MeetingType.objects.filter(pk__in=meetings_for(scope, org=org).values("type_id").distinct())


def can_plan_anywhere(scope) -> bool:
    """Whether ``plannable_orgs`` is not empty."""
    return plannable_orgs(scope).exists()


def plannable_org(scope, org_id):
    """The organization to plan for: ``org_id`` among ``plannable_orgs`` (None if not there);
    without an id the only plannable organization, or None when there are several."""
    orgs = plannable_orgs(scope)
    if org_id:
        return orgs.filter(pk=org_id).first()
    return orgs.first() if orgs.count() == 1 else None


def meeting_type_for_org(org, type_id):
    """The type ``type_id`` among ``types_for_org(org)`` (None if not there); without an id the first."""
    types = types_for_org(org)
    return types.filter(pk=type_id).first() if type_id else types.first()


def member_in_position(org, position: str):
    """The first of ``members_of(org)`` holding ``position`` (the plan form's default host/recorder)."""
    return members_of(org).filter(position=position).first()


def invited_members(meeting) -> list:
    """The members invited to ``meeting`` (whatever their attendance status)."""
    from dangjian.members.api import Member

    return list(Member.objects.filter(attendance__meeting=meeting))


def attendance_rows(meeting):
    """A meeting's attendance rows with their members, in roster order."""
    return Attendance.objects.filter(meeting=meeting).select_related("member").order_by("member__org_path", "member_id")


def own_attendance(meeting, user):
    """The signed-in user's own attendance row of ``meeting``, or None."""
    return Attendance.objects.filter(meeting=meeting, member__user=user).first()


def leave_requests_of(meeting):
    """A meeting's leave requests with their members."""
    from .models import LeaveRequest

    return LeaveRequest.objects.filter(meeting=meeting).select_related("member")


def has_open_leave(att) -> bool:
    """Whether the attendance row has a pending or approved leave request."""
    from .models import LeaveRequest, LeaveStatus

    return LeaveRequest.objects.filter(attendance=att, status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED]).exists()


def signed_in_rows(meeting):
    """The members signed in to ``meeting`` (present or late), in the order they signed in."""
    from .models import PRESENT_STATUSES

    return Attendance.objects.filter(meeting=meeting, status__in=PRESENT_STATUSES).select_related("member").order_by("signed_at")


def attendance_of_meeting(meeting, pk):
    """The attendance row ``pk`` of ``meeting`` with its member, or None."""
    return Attendance.objects.filter(meeting=meeting, pk=pk).select_related("member").first()


def leave_request_of_meeting(meeting, pk):
    """The leave request ``pk`` of ``meeting``, or None."""
    from .models import LeaveRequest

    return LeaveRequest.objects.filter(meeting=meeting, pk=pk).first()


# the QR sign-in page (the sign-in storm): keep these queries as they are, they were tuned

#: What the QR page reads of the invitation, its meeting, the meeting's organization and the
#: member: the refusals and the result page (status, times, title, place, organization name), the
#: code's check (``signin_secret``), the audit row (``org_path``). Nothing encrypted, no meeting type.
SIGNIN_COLUMNS = {
    "attendance": ("id", "meeting_id", "member_id", "org_path", "status", "method", "signed_at", "recorded_by_id"),
    "meeting": ("id", "org_id", "org_path", "type_id", "title", "status", "starts_at", "ends_at", "place", "signin_secret"),
    "org": ("id", "name"),
    "member": ("id", "org_id", "org_path", "user_id", "name", "state"),
}
_signin_statements: dict[str, tuple] = {}


def _signin_statement():
    """(SQL, [(model, attnames, converters)]) of :func:`signin_invitation` for this database,
    built once per backend from the models (table and column names, the backend's converters)."""
    from django.db import connection

    from dangjian.core.models import Organization
    from dangjian.members.api import Member, RecordState

    from .models import Meeting

    found = _signin_statements.get(connection.vendor)
    if found is None:
        q = connection.ops.quote_name
        shape = [("a", Attendance, "attendance"), ("m", Meeting, "meeting"), ("o", Organization, "org"), ("p", Member, "member")]
        select, parts = [], []
        for alias, model, key in shape:
            # in the model's field order: Model.from_db maps a partial row onto concrete_fields in order
            wanted = {model._meta.get_field(name).attname for name in SIGNIN_COLUMNS[key]}
            fields = [f for f in model._meta.concrete_fields if f.attname in wanted]
            select += [f"{alias}.{q(f.column)}" for f in fields]
            cols = [f.get_col(alias) for f in fields]
            # (column expression, its converters) where the backend converts (SQLite's datetimes)
            parts.append((model, [f.attname for f in fields], [(c, connection.ops.get_db_converters(c) + c.get_db_converters(connection)) for c in cols]))
        t = {key: q(model._meta.db_table) for _a, model, key in shape}
        sql = (f"SELECT {', '.join(select)} FROM {t['attendance']} a "  # noqa: S608 (names from the models; values are parameters)  # nosec B608
               f"JOIN {t['meeting']} m ON m.{q('id')} = a.{q('meeting_id')} "
               f"JOIN {t['org']} o ON o.{q('id')} = m.{q('org_id')} "
               f"JOIN {t['member']} p ON p.{q('id')} = a.{q('member_id')} "
               f"WHERE a.{q('meeting_id')} = %s AND a.{q('member_id')} = "
               f"(SELECT {q('id')} FROM {t['member']} WHERE {q('user_id')} = %s AND {q('state')} = %s LIMIT 1)")
        found = _signin_statements[connection.vendor] = (sql, parts, RecordState.ACTIVE)
    return found


def signin_invitation(user, meeting_id):
    """The sign-in storm's page: the invitation with its meeting, organization and member in one
    statement, or None. Only the columns the page uses (:data:`SIGNIN_COLUMNS`), written out once
    per backend and turned into model instances with ``Model.from_db`` (the rest of each row is
    deferred): building the same query through the ORM cost three times what running it did
    (docs/benchmarks.md). The member's id as a scalar subquery: the unique (meeting, member) index
    finds the one row whatever the table statistics say. The separate lookups
    (``signin_meeting``, ``active_member_of``, ``invitation_of``) only name a refusal."""
    from django.db import connection

    sql, parts, active = _signin_statement()
    with connection.cursor() as cur:
        cur.execute(sql, [meeting_id, user.pk, active])
        row = cur.fetchone()
    return None if row is None else invitation_from_row(row)


def invitation_from_row(row):
    """The attendance (with its meeting, organization and member cached) of one row of
    :func:`signin_invitation`'s statement (also the head of the QR sign-in's one statement)."""
    from django.db import connection

    _sql, parts, _active = _signin_statement()
    objs, i = [], 0
    for model, names, converters in parts:
        values = list(row[i:i + len(names)])
        for j, (expr, funcs) in enumerate(converters):
            for fn in funcs:
                values[j] = fn(values[j], expr, connection)
        objs.append(model.from_db(connection.alias, names, values))
        i += len(names)
    att, meeting, org, member = objs
    meeting._state.fields_cache["org"] = org
    att._state.fields_cache["meeting"] = meeting
    att._state.fields_cache["member"] = member
    return att


def signin_statement():
    """(SQL, the active-record state) of :func:`signin_invitation`: its parameters are the
    meeting's id, the user's id and that state; a row is what :func:`invitation_from_row` reads."""
    sql, _parts, active = _signin_statement()
    return sql, active


def signin_meeting(meeting_id):
    """The meeting a sign-in code names, with its organization and type, or None."""
    from .models import Meeting

    return Meeting.objects.select_related("org", "type").filter(pk=meeting_id).first()


def active_member_of(user):
    """The user's active member record, or None."""
    from dangjian.members.api import Member, RecordState

    return Member.objects.filter(user=user, state=RecordState.ACTIVE).first()


def invitation_of(meeting, member):
    """The member's attendance row (invitation) of ``meeting``, or None."""
    return Attendance.objects.filter(meeting=meeting, member=member).first()


# my meetings, exemptions, devices

def pending_leave_ids(rows) -> set[int]:
    """Ids of those attendance rows that have a pending leave request."""
    from .models import LeaveRequest, LeaveStatus

    return set(LeaveRequest.objects.filter(attendance__in=rows, status=LeaveStatus.PENDING).values_list("attendance_id", flat=True))


def has_member_record(user) -> bool:
    """Whether the user's account is linked to a member record (any state)."""
    from dangjian.members.api import Member

    return Member.objects.filter(user=user).exists()


def exemptions_for(scope):
    """The exemptions this user may view, active first, newest first."""
    from .models import Exemption

    return scope.filter(Exemption.objects.select_related("member"), "view").order_by("-active", "-starts_on", "-id")


def exemption_member_choices(scope, *, org=None):
    """Active members this user may mark exempt (of ``org``'s subtree), in roster order."""
    from dangjian.members.api import Member, RecordState

    members = Member.objects.filter(scope.q_paths("exemption", "manage", "org_path"), state=RecordState.ACTIVE).order_by("org_path", "id")
    if org is not None:
        members = members.filter(org_path__startswith=org.path)
    return members


def exemption_member_count(scope) -> int:
    """How many members ``exemption_member_choices`` offers."""
    return exemption_member_choices(scope).count()


def exemption_orgs(scope):
    """Active member-holding organizations where this user manages exemptions (to pick first)."""
    from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus

    return Organization.objects.filter(scope.q_paths("exemption", "manage", "path"), kind__in=[str(k) for k in MEMBER_HOLDING_KINDS],
                                       status=OrgStatus.ACTIVE).order_by("path")


def exemption_org(scope, org_id):
    """The organization ``org_id`` among ``exemption_orgs``, or None."""
    return exemption_orgs(scope).filter(pk=org_id).first()


def devices_for(scope):
    """The sign-in devices this user may view, with their organizations."""
    from .models import SigninDevice

    return scope.filter(SigninDevice.objects.select_related("org"), "view")


def device_org_choices(scope):
    """Organizations a sign-in device may be registered for (``signin_device``/``manage``)."""
    from dangjian.core.models import Organization

    return Organization.objects.filter(scope.q_paths("signin_device", "manage", "path")).order_by("path")
