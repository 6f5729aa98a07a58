"""Org life: the only place that changes meetings, attendance, leave, exemptions, devices and points.

Every function runs in one transaction, writes its audit row inside it and sends its notices
through ``notify`` in the same transaction (delivered when it commits). Rules come from
DOMAIN.md §1.1 (frequencies, participants, leave, exemptions — 支部工作条例 2018, 教育管理条例
2019 art. 16/23) and §11 "三会一课 & org life"; each function names the rule it encodes.
Rule version of this module: ``RULE_VERSION``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core import audit, config
from dangjian.core.errors import collected, refusal
from dangjian.core.models import Organization, OrgKind, OrgStatus, Role
from dangjian.members.api import Member, RecordState
from dangjian.notify.api import RoleIn, notify

from . import selectors
from .models import (
    PRESENT_STATUSES,
    Attendance,
    AttendanceStatus,
    Audience,
    Exemption,
    ExemptionBasis,
    LeaveRequest,
    LeaveStatus,
    MakeupHow,
    Meeting,
    MeetingStatus,
    MeetingType,
    PointsEntry,
    SigninDevice,
    SigninMethod,
)

RULE_VERSION = "orglife-2026.11 (支部工作条例2018; 党员教育管理工作条例2019 art.16/23)"
S = AttendanceStatus
MAX_MEETING_HOURS = 12


# -- settings ---------------------------------------------------------------------------------

def late_minutes() -> int:
    """[cfg] minutes after the start from which a sign-in counts as late (default 15)."""
    return int(config.value("ORGLIFE_LATE_MINUTES", 15))


def reminder_minutes() -> int:
    """[cfg] how long before the start the reminder goes out (DOMAIN §11 [remind]; default 120)."""
    return int(config.value("ORGLIFE_REMINDER_MINUTES", 120))


def open_early_minutes() -> int:
    """[cfg] how early before the start sign-in may be opened (default 60)."""
    return int(config.value("ORGLIFE_OPEN_EARLY_MINUTES", 60))


DEFAULT_POINTS = {
    "version": "orglife-points-2026.11",
    "rules": {"present": 2, "late": 1, "leave": 0, "absent": -2, "exempt": 0, "makeup": 1},
}


def points_rules() -> dict:
    """[cfg] ``DANGJIAN_ORGLIFE_POINTS``: {"version": ..., "rules": {attendance status: delta}}
    (DOMAIN §11 "Indices, points & warnings": a versioned rule table)."""
    conf = dict(DEFAULT_POINTS)
    conf.update(config.value("ORGLIFE_POINTS", {}) or {})
    return conf


# -- helpers ----------------------------------------------------------------------------------

def _fmt(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _notice_context(meeting: Meeting) -> dict:
    return {
        "title": meeting.title, "org": meeting.org.name, "type": meeting.type.name,
        "when": _fmt(meeting.starts_at), "place": meeting.place, "meeting_id": meeting.pk,
    }


def _invited_members(meeting: Meeting, statuses=(S.INVITED,)) -> list[Member]:
    return list(Member.objects.filter(attendance__meeting=meeting, attendance__status__in=list(statuses)))


def managers_of(meeting: Meeting) -> list:
    """Who handles a meeting's leave requests: the secretaries of its organization (and of the
    branch above a Party group) and whoever planned it."""
    out: list = [RoleIn(meeting.org, Role.SECRETARY)]
    if meeting.org.kind == OrgKind.PARTY_GROUP and meeting.org.parent_id:
        out.append(RoleIn(meeting.org.parent, Role.SECRETARY))
    if meeting.created_by_id:
        out.append(meeting.created_by)
    return out


def _validate_schedule(starts_at, ends_at, *, now) -> None:
    """Refusals: ``ends_before_start``, ``too_long`` (over ``MAX_MEETING_HOURS``) on ends_at;
    ``already_over`` on starts_at."""
    if ends_at <= starts_at:
        raise refusal("ends_before_start", _("The meeting must end after it starts."), field="ends_at")
    if ends_at - starts_at > dt.timedelta(hours=MAX_MEETING_HOURS):
        raise refusal("too_long", _("A meeting lasts at most %(h)s hours.") % {"h": MAX_MEETING_HOURS}, field="ends_at")
    if ends_at <= now:
        raise refusal("already_over", _("This time is already over: plan a meeting that has not ended yet."), field="starts_at")


def _validate_people(org: Organization, host, recorder, invitees, meeting_type=None) -> None:
    """Host, recorder and invitees are among ``selectors.members_of(org)``; and nobody the meeting
    type is for is left out (DOMAIN §1.1 "participants": a 支部党员大会, 党课, 主题党日 or 组织生活会
    is for all members, a 支委会 for the whole committee, a 党小组会 for the group's members).
    Leaving a member out would lower 应到 — the attendance rate and the quorum would look better
    than they are — and hide them from the absence lists. A member who cannot come asks for
    leave; members exempt by rule are left out of 应到 automatically. More people may be invited
    (列席), never fewer."""
    errors = []
    people = [p for p in (host, recorder, *invitees) if p is not None]
    allowed = set(selectors.members_of(org).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
    for field, person in (("host", host), ("recorder", recorder)):
        if person is None:
            errors.append(refusal("no_member", _("Choose a member."), field=field))
        elif person.pk not in allowed:
            errors.append(refusal("not_in_org", _("%(name)s is not a member of %(org)s.") % {"name": person.name, "org": org.name},
                                  field=field))
    if not invitees:
        errors.append(refusal("no_invitees", _("Invite at least one member."), field="invitees"))
    else:
        outside = [m.name for m in invitees if m.pk not in allowed]
        if outside:
            errors.append(refusal("not_in_org", _("Not members of %(org)s: %(names)s.") % {
                "org": org.name, "names": "、".join(outside[:5])}, field="invitees"))
        elif meeting_type is not None:
            invited = {m.pk for m in invitees}
            missing = [m.name for m in selectors.default_invitees(org, meeting_type) if m.pk not in invited]
            if missing:
                errors.append(refusal("invitees_left_out", _(
                    "A “%(type)s” is for all of them; these members are left out: %(names)s. A member who cannot come "
                    "asks for leave; members exempt by rule are left out of 应到 automatically."
                ) % {"type": meeting_type.name, "names": "、".join(missing[:10]) + ("…" if len(missing) > 10 else "")},
                    field="invitees"))
    if errors:
        raise collected(errors)


def _validate_lecturer(org: Organization, meeting_type, lecturer):
    """The lecturer of a 党课 (optional until the minutes; the supervision list of secretaries'
    yearly 党课 counts them — DOMAIN §1.1): a member of the organization or staff of an
    organization above (``selectors.possible_lecturers``). Other meeting types have none."""
    if meeting_type is None or meeting_type.code != selectors.LECTURE_CODE:
        return None
    if lecturer is not None and not selectors.possible_lecturers(org).filter(pk=lecturer.pk).exists():
        raise refusal("lecturer_not_allowed", _("%(name)s can give a 党课 here only as a member of %(org)s or as staff of an "
                                                "organization above it.") % {"name": lecturer.name, "org": org.name},
                      field="lecturer")
    return lecturer


# -- meeting types ----------------------------------------------------------------------------

TYPE_FIELDS = ("name", "name_en", "audience", "frequency", "min_per_period", "required", "voting", "rule_ref", "active")


def create_meeting_type(*, actor, owner: Organization, data: dict) -> MeetingType:
    """A custom meeting type of ``owner``'s subtree (issue 4: "custom types configured by the
    county"); built-in types follow DOMAIN §1.1 and cannot be changed here."""
    with transaction.atomic():
        _check_type_name(owner, data.get("name", ""), exclude=None)
        mt = MeetingType(owner=owner, owner_path=owner.path, code=f"custom-{secrets.token_hex(4)}", order=500,
                         **{k: v for k, v in data.items() if k in TYPE_FIELDS})
        mt.full_clean(exclude=["owner"])
        mt.save()
        audit.record(actor=actor, action="orglife.type_create", obj=mt, org_path=owner.path,
                     data={k: getattr(mt, k) for k in TYPE_FIELDS})
    return mt


def update_meeting_type(*, actor, meeting_type: MeetingType, data: dict) -> MeetingType:
    """Change a custom type; meetings already planned keep their type."""
    if meeting_type.owner_id is None:
        raise ValidationError(_("Built-in meeting types follow the national rules and cannot be changed."), code="builtin_type")
    with transaction.atomic():
        _check_type_name(meeting_type.owner, data.get("name", meeting_type.name), exclude=meeting_type.pk)
        before = {k: getattr(meeting_type, k) for k in TYPE_FIELDS}
        for k, v in data.items():
            if k in TYPE_FIELDS:
                setattr(meeting_type, k, v)
        meeting_type.full_clean(exclude=["owner"])
        meeting_type.save()
        after = {k: getattr(meeting_type, k) for k in TYPE_FIELDS}
        audit.record(actor=actor, action="orglife.type_update", obj=meeting_type, org_path=meeting_type.owner_path,
                     data={"changed": {k: [before[k], after[k]] for k in TYPE_FIELDS if before[k] != after[k]}})
    return meeting_type


def _check_type_name(owner: Organization, name: str, exclude) -> None:
    name = (name or "").strip()
    if not name:
        raise refusal("no_name", _("Give the type a name."), field="name")
    clash = selectors.types_for_org(owner).filter(name=name)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise refusal("name_taken", _("A meeting type named %(n)s already applies here.") % {"n": name}, field="name")


# -- planning ---------------------------------------------------------------------------------

def plan_meeting(*, actor, org: Organization, meeting_type: MeetingType, title: str, starts_at, ends_at, place: str,
                 host: Member, recorder: Member, agenda: str, invitees: list[Member], lecturer: Member | None = None) -> Meeting:
    """Plan a meeting and invite members (DOMAIN §1.1 "participants": 支部党员大会 and 党课 all
    members, 支委会 the committee, 党小组会 the group's members; the planner may adjust).

    Members exempt by rule on the meeting day (教育管理条例 art. 23) are invited as EXEMPT, out of
    the denominator. Invitees get the notice in the inbox and by SMS; a meeting starting within
    the reminder lead time counts as reminded by this notice."""
    now = timezone.now()
    if org.status != OrgStatus.ACTIVE:
        raise ValidationError(_("%(org)s is no longer active.") % {"org": org.name}, code="org_inactive")
    if not selectors.types_for_org(org).filter(pk=meeting_type.pk).exists():
        raise refusal("type_not_applicable", _("This meeting type does not apply to %(org)s.") % {"org": org.name},
                      field="meeting_type")
    if meeting_type.audience == Audience.GROUP and org.kind != OrgKind.PARTY_GROUP:
        raise refusal("group_meeting", _("A Party group meeting is held by a Party group: plan it for the group."),
                      field="meeting_type")
    _validate_schedule(starts_at, ends_at, now=now)
    invitees = list({m.pk: m for m in invitees}.values())
    _validate_people(org, host, recorder, invitees, meeting_type)
    lecturer = _validate_lecturer(org, meeting_type, lecturer)
    title = (title or "").strip() or meeting_type.name
    with transaction.atomic():
        m = Meeting.objects.create(
            org=org, type=meeting_type, title=title[:200], starts_at=starts_at, ends_at=ends_at,
            place=place.strip(), host=host, recorder=recorder, lecturer=lecturer, agenda=agenda.strip(), created_by=actor,
            reminder_sent_at=now if starts_at - now <= dt.timedelta(minutes=reminder_minutes()) else None,
        )
        exempt = selectors.exempt_member_ids([i.pk for i in invitees], timezone.localdate(starts_at))
        Attendance.objects.bulk_create([
            Attendance(meeting=m, member=i, status=S.EXEMPT if i.pk in exempt else S.INVITED,
                       reason=_basis_reason(exempt[i.pk]) if i.pk in exempt else "")
            for i in invitees
        ])
        audit.record(actor=actor, action="orglife.meeting_plan", obj=m, data={
            "type": meeting_type.code, "title": m.title, "starts_at": m.starts_at, "ends_at": m.ends_at,
            "place": m.place, "host": host.pk, "recorder": recorder.pk, "lecturer": lecturer.pk if lecturer else None,
            "invited": len(invitees), "exempt": len(exempt),
        })
        notify(recipients=[i for i in invitees if i.pk not in exempt], kind="orglife.meeting_planned",
               context=_notice_context(m), channels=("inbox", "sms"), org=org, actor=actor)
    return m


def _basis_reason(basis: str) -> str:
    """The reason shown on the attendance row (and in the minutes' absentee list): the basis in
    the default language, never the exemption's free-text note."""
    if basis not in ExemptionBasis.values:
        return ""
    with translation.override("zh-hans"):
        return f"{ExemptionBasis(basis).label}（教育管理条例第二十三条）"


def update_meeting(*, actor, meeting: Meeting, title: str, starts_at, ends_at, place: str, host: Member,
                   recorder: Member, agenda: str, invitees: list[Member], lecturer: Member | None = None) -> Meeting:
    """Edit a meeting while it is planned: schedule, people, agenda, invitees (added members are
    invited, removed ones lose their invitation). Invitees are told of a new time or place."""
    now = timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("org", "type").get(pk=meeting.pk)
        if meeting.status != MeetingStatus.PLANNED:
            raise ValidationError(_("Only a planned meeting can be changed."), code="not_planned")
        _validate_schedule(starts_at, ends_at, now=now)
        invitees = list({m.pk: m for m in invitees}.values())
        _validate_people(meeting.org, host, recorder, invitees, meeting.type)
        lecturer = _validate_lecturer(meeting.org, meeting.type, lecturer)
        moved = (starts_at, ends_at, place.strip()) != (meeting.starts_at, meeting.ends_at, meeting.place)
        before = {"title": meeting.title, "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "place": meeting.place,
                  "host": meeting.host_id, "recorder": meeting.recorder_id}
        meeting.title = (title or "").strip()[:200] or meeting.type.name
        if starts_at != meeting.starts_at:
            meeting.reminder_sent_at = now if starts_at - now <= dt.timedelta(minutes=reminder_minutes()) else None
        meeting.starts_at, meeting.ends_at, meeting.place = starts_at, ends_at, place.strip()
        meeting.host, meeting.recorder, meeting.lecturer, meeting.agenda = host, recorder, lecturer, agenda.strip()
        meeting.save()
        current = set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
        wanted = {i.pk for i in invitees}
        removed = current - wanted
        Attendance.objects.filter(meeting=meeting, member_id__in=removed).delete()
        added = [i for i in invitees if i.pk not in current]
        exempt = selectors.exempt_member_ids([i.pk for i in added], timezone.localdate(starts_at))
        Attendance.objects.bulk_create([
            Attendance(meeting=meeting, member=i, status=S.EXEMPT if i.pk in exempt else S.INVITED,
                       reason=_basis_reason(exempt[i.pk]) if i.pk in exempt else "")
            for i in added
        ])
        audit.record(actor=actor, action="orglife.meeting_update", obj=meeting, data={
            "before": before, "starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "place": meeting.place,
            "added": sorted(i.pk for i in added), "removed": sorted(removed)})
        ctx = _notice_context(meeting)
        if added:
            notify(recipients=[i for i in added if i.pk not in exempt], kind="orglife.meeting_planned", context=ctx,
                   channels=("inbox", "sms"), org=meeting.org, actor=actor)
        if moved:
            stay = [m for m in _invited_members(meeting, (S.INVITED, S.LEAVE)) if m.pk not in {i.pk for i in added}]
            if stay:
                notify(recipients=stay, kind="orglife.meeting_changed", context=ctx, channels=("inbox", "sms"),
                       org=meeting.org, actor=actor)
    return meeting


def cancel_meeting(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting with a reason; invitees are told (inbox + SMS)."""
    reason = (reason or "").strip()
    if not reason:
        raise refusal("no_reason", _("Give the reason for cancelling."), field="reason")
    with transaction.atomic():
        n = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.PLANNED).update(
            status=MeetingStatus.CANCELLED, cancel_reason=reason[:200])
        if not n:
            raise ValidationError(_("Only a planned meeting can be cancelled."), code="not_planned")
        meeting.refresh_from_db()
        audit.record(actor=actor, action="orglife.meeting_cancel", obj=meeting, data={"reason": meeting.cancel_reason})
        people = _invited_members(meeting, (S.INVITED, S.LEAVE))
        if people:
            notify(recipients=people, kind="orglife.meeting_cancelled", context={**_notice_context(meeting), "reason": meeting.cancel_reason},
                   channels=("inbox", "sms"), org=meeting.org, actor=actor)
    return meeting


def send_due_reminders(*, now: dt.datetime | None = None) -> int:
    """The reminder before a meeting (DOMAIN §11 [remind]; lead time ``reminder_minutes()``):
    each meeting is claimed with a conditional update of ``reminder_sent_at``, so the periodic
    job sends it exactly once however often and on however many workers it runs."""
    now = now or timezone.now()
    due = Meeting.objects.filter(
        status__in=[MeetingStatus.PLANNED, MeetingStatus.OPEN], reminder_sent_at__isnull=True,
        starts_at__gt=now, starts_at__lte=now + dt.timedelta(minutes=reminder_minutes()),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due[:500]):
        with transaction.atomic():
            if not Meeting.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                continue
            meeting = Meeting.objects.select_related("org", "type").get(pk=pk)
            people = _invited_members(meeting)
            if people:
                notify(recipients=people, kind="orglife.meeting_reminder", context=_notice_context(meeting),
                       channels=("inbox", "sms"), org=meeting.org, actor=None)
            audit.record(actor=None, action="orglife.meeting_remind", obj=meeting, data={"recipients": len(people)})
            sent += 1
    return sent


# -- sign-in ----------------------------------------------------------------------------------

def open_signin(*, actor, meeting: Meeting) -> Meeting:
    """Open sign-in ("start the meeting"): from ``open_early_minutes()`` before the start."""
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


def sign_in(*, actor, meeting: Meeting, member: Member, method: str, device: SigninDevice | None = None,
            attendance: Attendance | None = None) -> tuple[Attendance, bool]:
    """Record one member's sign-in; returns (attendance, newly signed in).

    Refusals (``ValidationError`` codes): the meeting is not open for sign-in —
    ``not_yet_open`` (planned), ``cancelled``, ``ended`` (closed or recorded; also when it was
    ended between the caller's read and the sign-in: its status is then read once more, on the
    refusal only); ``not_invited`` — the member is not invited.
    Idempotent and race-free: the row is updated only while it is not yet signed in *and* the
    meeting is open (one conditional UPDATE on the unique (meeting, member) row), so concurrent
    duplicates write once and the others answer "already signed in"."""
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
    with transaction.atomic():
        # One table in the WHERE clause (no join): PostgreSQL re-checks it on the row version a
        # concurrent duplicate committed, so the second UPDATE matches nothing.
        still_open = Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.OPEN).values("pk")
        n = (Attendance.objects.filter(pk=att.pk, meeting_id__in=still_open)
             .exclude(status__in=PRESENT_STATUSES)
             .update(status=status, method=method, signed_at=now, recorded_by=actor if getattr(actor, "pk", None) else None))
        if not n:  # a concurrent duplicate won, or the meeting was closed meanwhile
            att.refresh_from_db()
            if att.status in PRESENT_STATUSES:
                return att, False
            raise _signin_not_open(Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).first())
        att.status, att.method, att.signed_at = status, method, now
        att.recorded_by_id = actor.pk if getattr(actor, "pk", None) else None
        audit.record(actor=actor, action="orglife.sign_in", obj=att, data={
            "meeting": meeting.pk, "member": member.pk, "method": method, "status": status,
            **({"device": device.pk} if device is not None else {})})
    return att, True


def roll_call(*, actor, meeting: Meeting, attendance: Attendance, status: str) -> Attendance:
    """The secretary's roll call: present / late / absent for one invited member, method
    ``roll_call`` (issue 4 "(b) by the secretary ticking a roll call"). Only while sign-in is open."""
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
    Refused while leave requests wait for a decision (decide them first)."""
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


# -- flowing members: org life at the inflow organization (教育管理条例 art. 32) ----------------------

INFLOW_RULE_ID = "orglife.attendance.inflow_credit"
INFLOW_LOOKBACK_DAYS = 40


def type_period(meeting_type: MeetingType, when: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the period of ``meeting_type.frequency`` (Beijing time) that contains
    ``when``: the calendar month, quarter or year; a type with no fixed frequency uses the
    calendar month."""
    from .models import Frequency

    tz = timezone.get_current_timezone()
    d = timezone.localtime(when, tz).date()
    if meeting_type.frequency == Frequency.YEAR:
        first, months = 1, 12
    elif meeting_type.frequency == Frequency.QUARTER:
        first, months = 3 * ((d.month - 1) // 3) + 1, 3
    else:
        first, months = d.month, 1
    m = first - 1 + months
    return dt.datetime(d.year, first, 1, tzinfo=tz), dt.datetime(d.year + m // 12, m % 12 + 1, 1, tzinfo=tz)


def inflow_attendance_for(meeting: Meeting, member_ids) -> dict[int, Attendance]:
    """member id → the first attendance (present or late) of that member at a meeting of the
    same type at their registered inflow organization (流入地党组织; its subtree) within the same
    period of the type's frequency (``type_period``). 教育管理条例 art. 32: a flowing member has
    one home branch and may take part in several org lives where they are; the org life they
    attended at the inflow organization counts for the home branch. The flowing entry
    (``transfers.AwayRecord``, kind flowing, naming an inflow organization) must overlap the
    period; a meeting inside the inflow organization itself credits nothing."""
    try:
        from dangjian.transfers.api import AwayKind, AwayRecord
    except ImportError:  # pragma: no cover - transfers not installed
        return {}
    member_ids = list(member_ids)
    if not member_ids:
        return {}
    start, end = type_period(meeting.type, meeting.starts_at)
    start_day, end_day = timezone.localtime(start).date(), timezone.localtime(end).date()
    recs = (AwayRecord.objects.filter(member_id__in=member_ids, kind=AwayKind.FLOWING, since__lt=end_day)
            .exclude(inflow_path="").filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start_day))
            .order_by("-closed_on", "-id"))
    out: dict[int, Attendance] = {}
    for rec in recs:
        if rec.member_id in out or meeting.org_path.startswith(rec.inflow_path):
            continue
        att = (Attendance.objects.filter(member_id=rec.member_id, status__in=list(PRESENT_STATUSES),
                                         meeting__type_id=meeting.type_id, meeting__org_path__startswith=rec.inflow_path,
                                         meeting__starts_at__gte=start, meeting__starts_at__lt=end)
               .exclude(meeting_id=meeting.pk)
               .exclude(meeting__status__in=[MeetingStatus.CANCELLED, MeetingStatus.PLANNED])
               .select_related("meeting", "meeting__org").order_by("meeting__starts_at", "id").first())
        if att is not None:
            out[rec.member_id] = att
    return out


def _release_flowing_in(meeting: Meeting) -> int:
    """Inside ``close_meeting``, before absentees are marked: members flowing in from another
    branch (``selectors.flowing_in_member_ids``) who were invited here but did not come are not
    absent — they were invited, not required; their 应到 is their home branch's (教育管理条例
    art. 32). They become EXEMPT (out of this meeting's 应到, no points) with the reason saying so."""
    ids = selectors.flowing_in_member_ids(meeting.org)
    rows = list(Attendance.objects.filter(meeting=meeting, status=S.INVITED, member_id__in=ids)
                .exclude(member__org_path__startswith=meeting.org_path).select_related("member__org"))
    for att in rows:
        att.status = S.EXEMPT
        att.reason = f"流动党员，组织关系在{att.member.org.name}（应到计入原党支部）"[:200]
        att.save(update_fields=["status", "reason"])
    return len(rows)


def inflow_reason(att: Attendance) -> str:
    """The reason written on the home meeting's attendance row (in the default language, a record)."""
    day = timezone.localtime(att.meeting.starts_at).date().isoformat()
    return f"在流入地党组织参加组织生活：{att.meeting.org.name} {day}"[:200]


def _credit_inflow(meeting: Meeting) -> dict[int, Attendance]:
    """Inside ``close_meeting``: ABSENT flowing members who attended at their inflow organization
    in the period become LEAVE (excused) with ``inflow_reason`` — before the points are written,
    so no absence points arise (教育管理条例 art. 32)."""
    absent = Attendance.objects.filter(meeting=meeting, status=S.ABSENT).values_list("member_id", flat=True)
    found = inflow_attendance_for(meeting, absent)
    for mid, att in found.items():
        Attendance.objects.filter(meeting=meeting, member_id=mid, status=S.ABSENT).update(status=S.LEAVE, reason=inflow_reason(att))
    return found


def attendance_locked(meeting: Meeting) -> bool:
    """True once the meeting's minutes carry a signature: the first signature freezes 应到/实到 and
    the absentees into the record, and a signed-off record (meeting RECORDED) is read-only
    (DOMAIN §11: append-only after sign-off). Its attendance rows are then never changed."""
    if meeting.status == MeetingStatus.RECORDED:
        return True
    records = getattr(meeting, "records", None)
    if records is None:  # pragma: no cover - minutes not installed
        return False
    return records.filter(Q(host_signed_at__isnull=False) | Q(recorder_signed_at__isnull=False) | ~Q(status="draft")).exists()


def credit_inflow_attendance(*, meeting: Meeting, actor=None) -> int:
    """Re-apply the inflow credit after the home meeting was closed (the inflow meeting may come
    later in the period): ABSENT rows of a closed meeting whose flowing member attended a meeting
    of the same type at the inflow organization in the same period (``inflow_attendance_for``)
    become LEAVE with ``inflow_reason``; the absence points are neutralised by a compensating
    ``PointsEntry`` (rule ``INFLOW_RULE_ID``: the leave points minus the absence points already
    written). Idempotent (only ABSENT rows change; one compensating row per member and meeting);
    audited per member. Never touches a meeting whose minutes are signed (``attendance_locked``).
    Returns how many rows changed. 教育管理条例 art. 32; DOMAIN §11 ("count flowing members who
    attended elsewhere")."""
    conf = points_rules()
    leave_delta, version = int(conf["rules"].get("leave", 0) or 0), str(conf["version"])[:40]
    n = 0
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().select_related("org", "type").get(pk=meeting.pk)
        if meeting.status not in (MeetingStatus.CLOSED, MeetingStatus.RECORDED) or attendance_locked(meeting):
            return 0
        absent = Attendance.objects.filter(meeting=meeting, status=S.ABSENT).values_list("member_id", flat=True)
        for mid, att in inflow_attendance_for(meeting, absent).items():
            reason = inflow_reason(att)
            if not Attendance.objects.filter(meeting=meeting, member_id=mid, status=S.ABSENT).update(status=S.LEAVE, reason=reason):
                continue
            written = sum(PointsEntry.objects.filter(meeting=meeting, member_id=mid, rule_id__startswith="orglife.attendance.")
                          .exclude(rule_id=INFLOW_RULE_ID).values_list("delta", flat=True))
            delta = leave_delta - written
            if delta:
                PointsEntry.objects.get_or_create(
                    meeting=meeting, member_id=mid, rule_id=INFLOW_RULE_ID,
                    defaults={"org_path": meeting.org_path, "delta": delta, "reason": f"{meeting.title[:100]}：{reason}"[:200],
                              "rule_version": version})
            audit.record(actor=actor, action="orglife.inflow_credit", obj=meeting,
                         data={"member": mid, "inflow_meeting": att.meeting_id, "points": delta})
            n += 1
    return n


def credit_inflow_recent(*, today: dt.date | None = None) -> int:
    """The daily job's work: ``credit_inflow_attendance`` for every closed meeting of the last
    ``INFLOW_LOOKBACK_DAYS`` days with an ABSENT member who has a flowing entry naming an inflow
    organization."""
    try:
        from dangjian.transfers.api import AwayKind, AwayRecord
    except ImportError:  # pragma: no cover
        return 0
    now = timezone.now() if today is None else dt.datetime.combine(today, dt.time(23, 59), tzinfo=timezone.get_current_timezone())
    flowing = AwayRecord.objects.filter(kind=AwayKind.FLOWING).exclude(inflow_path="").values("member_id")
    pks = (Meeting.objects.filter(status=MeetingStatus.CLOSED, starts_at__gte=now - dt.timedelta(days=INFLOW_LOOKBACK_DAYS),
                                  starts_at__lte=now, attendance__status=S.ABSENT, attendance__member_id__in=flowing)
           .values_list("pk", flat=True).distinct())
    return sum(credit_inflow_attendance(meeting=Meeting(pk=pk)) for pk in list(pks))


def award_points(*, meeting: Meeting) -> int:
    """Write the attendance points of a closed meeting by the rule table ``points_rules()``
    (one row per member and rule; a second call writes nothing). Zero-point rules write no row."""
    conf = points_rules()
    rules, version = conf["rules"], str(conf["version"])[:40]
    with translation.override("zh-hans"):  # the ledger is a record: written in the default language
        labels = {k: str(v) for k, v in AttendanceStatus.choices}
    rows = []
    for att in Attendance.objects.filter(meeting=meeting).only("member_id", "status"):
        delta = int(rules.get(att.status, 0) or 0)
        if delta:
            rows.append(PointsEntry(member_id=att.member_id, meeting=meeting, delta=delta,
                                    reason=f"{meeting.title[:150]}：{labels.get(att.status, att.status)}",
                                    rule_id=f"orglife.attendance.{att.status}", rule_version=version))
    before = PointsEntry.objects.filter(meeting=meeting).count()
    PointsEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return PointsEntry.objects.filter(meeting=meeting).count() - before


# -- make-up study (补课) -------------------------------------------------------------------------

def record_makeup(*, actor, attendance: Attendance, on: dt.date, how: str, note: str) -> Attendance:
    """Record that a member who was absent or on leave made up the meeting (补课; DOMAIN §1.1:
    "absentees must ask for leave beforehand and make up" — local practice). The attendance itself
    stays as it was (应到/实到 and the minutes do not change); the 补课 is shown beside it, in the
    member's file, and earns the ``makeup`` points of the rule table once. Only after the meeting
    ended, dated between the meeting day and today, once per row."""
    note = (note or "").strip()
    errors = []
    if how not in MakeupHow.values:
        errors.append(refusal("no_how", _("Choose how the meeting was made up."), field="how"))
    if not note:
        errors.append(refusal("no_note", _("Say what was studied and how the branch checked it."), field="note"))
    if errors:
        raise collected(errors)
    with transaction.atomic():
        att = Attendance.objects.select_for_update().select_related("meeting", "member").get(pk=attendance.pk)
        meeting = att.meeting
        if meeting.status not in (MeetingStatus.CLOSED, MeetingStatus.RECORDED):
            raise ValidationError(_("补课 is recorded after the meeting has ended."), code="not_ended")
        if att.status not in (S.ABSENT, S.LEAVE):
            raise ValidationError(_("Only a member who was absent or on leave makes up a meeting."), code="not_absent")
        if att.makeup_on:
            raise ValidationError(_("%(n)s already made up this meeting on %(d)s.") % {"n": att.member.name, "d": att.makeup_on},
                                  code="already_made_up")
        held = timezone.localtime(meeting.starts_at).date()
        if not on or on < held or on > timezone.localdate():
            raise refusal("date_out_of_range", _("The date must lie between the meeting (%(d)s) and today.") % {"d": held},
                          field="on")
        att.makeup_on, att.makeup_how, att.makeup_note = on, how, note[:200]
        att.makeup_by = actor if getattr(actor, "pk", None) else None
        att.save(update_fields=["makeup_on", "makeup_how", "makeup_note", "makeup_by"])
        conf = points_rules()
        delta = int(conf["rules"].get("makeup", 0) or 0)
        if delta:
            PointsEntry.objects.get_or_create(
                meeting=meeting, member=att.member, rule_id="orglife.makeup",
                defaults={"org_path": meeting.org_path, "delta": delta, "reason": f"{meeting.title[:150]}：补课",
                          "rule_version": str(conf["version"])[:40]})
        audit.record(actor=actor, action="orglife.makeup", obj=att,
                     data={"meeting": meeting.pk, "member": att.member_id, "on": on, "how": how})
    return att


# -- leave ------------------------------------------------------------------------------------

def request_leave(*, actor, attendance: Attendance, reason: str) -> LeaveRequest:
    """A member asks for leave before the meeting starts (DOMAIN §1.1: absentees ask for leave
    beforehand). After the start no new request is taken."""
    reason = (reason or "").strip()
    if not reason:
        raise refusal("no_reason", _("Give a reason."), field="reason")
    if len(reason) > 200:
        raise refusal("reason_too_long", _("At most 200 characters."), field="reason")
    with transaction.atomic():
        att = Attendance.objects.select_for_update().select_related("meeting", "meeting__org", "member").get(pk=attendance.pk)
        meeting = att.meeting
        if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.OPEN) or timezone.now() >= meeting.starts_at:
            raise ValidationError(_("The meeting has already started: leave must be asked for before it starts."), code="too_late")
        if att.status == S.EXEMPT:
            raise ValidationError(_("You are exempt from this meeting: no leave is needed."), code="exempt")
        if att.status != S.INVITED:
            raise ValidationError(_("Leave is asked for by invited members who have not signed in."), code="already_answered")
        if LeaveRequest.objects.filter(attendance=att, status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED]).exists():
            raise ValidationError(_("You have already asked for leave from this meeting."), code="already_asked")
        req = LeaveRequest.objects.create(attendance=att, meeting=meeting, member=att.member, org_path=att.org_path, reason=reason)
        audit.record(actor=actor, action="orglife.leave_request", obj=req, data={"meeting": meeting.pk, "member": att.member_id})
        notify(recipients=managers_of(meeting), kind="orglife.leave_requested",
               context={**_notice_context(meeting), "member": att.member.name, "reason": reason}, channels=("inbox",),
               org=meeting.org, actor=actor)
    return req


def decide_leave(*, actor, leave: LeaveRequest, approve: bool, note: str = "") -> LeaveRequest:
    """The secretary approves (attendance → LEAVE, the reason kept for the record's "absentees
    with reasons", DOMAIN §1.3) or rejects a pending request; the member is told."""
    with transaction.atomic():
        req = LeaveRequest.objects.select_for_update().select_related("meeting", "meeting__org", "member").get(pk=leave.pk)
        if req.status != LeaveStatus.PENDING:
            raise ValidationError(_("This request has already been decided."), code="already_decided")
        if req.meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.OPEN):
            raise ValidationError(_("The meeting is over: leave can no longer be decided."), code="meeting_over")
        req.status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
        req.decided_by, req.decided_at, req.note = actor, timezone.now(), (note or "").strip()[:200]
        req.save(update_fields=["status", "decided_by", "decided_at", "note"])
        if approve:
            Attendance.objects.filter(pk=req.attendance_id, status=S.INVITED).update(status=S.LEAVE, reason=req.reason)
        audit.record(actor=actor, action="orglife.leave_decide", obj=req,
                     data={"meeting": req.meeting_id, "member": req.member_id, "approved": approve})
        notify(recipients=[req.member], kind="orglife.leave_approved" if approve else "orglife.leave_rejected",
               context={**_notice_context(req.meeting), "note": req.note or "—"}, channels=("inbox",),
               org=req.meeting.org, actor=actor)
    return req


# -- exemptions -------------------------------------------------------------------------------

def create_exemption(*, actor, member: Member, basis: str, note: str, starts_on: dt.date, ends_on: dt.date | None) -> Exemption:
    """Mark a member exempt from attending org life by rule (DOMAIN §1.1, 教育管理条例 art. 23:
    old, frail, immobile or gravely ill members have no hard requirement; the branch brings study
    to them). New meetings invite them as EXEMPT, left out of the denominator (DOMAIN §11)."""
    errors = []
    if basis not in ExemptionBasis.values:
        errors.append(refusal("no_basis", _("Choose the basis of the exemption."), field="basis"))
    if ends_on is not None and starts_on and ends_on < starts_on:
        errors.append(refusal("ends_before_start", _("The end date is before the start date."), field="ends_on"))
    if member.state != RecordState.ACTIVE:
        errors.append(refusal("member_inactive", _("%(name)s is no longer in the organization.") % {"name": member.name},
                              field="member"))
    if errors:
        raise collected(errors)
    with transaction.atomic():
        overlap = Exemption.objects.filter(member=member, active=True).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        if ends_on is not None:
            overlap = overlap.filter(starts_on__lte=ends_on)
        if overlap.exists():
            raise refusal("overlap", _("%(name)s already has an exemption for this time.") % {"name": member.name}, field="member")
        ex = Exemption.objects.create(member=member, basis=basis, note=(note or "").strip()[:200],
                                      starts_on=starts_on, ends_on=ends_on, created_by=actor)
        # the note may describe health: it stays on the record and out of the audit data
        audit.record(actor=actor, action="orglife.exemption_create", obj=ex,
                     data={"member": member.pk, "basis": basis, "starts_on": starts_on, "ends_on": ends_on})
    return ex


def end_exemption(*, actor, exemption: Exemption) -> Exemption:
    """End an exemption today (the member is invited normally again to new meetings)."""
    with transaction.atomic():
        today = timezone.localdate()
        n = Exemption.objects.filter(pk=exemption.pk, active=True).update(
            active=False, ended_by=actor, ended_at=timezone.now(),
            ends_on=min(exemption.ends_on or today, today) if exemption.starts_on <= today else exemption.starts_on)
        if not n:
            raise ValidationError(_("This exemption has already ended."), code="already_ended")
        exemption.refresh_from_db()
        audit.record(actor=actor, action="orglife.exemption_end", obj=exemption, data={"member": exemption.member_id})
    return exemption


# -- sign-in devices --------------------------------------------------------------------------

def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_device(*, actor, org: Organization, name: str) -> tuple[SigninDevice, str]:
    """Register a sign-in terminal of ``org``'s subtree; returns (device, key). The key is shown
    once and stored only as a hash (docs/decisions.md §13)."""
    name = (name or "").strip()
    if not name:
        raise refusal("no_name", _("Give the device a name."), field="name")
    with transaction.atomic():
        for _attempt in range(5):
            prefix = secrets.token_hex(4)
            key = f"{prefix}.{secrets.token_urlsafe(32)}"
            try:
                with transaction.atomic():
                    dev = SigninDevice.objects.create(org=org, name=name[:80], key_prefix=prefix,
                                                      key_hash=_hash_key(key), created_by=actor)
                break
            except IntegrityError:  # pragma: no cover - a 32-bit prefix collision
                continue
        else:  # pragma: no cover
            raise ValidationError(_("Could not create a key; try again."), code="key_collision")
        audit.record(actor=actor, action="orglife.device_create", obj=dev, data={"name": dev.name})
    return dev, key


def deactivate_device(*, actor, device: SigninDevice) -> SigninDevice:
    """Switch a device off: its key stops working at once."""
    with transaction.atomic():
        SigninDevice.objects.filter(pk=device.pk).update(active=False)
        device.refresh_from_db()
        audit.record(actor=actor, action="orglife.device_deactivate", obj=device, data={"name": device.name})
    return device


def authenticate_device(key: str) -> SigninDevice | None:
    """The active device holding ``key`` (``<prefix>.<secret>``), else None (constant-time compare)."""
    from django.utils.crypto import constant_time_compare

    if not key or "." not in key or len(key) > 200:
        return None
    prefix = key.split(".", 1)[0]
    dev = SigninDevice.objects.filter(key_prefix=prefix, active=True).select_related("org").first()
    if dev is None or not constant_time_compare(dev.key_hash, _hash_key(key)):
        return None
    return dev


def device_sign_in(*, device: SigninDevice, meeting: Meeting, member: Member) -> tuple[Attendance, bool]:
    """A device signs a member in (method ``device``; later face matching picks the member).
    The caller has checked that the meeting is in the device's organization subtree.
    The device API answers one code, ``not_open``, for every reason :func:`sign_in` gives for a
    meeting not open (``SIGNIN_NOT_OPEN_CODES``), as it always has."""
    if not meeting.org_path.startswith(device.org_path):
        raise ValidationError(_("This meeting is not in the device's organization."), code="not_found")
    try:
        att, created = sign_in(actor=None, meeting=meeting, member=member, method=SigninMethod.DEVICE, device=device)
    except ValidationError as exc:
        if getattr(exc, "code", None) in SIGNIN_NOT_OPEN_CODES:
            raise ValidationError(exc.message, code="not_open", params=exc.params) from None
        raise
    now = timezone.now()
    if device.last_used_at is None or now - device.last_used_at > dt.timedelta(minutes=1):
        SigninDevice.objects.filter(pk=device.pk).update(last_used_at=now)
    return att, created


@dataclass(frozen=True)
class DeviceSignin:
    """What a device sign-in did (read-only): the meeting, the member, the attendance row and
    whether it was created now (False: the member had already signed in)."""

    meeting: Meeting
    member: Member
    attendance: Attendance
    created: bool


def device_sign_in_by_ids(*, device: SigninDevice, meeting_id: int, member_id: int) -> DeviceSignin:
    """The open sign-in API (issue 4 "(c)"): a device names a meeting and a member by id.

    Refusals (coded ``ValidationError``): ``not_found`` — no such meeting in the device's
    organization subtree (the API answers 404, as for a meeting that does not exist);
    ``not_invited`` — no such member (the same answer as a member who is not invited); then the
    codes of :func:`device_sign_in` (``not_open``, ``not_invited``)."""
    meeting = Meeting.objects.select_related("org").filter(pk=meeting_id, org_path__startswith=device.org_path).first()
    if meeting is None:
        raise ValidationError(_("This meeting is not in the device's organization."), code="not_found")
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise ValidationError(_("This member is not invited to the meeting."), code="not_invited")
    att, created = device_sign_in(device=device, meeting=meeting, member=member)
    return DeviceSignin(meeting=meeting, member=member, attendance=att, created=created)
