"""Holding a meeting (Meeting while it is open, and its Attendance rows): open sign-in, sign a
member in (QR, device), the secretary's roll call, and closing the meeting.

Rules: issue 4 sign-in "(a) by QR / device, (b) by the secretary ticking a roll call"; late
after ``late_minutes()``; closing marks the members still only invited ABSENT (DOMAIN §11
member-level: absent without leave), releases and credits flowing members (教育管理条例 art. 32,
in :mod:`.flowing`) and writes the points of the rule table (:mod:`.points`)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, config, policy
from dangjian.members.api import Member

from .. import selectors
from ..models import PRESENT_STATUSES, Attendance, LeaveRequest, LeaveStatus, Meeting, MeetingStatus, SigninDevice, SigninMethod
from ._common import S
from .flowing import _credit_inflow, _release_flowing_in
from .points import award_points


def late_minutes() -> int:
    """[cfg] minutes after the start from which a sign-in counts as late (default 15)."""
    return int(config.value("ORGLIFE_LATE_MINUTES", 15))


def open_early_minutes() -> int:
    """[cfg] how early before the start sign-in may be opened (default 60)."""
    return int(config.value("ORGLIFE_OPEN_EARLY_MINUTES", 60))


def open_signin(*, actor, meeting: Meeting) -> Meeting:
    """Open sign-in ("start the meeting"): from ``open_early_minutes()`` before the start.
    Who: "meeting manage" on the meeting (branch staff)."""
    policy.authorize(actor, "meeting", "manage", meeting)
    now = timezone.now()
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("Sign-in can be opened only for a planned meeting."), code="not_planned")
    if now < meeting.starts_at - dt.timedelta(minutes=open_early_minutes()):
        raise ValidationError(_("Sign-in opens at the earliest %(m)s minutes before the start.") % {"m": open_early_minutes()},
                              code="too_early")
    with transaction.atomic():
        if not Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.PLANNED).update(status=MeetingStatus.OPEN, opened_at=now):
            raise ValidationError(_("Sign-in can be opened only for a planned meeting."), code="not_planned")
        meeting.refresh_from_db()
        audit.record(actor=actor, action="orglife.signin_open", obj=meeting, data={})
    return meeting


def status_for_signin(meeting: Meeting, at: dt.datetime) -> str:
    """PRESENT, or LATE after the start + ``late_minutes()`` ([cfg], default 15)."""
    return S.LATE if at > meeting.starts_at + dt.timedelta(minutes=late_minutes()) else S.PRESENT


#: The codes with which :func:`sign_in` says the meeting is not open for sign-in, by the reason.
SIGNIN_NOT_OPEN = {MeetingStatus.PLANNED: "not_yet_open", MeetingStatus.CANCELLED: "cancelled"}
SIGNIN_ENDED = "ended"
SIGNIN_NOT_OPEN_CODES = frozenset({*SIGNIN_NOT_OPEN.values(), SIGNIN_ENDED})


def _signin_not_open(status) -> ValidationError:
    """Why sign-in is refused on a meeting of ``status`` that is not open: ``not_yet_open``
    (planned), ``cancelled``, or ``ended`` (closed or recorded)."""
    return ValidationError(_("Sign-in is not open for this meeting."), code=SIGNIN_NOT_OPEN.get(status, SIGNIN_ENDED))


def _signin_update(status_sql: str, id_sql: str) -> str:
    """The conditional UPDATE of a sign-in, with its status (``status_sql``) and the row
    (``id_sql``) as SQL: the row only while it is not signed in and its meeting is open. One table
    in the WHERE clause besides the meeting's status subquery (no join): PostgreSQL re-checks it
    on the row version a concurrent duplicate committed, so the second UPDATE matches nothing.
    Parameters, in order: the status's, method, signed at, recorded by, the row's, the present
    statuses, the meeting's id (:func:`_signin_update_params`). Written out because it is the
    statement of the sign-in storm: the ORM spent longer building it than the database running it
    (docs/benchmarks.md)."""
    a, m = Attendance._meta.db_table, Meeting._meta.db_table
    # table names from the models, every value a parameter
    return (f'UPDATE "{a}" SET "status" = {status_sql}, "method" = %s, "signed_at" = %s, "recorded_by_id" = %s '  # noqa: S608 (names from the models; values are parameters)  # nosec B608
            f'WHERE "id" = {id_sql} AND "status" NOT IN ({", ".join(["%s"] * len(PRESENT_STATUSES))}) '
            f'AND "meeting_id" IN (SELECT "id" FROM "{m}" WHERE "id" = %s AND "status" = %s)')


def _signin_update_params(status: list, row: list, *, meeting_id: int, method: str, at: dt.datetime, by: int | None) -> list:
    return [*status, method, connection.ops.adapt_datetimefield_value(at), by, *row, *PRESENT_STATUSES,
            meeting_id, MeetingStatus.OPEN]


def _mark_signed_in(attendance_id: int, meeting_id: int, *, status: str, method: str, at: dt.datetime,
                    by: int | None) -> tuple[str, list]:
    """:func:`sign_in`'s UPDATE (SQL and parameters), run by
    :func:`dangjian.core.audit.update_recorded` with its audit row."""
    return _signin_update("%s", "%s"), _signin_update_params([status], [attendance_id], meeting_id=meeting_id,
                                                               method=method, at=at, by=by)


def sign_in(*, actor, meeting: Meeting, member: Member, method: str, device: SigninDevice | None = None,
            attendance: Attendance | None = None) -> tuple[Attendance, bool]:
    """Record one member's sign-in; returns (attendance, newly signed in).

    Refusals (``ValidationError`` codes): the meeting is not open for sign-in —
    ``not_yet_open`` (planned), ``cancelled``, ``ended`` (closed or recorded; also when it was
    ended between the caller's read and the sign-in: its status is then read once more, on the
    refusal only); ``not_invited`` — the member is not invited.
    Idempotent and race-free: the row is updated only while it is not yet signed in *and* the
    meeting is open (one conditional UPDATE on the unique (meeting, member) row), so concurrent
    duplicates write once and the others answer "already signed in".
    Who: the member themself (``actor`` is ``member``'s user); a terminal signs in with
    ``actor=None`` after checking its own key (:mod:`.devices`)."""
    policy.authorize_self(actor, member)
    now = timezone.now()
    if meeting.status != MeetingStatus.OPEN:
        raise _signin_not_open(meeting.status)
    att = attendance if attendance is not None and attendance.member_id == member.pk and attendance.meeting_id == meeting.pk \
        else Attendance.objects.filter(meeting=meeting, member=member).first()
    if att is None:
        raise ValidationError(_("You are not invited to this meeting."), code="not_invited")
    if att.status in PRESENT_STATUSES:
        return att, False
    status = status_for_signin(meeting, now)
    by = actor.pk if getattr(actor, "pk", None) else None
    sql, params = _mark_signed_in(att.pk, meeting.pk, status=status, method=method, at=now, by=by)
    # the UPDATE and its audit row in one statement (PostgreSQL), its own transaction outside one
    n = audit.update_recorded(sql, params, actor=actor, action="orglife.sign_in", object_type=Attendance._meta.label_lower,
                              object_id=att.pk, org_path=att.org_path, data={
                                  "meeting": meeting.pk, "member": member.pk, "method": method, "status": status,
                                  **({"device": device.pk} if device is not None else {})})
    if not n:  # a concurrent duplicate won, or the meeting was closed meanwhile
        att.refresh_from_db()
        if att.status in PRESENT_STATUSES:
            return att, False
        raise _signin_not_open(Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).first())
    att.status, att.method, att.signed_at, att.recorded_by_id = status, method, now, by
    return att, True


def sign_in_confirmed(*, actor, meeting_id: int, method: str) -> tuple[Attendance, bool] | None:
    """The QR sign-in of a member who confirmed on the code's own page (the confirm form's
    signature binds this user, this meeting and this code, so the code is not checked again):
    find the actor's invitation and sign it in. Returns (the attendance, with its meeting,
    organization and member; newly signed in), or None when it cannot be answered so — no
    active member record, no invitation, the meeting not open, a concurrent duplicate — and the
    caller's full path names the reason (:func:`sign_in`'s codes).

    Who: only the actor's own invitation — it is found by the member record whose user is the
    actor, in the statement itself (on SQLite through :func:`sign_in`, which asserts it).
    PostgreSQL: one statement — the invitation read as :func:`selectors.signin_invitation` reads
    it, the conditional UPDATE of :func:`sign_in` (late after ``late_minutes()``, as
    :func:`status_for_signin`), and its audit row (:func:`dangjian.core.audit.insert_for_rows`):
    the sign-in storm's page then costs what the bare app's does (docs/benchmarks.md)."""
    if connection.vendor != "postgresql":
        att = selectors.signin_invitation(actor, meeting_id) if getattr(actor, "pk", None) else None
        if att is None or (att.status not in PRESENT_STATUSES and att.meeting.status != MeetingStatus.OPEN):
            return None
        if att.status in PRESENT_STATUSES:
            return att, False
        try:
            return sign_in(actor=actor, meeting=att.meeting, member=att.member, method=method, attendance=att)
        except ValidationError:
            return None
    now = timezone.now()
    sql, params = _confirmed_statement(actor, meeting_id, method, now)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    if row is None:
        return None
    att, new_status = selectors.invitation_from_row(row[1:-1]), row[-1]
    if new_status:
        att.status, att.method, att.signed_at, att.recorded_by_id = new_status, method, now, actor.pk
        return att, True
    return (att, False) if att.status in PRESENT_STATUSES else None


def _confirmed_statement(actor, meeting_id: int, method: str, now: dt.datetime) -> tuple[str, list]:
    """PostgreSQL: the one statement of :func:`sign_in_confirmed` and its parameters."""
    head, active = selectors.signin_statement()
    # late after the start + late_minutes(), as status_for_signin; the row is the invitation read
    m = Meeting._meta.db_table
    late = (f'CASE WHEN %s > (SELECT "starts_at" FROM "{m}" WHERE "id" = %s) '  # noqa: S608 (names from the models; values are parameters)  # nosec B608
            "+ %s * INTERVAL '1 minute' THEN %s ELSE %s END")
    returning = ' RETURNING "id", "member_id", "org_path", "status"'
    update = _signin_update(late, "(SELECT inv_id FROM inv)") + returning
    late_params = [connection.ops.adapt_datetimefield_value(now), meeting_id, late_minutes(), S.LATE, S.PRESENT]
    update_params = _signin_update_params(late_params, [], meeting_id=meeting_id, method=method, at=now, by=actor.pk)
    insert, insert_params = audit.insert_for_rows(
        source="u", columns=("id", "member_id", "org_path", "status"), actor=actor, action="orglife.sign_in",
        object_type=Attendance._meta.label_lower, object_id_sql="id::text", org_path_sql="org_path",
        data_sql="jsonb_build_object('meeting', %s::bigint, 'member', member_id, 'method', %s::text, 'status', status)",
        data_params=[meeting_id, method])
    inv = head.replace("SELECT ", 'SELECT a."id" AS inv_id, ', 1)  # the invitation's id, named for the UPDATE
    sql = (f"WITH inv AS ({inv}), u AS ({update}), ins AS ({insert}) "  # noqa: S608 (our own statements; values are parameters)  # nosec B608
           "SELECT inv.*, (SELECT status FROM u) FROM inv")
    return sql, [meeting_id, actor.pk, active, *update_params, *insert_params]


def roll_call(*, actor, meeting: Meeting, attendance: Attendance, status: str) -> Attendance:
    """The secretary's roll call: present / late / absent for one invited member, method
    ``roll_call`` (issue 4 "(b) by the secretary ticking a roll call"). Only while sign-in is open.
    Who: "meeting manage" on the meeting."""
    policy.authorize(actor, "meeting", "manage", meeting)
    if status not in (S.PRESENT, S.LATE, S.ABSENT):
        raise ValidationError(_("Choose present, late or absent."), code="bad_status")
    if attendance.meeting_id != meeting.pk:
        raise ValidationError(_("This member is not invited to this meeting."), code="not_invited")
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status != MeetingStatus.OPEN:
            raise ValidationError(_("Open sign-in first: the roll call is taken while the meeting is open."), code="not_open")
        before = Attendance.objects.select_for_update().get(pk=attendance.pk)
        attendance = before
        old = attendance.status
        attendance.status = status
        attendance.method = SigninMethod.ROLL_CALL
        attendance.signed_at = timezone.now() if status in PRESENT_STATUSES else None
        attendance.recorded_by = actor
        if status == S.ABSENT and old != S.ABSENT:
            attendance.reason = ""
        attendance.save(update_fields=["status", "method", "signed_at", "recorded_by", "reason"])
        audit.record(actor=actor, action="orglife.roll_call", obj=attendance,
                     data={"meeting": meeting.pk, "member": attendance.member_id, "from": old, "to": status})
    return attendance


def close_meeting(*, actor, meeting: Meeting) -> dict:
    """End the meeting: status CLOSED, members still only invited become ABSENT, and the points
    of the attendance rule table are written (DOMAIN §11 member-level: absent without leave).
    Refused while leave requests wait for a decision (decide them first).
    Who: "meeting manage" on the meeting; the minutes' first signature closes it as the system."""
    policy.authorize(actor, "meeting", "manage", meeting)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
        if meeting.status != MeetingStatus.OPEN:
            raise ValidationError(_("Only a meeting with sign-in open can be ended."), code="not_open")
        pending = LeaveRequest.objects.filter(meeting=meeting, status=LeaveStatus.PENDING).count()
        if pending:
            raise ValidationError(_("%(n)s leave request(s) still wait for your decision: decide them first.") % {"n": pending},
                                  code="leave_pending")
        now = timezone.now()
        meeting.status, meeting.closed_at = MeetingStatus.CLOSED, now
        meeting.save(update_fields=["status", "closed_at"])
        guests = _release_flowing_in(meeting)
        absent = Attendance.objects.filter(meeting=meeting, status=S.INVITED).update(status=S.ABSENT)
        credited = _credit_inflow(meeting)
        points = award_points(meeting=meeting)
        summary = selectors.attendance_summary(meeting)
        audit.record(actor=actor, action="orglife.meeting_close", obj=meeting, data={
            "absent_marked": absent, "points_rows": points, "should": summary["should"], "present": summary["present"],
            **({"flowing_in_not_required": guests} if guests else {}),
            **({"inflow_credited": [[mid, att.meeting_id] for mid, att in sorted(credited.items())]} if credited else {})})
    return summary
