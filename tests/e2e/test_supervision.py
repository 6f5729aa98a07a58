"""Browser: a county admin drills from the overview to a branch's calendar, switches the year,
publishes a bulletin with the button and downloads it; a secretary reads the calendar on a phone."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


SH = ZoneInfo("Asia/Shanghai")


def _meeting(org, code, when, attendance=None):
    from dangjian.orglife.models import Attendance, Meeting, MeetingType

    m = Meeting.objects.create(org=org, org_path=org.path, type=MeetingType.objects.get(owner_path="", code=code),
                               title=f"{code} {when:%m-%d}", starts_at=when, ends_at=when + dt.timedelta(hours=1),
                               place="活动室", status="recorded")
    for member, st in (attendance or {}).items():
        Attendance.objects.create(meeting=m, member=member, org_path=org.path, status=st)
    return m


def test_overview_drill_down_calendar_and_bulletin(live_server, page, login_as, live_world):
    w = live_world
    today = dt.datetime.now(SH)
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=10, hour=9, minute=0, second=0, microsecond=0)
    _meeting(w.b1, "theme_day", last, {w.m_secretary: "present", w.m_member: "present"})
    key = f"{last.year}-{last.month:02d}"

    login_as(w.users["county_admin"], page)
    page.goto(f"/supervision/org/{w.county.pk}/overview/?year={last.year}")
    cell = page.locator(f"[data-testid=agg-theme_day-{key}]")
    expect(cell).to_have_attribute("data-done", "1")
    expect(cell).to_have_attribute("data-overdue", "2")
    cell.locator("a.sv-overdue").click()  # drill down: the two branches that did not hold it
    expect(page.locator("[data-testid=drill-row]")).to_have_count(2)
    expect(page.locator("[data-testid=drill-list]")).to_contain_text(w.b2.name)
    page.locator("[data-testid=drill-row] a", has_text=w.b2.name).click()
    expect(page.locator("[data-testid=sv-org-name]")).to_have_text(w.b2.name)
    expect(page.locator(f"[data-testid=cell-theme_day-{key}]")).to_have_attribute("data-status", "overdue")
    page.select_option("#sv-year", str(last.year - 1))  # the select submits itself (app.js, no inline JS)
    expect(page.locator("[data-testid=calendar]")).to_have_attribute("data-year", str(last.year - 1))

    # the town's lists and the bulletin button
    page.goto(f"/supervision/org/{w.t1.pk}/lists/?list=no_life&month={key}")
    expect(page.locator("[data-testid=list-row]")).to_have_count(1)
    expect(page.locator("[data-testid=list-table]")).to_contain_text(w.b2.name)
    page.click("[data-testid=tab-bulletins]")
    page.click("[data-testid=generate]")
    expect(page.locator("[data-testid=bulletin-title]")).to_contain_text(key)
    expect(page.locator("[data-testid=bulletin-line]")).to_have_count(2)
    expect(page.locator("[data-testid=bulletin-line][data-grade=D]")).to_contain_text(w.b2.name)
    with page.expect_download() as dl:
        page.click("[data-testid=export-xlsx]")
    assert dl.value.suggested_filename.endswith(".xlsx")
    assert not page.js_errors, page.js_errors


def test_secretary_reads_the_calendar_on_a_phone(live_server, phone_page, login_as, live_world):
    w = live_world
    login_as(w.users["secretary"], phone_page)
    phone_page.goto("/supervision/")
    expect(phone_page.locator("[data-testid=calendar]")).to_be_visible()
    expect(phone_page.locator("[data-testid=legend-done]")).to_contain_text("已完成")
    expect(phone_page.locator("[data-testid=tab-bulletins]")).to_be_visible()
    assert not phone_page.js_errors, phone_page.js_errors
