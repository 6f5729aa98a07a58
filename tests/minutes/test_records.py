"""Drafting, closing (sign-off), read-only after sign-off, corrections and the hash chain
(DOMAIN §1.3, §11 "三会一课 & org life")."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from dangjian.core.errors import codes
from dangjian.minutes import services
from dangjian.minutes.models import MeetingRecord, RecordLocked, RecordStatus, Vote
from dangjian.orglife.models import Attendance, Meeting, MeetingStatus

from .conftest import complete, make_meeting


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def sign_both(world, record):
    services.sign(actor=world.users["secretary"], record=record)
    return services.sign(actor=world.users["committee"], record=record)


def test_start_prefills_from_meeting_and_attendance(world, gm):
    r = gm.record
    assert (r.version, r.status, r.meeting_name, r.type_name, r.place) == (1, "draft", gm.meeting.title, "支部党员大会", "村党员活动室")
    assert (r.host_name, r.recorder_name) == ("李书记", "王委员")
    assert (r.should_attend, r.attended) == (4, 2)
    assert "李书记" in r.present_names and "王委员" in r.present_names
    absent = {a["name"]: (a["status"], a["reason"]) for a in r.absentees}
    assert absent == {"赵党员": ("leave", "外出务工"), "钱预备": ("absent", "")}
    # starting again returns the same record, no second chain
    assert services.start_record(actor=world.users["secretary"], meeting=gm.meeting).pk == r.pk


def test_cancelled_meeting_has_no_minutes(world):
    m = make_meeting(world, status="cancelled")
    with pytest.raises(ValidationError) as exc:
        services.start_record(actor=world.users["secretary"], meeting=m)
    assert exc.value.code == "cancelled"
    assert not MeetingRecord.objects.filter(meeting=m).exists()


BLOCK_FIELDS = {
    "place": ({"place": ""}, "place"),
    "host": ({"host": None}, "host"),
    "recorder": ({"recorder": None}, "recorder"),
    "agenda": ({"agenda": ""}, "agenda"),
    "decisions": ({"decisions": ""}, "decisions"),
}


@pytest.mark.parametrize("key", list(BLOCK_FIELDS))
def test_closing_blocked_by_each_missing_field(world, gm, key):
    data, _label = BLOCK_FIELDS[key]
    r = complete(gm.record, world)
    if key in ("host", "recorder"):  # the other signer must still be able to try
        data = data
    r = services.update_record(actor=world.users["secretary"], record=r, data=data)
    signer = world.users["committee"] if key == "host" else world.users["secretary"]
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=signer, record=r)
    assert exc.value.code == "incomplete" and exc.value.params["missing"] == [key]
    r.refresh_from_db()
    assert r.host_signed_at is None and r.recorder_signed_at is None and r.status == "draft"
    assert Meeting.objects.get(pk=gm.meeting.pk).status == MeetingStatus.OPEN  # nothing written


def test_closing_blocked_by_type_and_time(world, gm):
    r = complete(gm.record, world)
    MeetingRecord.objects.filter(pk=r.pk).update(type_name="", starts_at=None)
    r.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=world.users["secretary"], record=r)
    assert exc.value.params["missing"] == ["type", "time"]


def test_closing_blocked_without_attendance(world):
    m = make_meeting(world, attendance=False)
    r = services.start_record(actor=world.users["secretary"], meeting=m)
    r = complete(r, world)
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=world.users["secretary"], record=r)
    assert exc.value.params["missing"] == ["attendance"]


def test_all_missing_fields_in_one_message(world, gm):
    r = services.update_record(actor=world.users["secretary"], record=gm.record, data={"place": "", "agenda": "", "decisions": ""})
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=world.users["secretary"], record=r)
    assert exc.value.params["missing"] == ["place", "absentees", "agenda", "decisions"]
    msg = exc.value.messages[0]
    assert len(exc.value.messages) == 1 and "钱预备" in msg and "place" in msg and "decisions" in msg


def test_absentee_without_reason_blocks_and_recorder_fills_it(world, gm):
    r = services.update_record(actor=world.users["secretary"], record=gm.record, data={"decisions": "通过"})
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=world.users["secretary"], record=r)
    assert exc.value.params["missing"] == ["absentees"] and "钱预备" in exc.value.messages[0]
    r = services.update_record(actor=world.users["committee"], record=r, data={},
                               absentee_reasons={world.m_probationary.pk: "住院治疗"})
    assert {a["name"]: a["reason"] for a in r.absentees}["钱预备"] == "住院治疗"
    services.sign(actor=world.users["secretary"], record=r)


def test_meeting_must_have_started(world):
    m = make_meeting(world, days_ago=-1, status="planned")
    r = complete(services.start_record(actor=world.users["secretary"], meeting=m), world)
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=world.users["secretary"], record=r)
    assert exc.value.code == "not_started"


def test_only_host_and_recorder_sign(world, gm):
    r = complete(gm.record, world)
    from django.contrib.auth import get_user_model

    with pytest.raises(PermissionDenied, match="Only the host"):  # in scope, but neither host nor recorder
        services.sign(actor=world.users["member"], record=r)
    for name in ("town_admin", "secretary2"):  # no sign_off row here: refused before the domain rule
        with pytest.raises(PermissionDenied) as exc:
            services.sign(actor=world.users[name], record=r)
        assert exc.value.code == "not_permitted"
    r.refresh_from_db()
    assert r.host_signed_at is None and r.recorder_signed_at is None
    assert get_user_model().objects.count() > 0


def test_both_signatures_close_record_and_meeting(world, gm):
    r = complete(gm.record, world)
    # a member still only invited becomes absent when the meeting is closed
    Attendance.objects.filter(meeting=gm.meeting, member=world.m_probationary).update(status="invited")
    r = services.sign(actor=world.users["secretary"], record=r)
    assert r.status == "draft" and r.host_signed_at and not r.recorder_signed_at
    meeting = Meeting.objects.get(pk=gm.meeting.pk)
    assert meeting.status == MeetingStatus.CLOSED  # orglife's close ended sign-in at the first signature
    assert Attendance.objects.get(meeting=meeting, member=world.m_probationary).status == "absent"
    with pytest.raises(ValidationError) as exc:
        services.sign(actor=world.users["secretary"], record=r)
    assert exc.value.code == "already_signed"
    r = services.sign(actor=world.users["committee"], record=r)
    assert r.status == RecordStatus.SIGNED and r.signed_at and len(r.content_hash) == 64
    assert r.prev_hash == "0" * 64 and r.chain_seq == 1
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.RECORDED and meeting.closed_at is not None and meeting.held
    from dangjian.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="minutes.close", object_id=str(r.pk)).exists()


def test_same_person_host_and_recorder_signs_once(world):
    m = make_meeting(world)
    Meeting.objects.filter(pk=m.pk).update(recorder=world.m_secretary)
    m.refresh_from_db()
    r = complete(services.start_record(actor=world.users["secretary"], meeting=m), world)
    r = services.sign(actor=world.users["secretary"], record=r)
    assert r.status == "signed"


def test_edit_after_one_signature_removes_it(world, gm):
    r = services.sign(actor=world.users["secretary"], record=complete(gm.record, world))
    r = services.update_record(actor=world.users["committee"], record=r, data={"summary": "会议圆满完成"})
    assert r.host_signed_at is None and r.status == "draft"


def test_signed_record_is_read_only(world, gm):
    r = sign_both(world, complete(gm.record, world))
    with pytest.raises(RecordLocked):
        services.update_record(actor=world.users["secretary"], record=r, data={"decisions": "改写"})
    with pytest.raises(RecordLocked):
        services.add_vote(actor=world.users["secretary"], record=r, data={"motion": "x", "voters_total": 3, "voters_present": 3, "yes": 3, "no": 0, "abstain": 0})
    # the model refuses too (defence in depth)
    r.decisions = "改写"
    with pytest.raises(RecordLocked):
        r.save()
    with pytest.raises(RecordLocked):
        MeetingRecord.objects.get(pk=r.pk).delete()
    assert MeetingRecord.objects.get(pk=r.pk).decisions == "同意接收张三为预备党员。"


def test_correction_is_a_new_linked_version(world, gm):
    r1 = sign_both(world, complete(gm.record, world))
    with pytest.raises(ValidationError) as exc:
        services.correct(actor=world.users["secretary"], record=r1, reason="")
    assert codes(exc.value) == ["no_reason"]
    r2 = services.correct(actor=world.users["secretary"], record=r1, reason="决议文字有误")
    assert (r2.version, r2.previous_id, r2.status) == (2, r1.pk, "draft")
    assert r2.decisions == r1.decisions and r2.absentees == r1.absentees
    with pytest.raises(ValidationError) as exc:
        services.correct(actor=world.users["secretary"], record=r1, reason="again")
    assert exc.value.code == "has_correction"
    r2 = services.update_record(actor=world.users["secretary"], record=r2, data={"decisions": "同意接收张三同志为预备党员。"})
    r1.refresh_from_db()
    assert r1.decisions == "同意接收张三为预备党员。" and not r1.superseded
    r2 = sign_both(world, r2)
    r1.refresh_from_db()
    assert r1.superseded and r1.status == "signed"
    assert r2.prev_hash == r1.content_hash and r2.chain_seq == 2
    assert services.verify_chain(world.b1).ok


def test_correction_of_a_draft_refused(world, gm):
    with pytest.raises(ValidationError) as exc:
        services.correct(actor=world.users["secretary"], record=gm.record, reason="x")
    assert exc.value.code == "not_signed"


def _two_signed(world, gm):
    r1 = sign_both(world, complete(gm.record, world))
    services.add_vote  # noqa: B018
    m2 = make_meeting(world, days_ago=1, title="第二次党员大会")
    r2 = complete(services.start_record(actor=world.users["secretary"], meeting=m2), world)
    services.add_vote(actor=world.users["secretary"], record=r2, data={
        "motion": "通过年度计划", "voters_total": 3, "voters_present": 2, "yes": 2, "no": 0, "abstain": 0})
    r2 = sign_both(world, r2)
    return r1, r2


def test_chain_links_records_of_the_same_organization(world, gm):
    r1, r2 = _two_signed(world, gm)
    assert r2.prev_hash == r1.content_hash
    other = make_meeting(world, org=world.b2, attendance=False)
    assert services.verify_chain(world.b2).checked == 0 and other
    res = services.verify_chain(world.b1, actor=world.users["town_admin"])
    assert res.ok and res.checked == 2 and res.head == r2.content_hash


@pytest.mark.parametrize("tamper", ["record", "vote", "unsign"])
def test_tampering_is_detected(world, gm, tamper):
    r1, r2 = _two_signed(world, gm)
    if tamper == "record":
        MeetingRecord.objects.filter(pk=r1.pk).update(decisions="被篡改的决议")
        broken = r1
    elif tamper == "vote":
        Vote.objects.filter(record=r2).update(yes=1, no=1)
        broken = r2
    else:
        MeetingRecord.objects.filter(pk=r1.pk).update(status="draft")
        broken = r1
    res = services.verify_chain(world.b1)
    assert not res.ok and res.broken.pk == broken.pk and res.reason


def test_time_frozen_sign_off_sets_times(world):
    from zoneinfo import ZoneInfo

    import time_machine

    at = dt.datetime(2026, 10, 31, 21, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(at, tick=False):
        m = make_meeting(world, days_ago=0)
        Meeting.objects.filter(pk=m.pk).update(starts_at=at - dt.timedelta(hours=3), ends_at=at - dt.timedelta(hours=1))
        r = complete(services.start_record(actor=world.users["secretary"], meeting=m), world)
        r = sign_both(world, r)
        assert r.signed_at == timezone.now() == r.host_signed_at


def test_planned_meeting_is_closed_by_orglife_at_first_signature(world):
    m = make_meeting(world, status="planned")
    r = complete(services.start_record(actor=world.users["secretary"], meeting=m), world)
    services.sign(actor=world.users["secretary"], record=r)
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.CLOSED
    from dangjian.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="orglife.meeting_close", object_id=str(m.pk)).exists()
    services.sign(actor=world.users["committee"], record=r)
    assert Meeting.objects.get(pk=m.pk).status == MeetingStatus.RECORDED


def test_votes_and_attachments_of_a_signed_record_refuse_changes(world, gm):
    from django.core.files.base import ContentFile

    from dangjian.minutes.models import Attachment

    r = complete(gm.record, world)
    v = services.add_vote(actor=world.users["secretary"], record=r, data={
        "motion": "通过", "voters_total": 3, "voters_present": 3, "yes": 3, "no": 0, "abstain": 0})
    r = sign_both(world, r)
    with pytest.raises(RecordLocked):
        Vote.objects.create(record=r, org_path=r.org_path, motion="后补", voters_total=3, voters_present=3, yes=3, no=0, abstain=0)
    v.yes = 2
    with pytest.raises(RecordLocked):
        v.save()
    with pytest.raises(RecordLocked):
        v.delete()
    a = Attachment(record=r, org_path=r.org_path, original_name="x.pdf", content_type="application/pdf", size=1, sha256="0" * 64)
    a.file.save("x.pdf", ContentFile(b"%PDF-"), save=False)
    with pytest.raises(RecordLocked):
        a.save()
    assert Vote.objects.get(pk=v.pk).yes == 3 and not Attachment.objects.exists()
    assert services.verify_chain(world.b1).ok


def test_correction_hash_binds_the_corrected_version(world, gm):
    r1 = sign_both(world, complete(gm.record, world))
    r2 = sign_both(world, services.correct(actor=world.users["secretary"], record=r1, reason="补充发言"))
    assert f'"previous_hash":"{r1.content_hash}"' in services.canonical(r2)
    MeetingRecord.objects.filter(pk=r1.pk).update(content_hash="f" * 64)
    res = services.verify_chain(world.b1)
    assert not res.ok and res.broken.pk == r1.pk


def test_changed_attendance_removes_a_given_signature(world, gm):
    r = services.sign(actor=world.users["secretary"], record=complete(gm.record, world))
    r = services.update_record(actor=world.users["committee"], record=r, data={})
    assert r.host_signed_at is not None  # nothing changed: the signature stays
    Attendance.objects.filter(meeting=gm.meeting, member=world.m_probationary).update(status="present")
    r = services.update_record(actor=world.users["committee"], record=r, data={})
    assert r.host_signed_at is None and r.attended == 3
