"""Issue 4's acceptance test, in a real browser: a secretary plans a meeting; two members sign in
by QR code on a phone-sized screen; the secretary records the minutes and signs off with the
recorder; the town admin then sees that branch's cell for the period change from "due" to "done".

Pages used: orglife (plan, open sign-in, venue QR, QR sign-in, end), minutes (start, edit, sign)
and supervision (the branch's completion calendar and the town's overview).
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


SH = ZoneInfo("Asia/Shanghai")


def _local(t: dt.datetime) -> str:
    return t.astimezone(SH).strftime("%Y-%m-%dT%H:%M")


def _scan_and_sign_in(phone, venue, login_as, user):
    """The member 'scans' the code shown at the venue right now (the link under the QR image)."""
    login_as(user, phone)
    link = venue.get_attribute("[data-testid=qr-link]", "href")
    assert link and "/orglife/s/" in link
    phone.goto(link)
    phone.click("[data-testid=signin-confirm]")
    expect(phone.locator("[data-testid=signin-ok]")).to_be_visible()


def test_plan_sign_in_record_then_the_town_sees_done(live_server, page, phone_page, browser, login_as, live_world):
    from dangjian.minutes.models import MeetingRecord
    from dangjian.orglife.models import Attendance, Meeting, MeetingStatus

    w = live_world
    base = live_server.url
    now = dt.datetime.now(SH).replace(second=0, microsecond=0)
    starts = now - dt.timedelta(minutes=5)  # minutes are signed only once the meeting has started
    ends = now + dt.timedelta(minutes=55)
    key = f"{starts.year}-{starts.month:02d}"  # the theme day's monthly period
    cell = f"[data-testid=cell-theme_day-{key}]"

    # -- the town admin sees the branch's month as due --------------------------------------
    town = browser.new_context(base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800})
    town_page = town.new_page()
    login_as(w.users["town_admin"], town_page)
    town_page.goto(f"/supervision/org/{w.b1.pk}/?year={starts.year}")
    expect(town_page.locator(cell)).to_have_attribute("data-status", "due")
    expect(town_page.locator(cell)).to_contain_text("待完成")  # a word beside the colour
    expect(town_page.locator("[data-testid=legend]")).to_be_visible()

    # -- the secretary plans a theme Party day ----------------------------------------------
    sec = page
    login_as(w.users["secretary"], sec)
    sec.goto(f"/orglife/meetings/plan/?org={w.b1.pk}")
    theme = sec.locator("[data-testid=meeting-type] option", has_text="主题党日").get_attribute("value")
    sec.select_option("[data-testid=meeting-type]", theme)
    expect(sec.locator("[data-testid=invitees] input[type=checkbox]:checked")).not_to_have_count(0)
    sec.fill("#id_title", "十一月主题党日：学习党章")
    sec.fill("#id_starts_at", _local(starts))
    sec.fill("#id_ends_at", _local(ends))
    sec.fill("#id_place", "东村党员活动室")
    sec.select_option("#id_host", str(w.m_secretary.pk))
    sec.select_option("#id_recorder", str(w.m_committee.pk))
    sec.fill("#id_agenda", "一、集体学习党章；二、开展志愿服务")
    sec.click("[data-testid=submit]")
    expect(sec.locator("[data-testid=meeting-title]")).to_have_text("十一月主题党日：学习党章")
    meeting = Meeting.objects.get(title="十一月主题党日：学习党章")
    assert meeting.org_id == w.b1.pk and Attendance.objects.filter(meeting=meeting, member=w.m_member).exists()

    # -- sign-in opens; the venue shows the rotating QR code ---------------------------------
    sec.click("[data-testid=open-signin]")
    sec.goto(f"/orglife/meetings/{meeting.pk}/venue/")
    expect(sec.locator("[data-testid=qr]")).to_be_visible()

    # -- two members sign in, each on their own phone ----------------------------------------------
    second = browser.new_context(base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844},
                                 device_scale_factor=3, is_mobile=True, has_touch=True)
    phone2 = second.new_page()
    _scan_and_sign_in(phone_page, sec, login_as, w.users["member"])
    _scan_and_sign_in(phone2, sec, login_as, w.users["committee"])
    expect(sec.locator("[data-testid=venue-present]")).to_have_text("2", timeout=20_000)  # the venue refreshes itself
    assert set(Attendance.objects.filter(meeting=meeting, status="present").values_list("member_id", flat=True)) == {
        w.m_member.pk, w.m_committee.pk}
    assert set(Attendance.objects.filter(meeting=meeting, status="present").values_list("method", flat=True)) == {"qr"}

    # still due: the meeting is not held until its minutes are signed off
    town_page.reload()
    expect(town_page.locator(cell)).to_have_attribute("data-status", "due")

    # -- the secretary ends the meeting and records the minutes ------------------------------
    sec.goto(f"/orglife/meetings/{meeting.pk}/")
    sec.click("[data-testid=close-meeting]")
    sec.goto(f"/minutes/meeting/{meeting.pk}/")
    sec.click("[data-testid=start-record]")
    expect(sec.locator("[data-testid=record-form]")).to_be_visible()
    sec.fill("#id_speeches", "李书记领学党章总纲，党员交流学习体会。")
    sec.fill("#id_decisions", "本月内每名党员完成一次志愿服务。")
    reasons = sec.locator("input[name^=reason_]")
    for i in range(reasons.count()):
        reasons.nth(i).fill("外出务工，事先请假")
    sec.click("[data-testid=save-record]")
    expect(sec.locator("[data-testid=record-missing]")).to_have_count(0)
    sec.click("[data-testid=sign-record]")  # the host signs
    record = MeetingRecord.objects.get(meeting=meeting)
    assert record.host_signed_at is not None and record.status != "signed"

    # -- the recorder signs: the record closes and the meeting is held ------------------------
    rec_ctx = browser.new_context(base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800})
    rec_page = rec_ctx.new_page()
    login_as(w.users["committee"], rec_page)
    rec_page.goto(f"/minutes/record/{record.pk}/")
    rec_page.click("[data-testid=sign-record]")
    expect(rec_page.locator("[data-testid=content-hash]")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.RECORDED

    # -- the town admin sees the cell turn from due to done ------------------------------------
    town_page.reload()
    expect(town_page.locator(cell)).to_have_attribute("data-status", "done")
    expect(town_page.locator(cell)).to_contain_text("已完成")
    expect(town_page.locator(cell)).to_contain_text("十一月主题党日")
    expect(town_page.locator(cell)).to_have_class(re.compile(r"\bsv-done\b"))
    # and in the town's overview the branch counts as done for that month
    town_page.goto(f"/supervision/org/{w.t1.pk}/overview/?year={starts.year}")
    expect(town_page.locator(f"[data-testid=agg-theme_day-{key}]")).to_have_attribute("data-done", "1")

    assert not page.js_errors, page.js_errors
    assert not phone_page.js_errors, phone_page.js_errors
    rec_ctx.close()
    second.close()
    town.close()
