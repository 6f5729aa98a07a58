"""A member who does not come (LeaveRequest, and the 补课 on the Attendance row): leave asked for
before the meeting and decided by the secretary, make-up study recorded after it.

Rules: DOMAIN §1.1 "absentees must ask for leave beforehand and make up"; an approved leave keeps
its reason for the record's "absentees with reasons" (DOMAIN §1.3); the 补课 earns the
``makeup`` points of the rule table once (local practice)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.errors import collected, refusal
from dangjian.core.models import OrgKind, Role
from dangjian.notify.api import RoleIn, notify

from ..models import Attendance, LeaveRequest, LeaveStatus, MakeupHow, Meeting, MeetingStatus, PointsEntry
from ._common import S, _notice_context
from .points import points_rules


def managers_of(meeting: Meeting) -> list:
    """Who handles a meeting's leave requests: the secretaries of its organization (and of the
    branch above a Party group) and whoever planned it."""
    out: list = [RoleIn(meeting.org, Role.SECRETARY)]
    if meeting.org.kind == OrgKind.PARTY_GROUP and meeting.org.parent_id:
        out.append(RoleIn(meeting.org.parent, Role.SECRETARY))
    if meeting.created_by_id:
        out.append(meeting.created_by)
    return out


# -- make-up study (补课) -------------------------------------------------------------------------

def record_makeup(*, actor, attendance: Attendance, on: dt.date, how: str, note: str) -> Attendance:
    """Record that a member who was absent or on leave made up the meeting (补课; DOMAIN §1.1:
    "absentees must ask for leave beforehand and make up" — local practice). The attendance itself
    stays as it was (应到/实到 and the minutes do not change); the 补课 is shown beside it, in the
    member's file, and earns the ``makeup`` points of the rule table once. Only after the meeting
    ended, dated between the meeting day and today, once per row."""
    policy.authorize(actor, "attendance", "manage", attendance)
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
    policy.authorize_self(actor, attendance.member)
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
    policy.authorize(actor, "meeting", "manage", leave)
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
