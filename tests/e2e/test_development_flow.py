"""Browser: a development case from application to full member, over 2½ years of moved clock.

How the clock moves (the robust way): the live server runs in a thread of this test process, so
``time_machine.travel(..., tick=True)`` moves *its* clock too (time_machine patches the C-level
time functions process-wide). Every step is entered on the day it happens, "today" on the
server, exactly as a secretary would. Each jump goes **forward** from the real date (so the
cookies the server sets never look expired to the browser, whose clock is real), and the
persona signs in again after each jump (a fresh session: the absolute/idle session limits are
measured on the moved clock). Entering past dates on a real clock would also pass the rules,
but would not exercise "today": the future-date refusal, the due/overdue alerts and the
default dates of the forms.

Years after 2026 are outside the bundled national holiday calendar (chinesecalendar 1.11), so
the publicity windows there count Monday–Friday (DOMAIN §11: "weekdays only = provisional").
"""
from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from dangjian.development.models import DevelopmentCase
from dangjian.development.rules import STEP_BY_CODE
from dangjian.members.models import Member
from tests.factories import make_id_number

pytestmark = pytest.mark.e2e
SH = ZoneInfo("Asia/Shanghai")
D = dt.date

# step -> the day it happens (each one "today" when entered)
PLAN = {
    2: D(2026, 12, 28), 3: D(2027, 1, 5), 4: D(2027, 1, 5), 5: D(2027, 1, 6), 6: D(2028, 1, 3),
    7: D(2028, 1, 13), 8: D(2028, 1, 13), 9: D(2028, 1, 14), 10: D(2028, 2, 1), 11: D(2028, 2, 10), 12: D(2028, 3, 1),
    13: D(2028, 3, 6), 14: D(2028, 3, 8), 15: D(2028, 3, 15), 16: D(2028, 3, 20), 17: D(2028, 3, 25), 18: D(2028, 3, 26),
    19: D(2028, 3, 27), 20: D(2028, 4, 1), 21: D(2028, 10, 9), 22: D(2029, 3, 5), 23: D(2029, 3, 15), 24: D(2029, 3, 20),
    25: D(2029, 3, 22),
}
PUBLICITY = {"object": D(2028, 1, 6), "admission": D(2028, 3, 8), "conversion": D(2029, 3, 6)}  # → 5 working days each


class Clock:
    def __init__(self):
        self.t = None

    def go(self, day: dt.date):
        if self.t is not None:
            self.t.stop()
        self.t = time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=SH), tick=True)
        self.t.start()

    def stop(self):
        if self.t is not None:
            self.t.stop()
            self.t = None


@pytest.fixture
def clock():
    c = Clock()
    yield c
    c.stop()


def _fill_step(page, code: int, day: dt.date):
    page.fill("#id_date", day.isoformat())
    for box in page.locator("[data-testid=field-documents] input[type=checkbox]").all():
        box.check()
    if code == 5:
        page.locator("input[name=contacts]").first.check()
    if code == 9:
        boxes = page.locator("input[name=introducers]")
        boxes.nth(0).check()
        boxes.nth(1).check()
    if code in (10, 13):
        page.select_option("#id_conclusion", "passed")
    if code == 11:
        page.fill("#id_training_days", "3")
        page.fill("#id_training_hours", "24")
    if code in (15, 23):
        # b1's roll: 4 full members with a vote (钱预备 is probationary: no vote)
        for name, value in (("voters_total", "4"), ("voters_present", "4"), ("yes", "4")):
            page.fill(f"#id_{name}", value)
    if code == 25:
        for box in page.locator("input[name=archive]").all():
            box.check()


def test_application_to_full_member(live_server, page, live_world, login_as, clock):
    w = live_world
    sec, town = w.users["secretary"], w.users["town_admin"]
    birth = D(2000, 1, 1)
    idn = make_id_number(birth, "F")

    # 1. application received (Tue 1 Dec 2026)
    clock.go(D(2026, 12, 1))
    login_as(sec, page)
    page.goto(f"/development/cases/add/?org={w.b1.pk}")
    page.fill("#id_name", "陈发展")
    page.select_option("#id_gender", "F")
    page.fill("#id_birth_date", birth.isoformat())
    page.select_option("#id_education", "bachelor")
    page.fill("#id_id_number", idn)
    page.fill("#id_phone", "13912340000")
    expect(page.locator("#id_application_date")).to_have_value("2026-12-01")  # "today" on the moved clock
    page.click("[data-testid=submit]")
    page.wait_for_url(re.compile(r"/development/cases/\d+/$"))
    case = DevelopmentCase.objects.get(name="陈发展")
    detail = f"/development/cases/{case.pk}/"
    assert idn not in page.content() and page.inner_text("[data-testid=id-number]") == idn[:4] + "*" * 14

    # the talk is due within a month (by 1 Jan): a warning shows in the last week (red after)
    clock.go(D(2026, 12, 26))
    login_as(sec, page)
    page.goto(detail)
    expect(page.locator("[data-testid=alert-talk_1m]")).to_have_attribute("data-severity", "warn")

    for code in range(2, 26):
        day = PLAN[code]
        clock.go(day)
        user = town if STEP_BY_CODE[code].needs_approve else sec
        login_as(user, page)
        for point, start in PUBLICITY.items():
            before = {"object": 7, "admission": 15, "conversion": 23}[point]
            if code == before:
                # the decision is refused while no publicity has run …
                if point == "object":
                    clock.go(start)
                    login_as(sec, page)
                    page.goto(f"{detail}step/")
                    page.fill("#id_date", start.isoformat())
                    page.click("[data-testid=submit-step]")
                    expect(page.locator("[data-testid=error-date]")).to_contain_text("publicity_object")
                # … then the secretary starts it (5 working days) and waits for it to end
                clock.go(start)
                login_as(sec, page)
                page.goto(detail)
                page.click("[data-testid=start-publicity]")
                page.fill("#id_starts_on", start.isoformat())
                page.click("[data-testid=submit]")
                page.wait_for_url(re.compile(rf"{detail}$"))
                # the window starts only when the notice is public: the secretary publishes it
                expect(page.locator("[data-testid=publicity-unpublished]")).to_be_visible()
                page.locator("[data-testid=publicity-notice-link]").last.click()
                page.click("[data-testid=approve-notice]")
                page.goto(detail)
                expect(page.locator("[data-testid=publicity-unpublished]")).to_have_count(0)
                clock.go(day)
                login_as(user, page)
        page.goto(f"{detail}step/")
        expect(page.locator("[data-testid=step-title]")).to_contain_text(f"{code}")
        _fill_step(page, code, day)
        page.click("[data-testid=submit-step]")
        page.wait_for_url(re.compile(rf"{detail}$"))
        expect(page.locator(f"[data-testid=step-{code}]")).to_have_attribute("data-done", "1")
        if code == 17:
            m = Member.objects.get(name="陈发展")
            assert m.status == "probationary" and m.joined_on == PLAN[15] and m.org_id == w.b1.pk
            expect(page.locator("[data-testid=probation-end]")).to_contain_text("2029-03-15")
        if code == 22:
            # a week before the end of probation the case reminds
            clock.go(D(2029, 3, 9))
            login_as(sec, page)
            page.goto(detail)
            expect(page.locator("[data-testid=alert-probation_1y]")).to_be_visible()

    expect(page.locator("[data-testid=case-status]")).to_have_text(re.compile("转为正式党员"))
    m = Member.objects.get(name="陈发展")
    assert m.status == "full" and m.full_member_on == D(2029, 3, 15)
    page.click("[data-testid=member-link]")
    expect(page.locator("[data-testid=member-name]")).to_have_text("陈发展")
    assert not [e for e in page.js_errors if "http 4" not in e], page.js_errors
