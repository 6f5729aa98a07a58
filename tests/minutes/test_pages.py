"""The minutes pages: start, edit, sign off, read-only after sign-off, versions, print/PDF, verify."""
from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dangjian.minutes import services
from dangjian.minutes.models import MeetingRecord
from dangjian.orglife.models import Meeting, MeetingStatus

from .conftest import complete, make_meeting

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def form_data(record, **over):
    local = timezone.localtime
    data = {
        "meeting_name": record.meeting_name, "session_label": "", "place": record.place,
        "starts_at": local(record.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": local(record.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "host": record.host_id, "recorder": record.recorder_id, "sitting_in": "镇党委组织委员",
        "agenda": record.agenda, "speeches": "李书记传达上级精神。", "decisions": "同意接收张三为预备党员。",
        "open_items": "", "summary": "会议达到预期目的。",
    }
    for a in record.absentees:
        data[f"reason_{a['member']}"] = a["reason"] or "因病请假"
    data.update(over)
    return data


def test_secretary_records_and_both_sign_off(world, login):
    m = make_meeting(world)
    sec = login(world.users["secretary"])
    r = sec.get(reverse("minutes-meeting", kwargs={"pk": m.pk}), **EN)
    assert r.status_code == 200 and b'data-testid="start-record"' in r.content
    r = sec.post(reverse("minutes-start", kwargs={"pk": m.pk}))
    rec = MeetingRecord.objects.get(meeting=m)
    assert r.status_code == 302 and r["Location"] == reverse("minutes-edit", kwargs={"pk": rec.pk})
    assert sec.get(reverse("minutes-meeting", kwargs={"pk": m.pk}))["Location"] == reverse("minutes-record", kwargs={"pk": rec.pk})
    edit = sec.get(r["Location"], **EN)
    assert edit.status_code == 200 and b'data-testid="should-attend">4<' in edit.content
    r = sec.post(reverse("minutes-edit", kwargs={"pk": rec.pk}), form_data(rec))
    assert r.status_code == 302, r.content[:2000]
    rec.refresh_from_db()
    assert rec.sitting_in == "镇党委组织委员" and {a["name"]: a["reason"] for a in rec.absentees}["钱预备"] == "因病请假"
    page = sec.get(reverse("minutes-record", kwargs={"pk": rec.pk}), **EN)
    assert b'data-testid="sign-record"' in page.content and b'data-testid="record-missing"' not in page.content
    assert sec.post(reverse("minutes-sign", kwargs={"pk": rec.pk})).status_code == 302
    com = login(world.users["committee"], c=type(sec)())
    r = com.post(reverse("minutes-sign", kwargs={"pk": rec.pk}), follow=True, **EN)
    assert b"Both signatures are in" in r.content
    rec.refresh_from_db()
    assert rec.status == "signed" and Meeting.objects.get(pk=m.pk).status == MeetingStatus.RECORDED
    page = com.get(reverse("minutes-record", kwargs={"pk": rec.pk}), **EN)
    assert b'data-testid="content-hash"' in page.content and b'data-testid="sign-record"' not in page.content
    assert b'data-testid="edit-record"' not in page.content and b'data-testid="correct-record"' in page.content


def test_incomplete_record_refused_on_the_page(world, gm, login):
    c = login(world.users["secretary"])
    r = c.post(reverse("minutes-sign", kwargs={"pk": gm.record.pk}), follow=True, **EN)
    assert b"cannot be closed" in r.content and b"decisions" in r.content and b"\xe9\x92\xb1\xe9\xa2\x84\xe5\xa4\x87" in r.content
    gm.record.refresh_from_db()
    assert gm.record.host_signed_at is None


def test_non_signer_cannot_sign(world, gm, login):
    complete(gm.record, world)
    # a town admin has no sign_off right at all
    assert login(world.users["town_admin"]).post(reverse("minutes-sign", kwargs={"pk": gm.record.pk})).status_code == 403
    # a member may sign (a host or recorder can be an ordinary member) but this one is neither
    r = login(world.users["member"]).post(reverse("minutes-sign", kwargs={"pk": gm.record.pk}), follow=True, **EN)
    assert b"Only the host" in r.content
    # secretary is host; make someone else host and recorder: the secretary is refused with a message
    from dangjian.members import services as ms
    from tests.factories import member_data

    other = ms.create_member(actor=None, org=world.b1, data=member_data(name="吴党员"))
    MeetingRecord.objects.filter(pk=gm.record.pk).update(host=other, recorder=other, host_name="吴党员", recorder_name="吴党员")
    r = login(world.users["secretary"]).post(reverse("minutes-sign", kwargs={"pk": gm.record.pk}), follow=True, **EN)
    assert b"Only the host" in r.content
    gm.record.refresh_from_db()
    assert gm.record.host_signed_at is None and gm.record.recorder_signed_at is None


def test_signed_record_edit_post_changes_nothing(world, gm, login):
    rec = complete(gm.record, world)
    services.sign(actor=world.users["secretary"], record=rec)
    rec = services.sign(actor=world.users["committee"], record=rec)
    c = login(world.users["secretary"])
    r = c.post(reverse("minutes-edit", kwargs={"pk": rec.pk}), form_data(rec, decisions="偷偷改掉"), follow=True, **EN)
    assert b"read-only" in r.content
    assert MeetingRecord.objects.get(pk=rec.pk).decisions == "同意接收张三为预备党员。"
    r = c.post(reverse("minutes-vote-add", kwargs={"pk": rec.pk}), {"motion": "x"}, follow=True, **EN)
    assert rec.votes.count() == 0


def test_correction_page_and_version_history(world, gm, login):
    rec = complete(gm.record, world)
    services.sign(actor=world.users["secretary"], record=rec)
    rec = services.sign(actor=world.users["committee"], record=rec)
    c = login(world.users["secretary"])
    r = c.post(reverse("minutes-correct", kwargs={"pk": rec.pk}), {"reason": "决议表述不准确"})
    new = MeetingRecord.objects.get(previous=rec)
    assert r.status_code == 302 and r["Location"] == reverse("minutes-edit", kwargs={"pk": new.pk})
    page = c.get(reverse("minutes-record", kwargs={"pk": new.pk}), **EN)
    assert page.content.count(b"v1") >= 1 and b"v2" in page.content and b"\xe5\x86\xb3\xe8\xae\xae\xe8\xa1\xa8\xe8\xbf\xb0" in page.content
    old = c.get(reverse("minutes-record", kwargs={"pk": rec.pk}), **EN)
    assert old.status_code == 200 and b'data-testid="correct-record"' not in old.content


def test_print_view_and_pdf(world, gm, login):
    rec = complete(gm.record, world)
    services.add_vote(actor=world.users["secretary"], record=rec, data={
        "motion": "接收张三为预备党员", "kind": "admission", "candidate": "张三", "voters_total": 3,
        "voters_present": 2, "yes": 2, "no": 0, "abstain": 0})
    services.sign(actor=world.users["secretary"], record=rec)
    rec = services.sign(actor=world.users["committee"], record=rec)
    c = login(world.users["town_admin"])
    html = c.get(reverse("minutes-print", kwargs={"pk": rec.pk}))
    text = html.content.decode()
    assert html.status_code == 200 and rec.meeting_name in text and "张三" in text and rec.content_hash in text
    assert "李书记" in text and "王委员" in text and "外出务工" in text
    pdf = c.get(reverse("minutes-pdf", kwargs={"pk": rec.pk}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000
    # the PDF's template carries every field (WeasyPrint subsets CJK fonts, so read the HTML)
    from dangjian.minutes.views import _print_context

    body = render_to_string("minutes/record_pdf.html", _print_context(rec))
    for text in (rec.meeting_name, "村党员活动室", "张三", rec.content_hash, "v1", "东村党支部"):
        assert text in body
    # a member of the branch may read the record but not print it (meeting/print)
    assert login(world.users["member"]).get(reverse("minutes-pdf", kwargs={"pk": rec.pk})).status_code == 403


def test_verify_page_reports_tampering(world, gm, login):
    rec = complete(gm.record, world)
    services.sign(actor=world.users["secretary"], record=rec)
    rec = services.sign(actor=world.users["committee"], record=rec)
    c = login(world.users["town_admin"])
    page = c.get(reverse("minutes-verify"), **EN)
    assert page.status_code == 200 and "东村党支部" in page.content.decode()
    r = c.get(reverse("minutes-verify") + f"?org={world.b1.pk}", **EN)
    assert b'data-testid="verify-ok"' in r.content
    MeetingRecord.objects.filter(pk=rec.pk).update(place="别处")
    r = c.get(reverse("minutes-verify") + f"?org={world.b1.pk}", **EN)
    assert b'data-testid="verify-broken"' in r.content and b"changed after sign-off" in r.content
    # another town's admin cannot check this branch
    assert login(world.users["town2_admin"]).get(reverse("minutes-verify") + f"?org={world.b1.pk}").status_code == 404


def test_list_shows_newest_versions(world, gm, login):
    r = login(world.users["committee"]).get(reverse("minutes-list"), **EN)
    assert r.status_code == 200 and r.content.count(b'data-testid="record-row"') == 1
    r = login(world.users["member"]).get(reverse("minutes-list"), **EN)  # a draft is not published to members
    assert r.status_code == 200 and r.content.count(b'data-testid="record-row"') == 0
    r = login(world.users["secretary2"]).get(reverse("minutes-list"), **EN)
    assert r.content.count(b'data-testid="record-row"') == 0 and b"No meeting records yet" in r.content


@pytest.mark.parametrize("bad", ["abc", "999999"])
def test_verify_bad_org_param(world, login, bad):
    assert login(world.users["town_admin"]).get(reverse("minutes-verify") + f"?org={bad}").status_code == 404


def test_record_page_in_chinese(world, gm, login):
    complete(gm.record, world)
    page = login(world.users["secretary"]).get(reverse("minutes-record", kwargs={"pk": gm.record.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    for zh in ("签字确认", "应到/实到", "缺席人员及原因", "版本历史", "未上传签到表"):
        assert zh in text
    for en in ("Sign off", "Version history", "Absentees and reasons"):
        assert en not in text


def test_list_is_paged(world, login):
    for i in range(51):
        services.start_record(actor=world.users["secretary"], meeting=make_meeting(world, attendance=False, title=f"会议{i}"))
    c = login(world.users["secretary"])
    first = c.get(reverse("minutes-list"))
    assert first.content.count(b'data-testid="record-row"') == 50 and b"page=2" in first.content
    assert c.get(reverse("minutes-list") + "?page=2").content.count(b'data-testid="record-row"') == 1
    assert c.get(reverse("minutes-list") + "?page=x").status_code == 200


def test_list_filtered_by_organization(world, gm, login):
    services.start_record(actor=world.users["secretary2"], meeting=make_meeting(world, org=world.b2, attendance=False))
    c = login(world.users["town_admin"])
    assert c.get(reverse("minutes-list")).content.count(b'data-testid="record-row"') == 2
    assert c.get(reverse("minutes-list") + f"?org={world.b2.pk}").content.count(b'data-testid="record-row"') == 1
    assert login(world.users["secretary"]).get(reverse("minutes-list") + f"?org={world.b2.pk}").status_code == 404


def test_pdf_carries_the_photos(world, gm, login):
    """The printed record shows the meeting's photos (scaled down), not just their names."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    rec = complete(gm.record, world)
    buf = io.BytesIO()
    Image.new("RGB", (2400, 1600), (200, 30, 30)).save(buf, format="JPEG")
    services.add_attachment(actor=world.users["secretary"], record=rec, title="会场",
                            upload=SimpleUploadedFile("会场.jpg", buf.getvalue(), content_type="image/jpeg"))
    pdf = login(world.users["secretary"]).get(reverse("minutes-pdf", kwargs={"pk": rec.pk}))
    assert pdf.status_code == 200 and b"/Subtype /Image" in pdf.content
    from dangjian.minutes.selectors import pdf_photos

    photos = pdf_photos(list(rec.attachments.all()))
    assert len(photos) == 1 and photos[0]["uri"].startswith("data:image/jpeg;base64,")
