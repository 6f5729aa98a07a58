"""Browser: the secretary records the minutes of a held 支部党员大会, uploads a photo, signs as
host; the committee member signs as recorder; the record is read-only and the meeting held."""
from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_record_and_sign_off(live_server, page, live_world, login_as, tmp_path):
    from PIL import Image

    from dangjian.minutes.models import MeetingRecord
    from dangjian.orglife.models import Meeting
    from tests.minutes.conftest import make_meeting

    w = live_world
    m = make_meeting(w)
    login_as(w.users["secretary"], page)
    page.goto(f"/minutes/meeting/{m.pk}/")
    page.click("[data-testid=start-record]")
    expect(page.locator("[data-testid=should-attend]")).to_have_text("4")
    expect(page.locator("[data-testid=attended]")).to_have_text("2")
    page.fill("#id_decisions", "同意接收张三为预备党员，报镇党委审批。")
    page.fill(f"#id_reason_{w.m_probationary.pk}", "住院治疗")
    page.click("[data-testid=save-record]")
    expect(page.locator("[data-testid=record-title]")).to_contain_text(m.title)
    expect(page.locator("[data-testid=record-warnings]")).to_be_visible()  # [warn] no sign-in sheet / photo

    photo = tmp_path / "现场.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), (200, 20, 20)).save(buf, format="JPEG")
    photo.write_bytes(buf.getvalue())
    page.click("[data-testid=add-attachment]")
    page.set_input_files("#id_file", str(photo))
    page.click("[data-testid=upload-form] button[type=submit]")
    expect(page.locator("[data-testid=attachment-row]")).to_have_count(1)

    page.click("[data-testid=sign-record]")
    expect(page.locator("[data-testid=signatures]")).to_contain_text("✔")
    expect(page.locator("[data-testid=sign-record]")).to_have_count(0)

    page.context.clear_cookies()
    login_as(w.users["committee"], page)
    rec = MeetingRecord.objects.get(meeting=m)
    page.goto(f"/minutes/record/{rec.pk}/")
    page.click("[data-testid=sign-record]")
    expect(page.locator("[data-testid=content-hash]")).to_be_visible()
    expect(page.locator("[data-testid=edit-record]")).to_have_count(0)
    assert Meeting.objects.get(pk=m.pk).status == "recorded"
    page.goto(f"/minutes/record/{rec.pk}/print/")
    expect(page.locator("[data-testid=print-view]")).to_contain_text("同意接收张三为预备党员")
    expect(page.locator("[data-testid=print-button]")).to_be_visible()
    assert not [e for e in page.js_errors if "favicon" not in e]


def test_town_admin_sees_the_quarter_turn_done(live_server, page, live_world, login_as):
    """Issue 4: once host and recorder have signed, the branch's cell for the period changes from
    "due" to "done" on the town admin's calendar (supervision counts RECORDED meetings)."""
    from django.utils import timezone

    from dangjian.minutes import services
    from tests.minutes.conftest import complete, make_meeting

    w = live_world
    m = make_meeting(w, days_ago=0)
    local = timezone.localtime(m.starts_at)
    cell = f"[data-testid=cell-general_meeting-{local.year}-Q{(local.month - 1) // 3 + 1}]"
    login_as(w.users["town_admin"], page)
    page.goto(f"/supervision/org/{w.b1.pk}/?year={local.year}")
    expect(page.locator(cell)).to_have_attribute("data-status", "due")

    rec = complete(services.start_record(actor=w.users["secretary"], meeting=m), w)
    services.sign(actor=w.users["secretary"], record=rec)
    services.sign(actor=w.users["committee"], record=rec)
    page.reload()
    expect(page.locator(cell)).to_have_attribute("data-status", "done")
