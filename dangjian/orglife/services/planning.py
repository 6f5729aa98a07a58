"""Planning a meeting (Meeting before it is held): plan, edit and cancel, with the invitations and
the reminder before the start.

Rules: DOMAIN §1.1 "participants" (who a meeting type is for; more people may be invited, never
fewer), the 党课 lecturer (§1.1), exempt members invited as EXEMPT (教育管理条例 art. 23), and
DOMAIN §11 [remind] (the reminder, sent once)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dangjian.core import audit, config, policy
from dangjian.core.errors import collected, refusal
from dangjian.core.models import Organization, OrgKind, OrgStatus
from dangjian.members.api import Member
from dangjian.notify.api import notify

from .. import selectors
from ..models import Attendance, Audience, ExemptionBasis, Meeting, MeetingStatus, MeetingType
from ._common import S, _notice_context

MAX_MEETING_HOURS = 12


def reminder_minutes() -> int:
    """[cfg] how long before the start the reminder goes out (DOMAIN §11 [remind]; default 120)."""
    return int(config.value("ORGLIFE_REMINDER_MINUTES", 120))


def _invited_members(meeting: Meeting, statuses=(S.INVITED,)) -> list[Member]:
    return list(Member.objects.filter(attendance__meeting=meeting, attendance__status__in=list(statuses)))


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


def plan_meeting(*, actor, org: Organization, meeting_type: MeetingType, title: str, starts_at, ends_at, place: str,
                 host: Member, recorder: Member, agenda: str, invitees: list[Member], lecturer: Member | None = None) -> Meeting:
    """Plan a meeting and invite members (DOMAIN §1.1 "participants": 支部党员大会 and 党课 all
    members, 支委会 the committee, 党小组会 the group's members; the planner may adjust).

    Members exempt by rule on the meeting day (教育管理条例 art. 23) are invited as EXEMPT, out of
    the denominator. Invitees get the notice in the inbox and by SMS; a meeting starting within
    the reminder lead time counts as reminded by this notice."""
    policy.authorize(actor, "meeting", "plan", org)
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
    policy.authorize(actor, "meeting", "plan", meeting)
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
    policy.authorize(actor, "meeting", "plan", meeting)
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
