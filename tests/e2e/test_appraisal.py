"""Browser: a secretary opens the year's democratic appraisal; two members write their
self-appraisal and cast the anonymous ballot on a phone; the secretary grades (a second 优秀
over the ⅓ limit is refused on the page), closes the round, and the member sees their grade."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _advance(page, round_url):
    page.goto(round_url)
    page.click("[data-testid=advance-link]")
    page.click("[data-testid=submit]")
    page.wait_for_url(round_url)


def _no_sideways_scroll(pg):
    """Nothing of this app's content reaches past the phone's width (the shared header is base.html's)."""
    right = pg.evaluate("Math.max(...Array.from(document.querySelectorAll('.page-wrapper *'))"
                        ".map(e => e.getBoundingClientRect().right))")
    assert right <= pg.viewport_size["width"] + 1


def test_appraisal_round_end_to_end(live_server, page, phone_page, live_world, login_as):
    w = live_world
    login_as(w.users["secretary"], page)
    page.goto(f"/appraisal/org/{w.b1.pk}/")
    expect(page.locator("[data-testid=empty]")).to_be_visible()
    page.click("[data-testid=open-round]")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=round-stage]")).to_have_attribute("data-stage", "self")
    round_url = page.url
    expect(page.locator("[data-testid=participant]")).to_have_count(5)

    # two members write their self-appraisal on a phone
    for who, text in (("member", "认真学习党章党规，按时参加三会一课。"), ("committee", "做好组织委员工作，发展党员程序规范。")):
        login_as(w.users[who], phone_page)
        phone_page.goto("/appraisal/mine/")
        phone_page.click("[data-testid=todo-self]")
        phone_page.fill("[data-testid=self-text]", text)
        phone_page.click("[data-testid=submit]")
        expect(phone_page.locator("[data-testid=self-text-shown]")).to_contain_text(text)
        _no_sideways_scroll(phone_page)

    _advance(page, round_url)  # → mutual
    _advance(page, round_url)  # → assessment
    expect(page.locator("[data-testid=round-stage]")).to_have_attribute("data-stage", "assessment")

    # both vote on the phone: every appraised participant rated, themselves included
    for who in ("member", "committee"):
        login_as(w.users[who], phone_page)
        phone_page.goto("/appraisal/mine/")
        phone_page.click("[data-testid=todo-vote]")
        expect(phone_page.locator("[data-testid=anonymous-note]")).to_be_visible()
        rows = phone_page.locator("[data-testid=ballot-row]")
        expect(rows).to_have_count(5)
        for i in range(5):
            grade = "excellent" if rows.nth(i).inner_text().startswith(w.m_secretary.name) else "qualified"
            rows.nth(i).locator(f"input[value={grade}]").check()
        _no_sideways_scroll(phone_page)
        # Enter on the focused button: base.html's header is wider than a phone for a committee member
        # (reported to the lead), the browser zooms out and a pointer click lands beside the button
        phone_page.locator("[data-testid=submit]").press("Enter")
        expect(phone_page.locator("[data-testid=voted]")).to_be_visible()
    page.goto(round_url)
    expect(page.locator("[data-testid=ballots]")).to_contain_text("2 / 4")

    _advance(page, round_url)  # → grading
    page.click("[data-testid=grades-link]")
    expect(page.locator(f"[data-testid=tally-{w.m_secretary.pk}]")).to_have_text("2 / 0 / 0 / 0")
    for m in (w.m_secretary, w.m_committee, w.m_member, w.m_probationary, w.m_group):
        page.select_option(f"[data-testid=grade-{m.pk}]", "qualified")
    page.select_option(f"[data-testid=grade-{w.m_secretary.pk}]", "excellent")
    page.select_option(f"[data-testid=grade-{w.m_member.pk}]", "excellent")
    page.click("[data-testid=submit]")
    errors = page.locator("[data-testid=form-errors]")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("1")  # the limit: at most 1 of 5
    expect(errors).to_contain_text("5")
    page.select_option(f"[data-testid=grade-{w.m_member.pk}]", "qualified")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=form-errors]")).to_have_count(0)
    page.click("[data-testid=close-link]")
    page.click("[data-testid=submit]")
    page.wait_for_url(round_url)
    expect(page.locator("[data-testid=round-stage]")).to_have_attribute("data-stage", "closed")
    page.click("[data-testid=result-link]")
    expect(page.locator("[data-testid=count-excellent]")).to_contain_text("1")

    # the member sees their grade
    login_as(w.users["member"], phone_page)
    phone_page.goto("/appraisal/mine/")
    expect(phone_page.locator("[data-testid=my-grade]")).to_have_attribute("data-grade", "qualified")
    expect(phone_page.locator("[data-testid=my-grade]")).to_have_text("合格")
    phone_page.goto(f"/members/{w.m_member.pk}/")
    expect(phone_page.locator("[data-testid=appraisal-panel-row]")).to_have_count(1)
    assert page.js_errors == [] and phone_page.js_errors == []
