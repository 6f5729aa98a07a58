"""Votes (Vote) of a 支部党员大会 recorded in a draft (DOMAIN §1.2 and §11 "Votes & elections",
via the pure functions of ``quorum.py``): no vote when present voters ≤ ½; passes only with
yes > ½ of 应到 voting full members; written opinions of absent voters counted in
admission/conversion votes; one candidate per vote; probationary members have no vote."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit, policy
from dangjian.core.errors import collected
from dangjian.members import api as member_services
from dangjian.members.api import MemberStatus
from dangjian.orglife.api import PRESENT_STATUSES, Attendance, AttendanceStatus, Meeting

from .. import quorum
from ..models import MeetingRecord, Vote, VoteKind
from ._common import _require_draft, _touch


def vote_defaults(meeting: Meeting) -> dict:
    """应到 / 实到 voters: invited FULL members not exempt, and those of them present. Probationary
    members have no vote, nor members under 留党察看 or 留置 on the meeting day (党章 art. 40;
    选举工作条例 art. 5; DOMAIN §1.2), nor flowing members of other branches taking part here
    (their vote belongs to their home branch; 教育管理条例 art. 32)."""
    full = (Attendance.objects.filter(meeting=meeting, member__status=MemberStatus.FULL,
                                      member__org_path__startswith=meeting.org_path)
            .exclude(status=AttendanceStatus.EXEMPT))
    restricted = member_services.restricted_ids(full.values_list("member_id", flat=True),
                                                timezone.localtime(meeting.starts_at).date())
    full = full.exclude(member_id__in=restricted)
    return {"voters_total": full.count(), "voters_present": full.filter(status__in=PRESENT_STATUSES).count()}


VOTE_MESSAGES = {  # lazy: translated when shown, in the request's language
    "no_quorum": gettext_lazy("No vote: the voting members present (%(present)s) are not more than half of the %(total)s voting members who should attend (支部工作条例 art. 11)."),
    "counts_inconsistent": gettext_lazy("The counts do not add up: yes + no + abstain may not exceed the voters present, and voters present plus written opinions may not exceed the voting members who should attend."),
}


def add_vote(*, actor, record: MeetingRecord, data: dict) -> Vote:
    """Record one vote of a 支部党员大会 (DOMAIN §1.2, §11 "Votes & elections"; quorum.check_vote).

    [block] no quorum (present ≤ ½ of 应到 voters) or inconsistent counts: refused, nothing written.
    The result (passed / not passed) is computed: yes (+ written yes for admission/conversion)
    > ½ of 应到. Written opinions count only in admission/conversion votes, one candidate per vote.
    Voters are full members: 应到 is exactly the invited full members with voting rights who are not
    exempt (``vote_defaults``) — a smaller typed number would make the quorum easier."""
    policy.authorize(actor, "meeting", "record", record)
    with transaction.atomic():
        record = _require_draft(record)
        meeting = record.meeting
        if not meeting.type.voting:
            raise ValidationError(_("Meetings of type “%(type)s” take no votes; votes belong to a branch general meeting.") % {"type": meeting.type.name}, code="no_voting")
        kind = data.get("kind") or VoteKind.ORDINARY
        motion = (data.get("motion") or "").strip()
        candidate = (data.get("candidate") or "").strip()
        n = {k: int(data.get(k) or 0) for k in ("voters_total", "voters_present", "yes", "no", "abstain", "written_yes", "written_total")}
        errors = {}
        if not motion:
            errors["motion"] = ValidationError(_("Enter the motion that was voted on."), code="no_motion")
        if kind in (VoteKind.ADMISSION, VoteKind.CONVERSION) and not candidate:
            errors["candidate"] = ValidationError(_("Admission and conversion are voted one candidate at a time: enter the candidate."),
                                                code="no_candidate")
        if kind == VoteKind.ORDINARY and (n["written_total"] or n["written_yes"]):
            errors["written_total"] = ValidationError(_("Written opinions of absent members count only in admission and conversion votes."),
                                                    code="written_not_allowed")
        if n["voters_total"] <= 0:
            errors["voters_total"] = ValidationError(_("Enter the number of voting members who should attend."), code="no_voters_total")
        if errors:
            raise collected(errors)
        defaults = vote_defaults(meeting)
        if defaults["voters_total"] and n["voters_total"] != defaults["voters_total"]:
            raise ValidationError({"voters_total": ValidationError(_(
                "应到 is %(n)s: the invited full members with voting rights who are not exempt. Probationary members, "
                "members under 留党察看 and exempt members have no vote here; nobody else may be left out."
            ), code="wrong_voters_total", params={"n": defaults["voters_total"]})})
        check = quorum.check_vote(**n)
        if check.code in VOTE_MESSAGES:
            raise ValidationError(str(VOTE_MESSAGES[check.code]) % {"present": n["voters_present"], "total": n["voters_total"]}, code=check.code)
        vote = Vote.objects.create(
            record=record, motion=motion[:300], kind=kind, candidate=candidate[:100],
            passed=check.passed, result_code=check.code, rule_version=quorum.RULE_VERSION,
            created_by=actor if getattr(actor, "pk", None) else None, **n,
        )
        _touch(record)
        audit.record(actor=actor, action="minutes.vote_add", obj=vote,
                     data={"record": record.pk, "kind": kind, "passed": check.passed, "code": check.code, **n})
    return vote


def delete_vote(*, actor, vote: Vote) -> None:
    """Remove a vote from a draft record (a signed record is read-only)."""
    policy.authorize(actor, "meeting", "record", vote)
    with transaction.atomic():
        record = _require_draft(vote.record)
        audit.record(actor=actor, action="minutes.vote_delete", obj=vote, data={"record": record.pk, "motion": vote.motion})
        vote.delete()
        _touch(record)
