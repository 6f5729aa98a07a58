"""Browser: a member signs in on a phone with the link of the venue's current QR code; the
venue page (refreshing itself) and the roll call then show them present."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_member_signs_in_by_qr_on_a_phone(live_server, page, phone_page, login_as, live_world):
    from dangjian.orglife import selectors, services
    from dangjian.orglife.models import MeetingType

    w = live_world
    t = MeetingType.objects.get(owner_path="", code="theme_day")
    start = timezone.now() + dt.timedelta(minutes=10)
    m = services.plan_meeting(actor=w.users["secretary"], org=w.b1, meeting_type=t, title="主题党日：学习党章", starts_at=start,
                              ends_at=start + dt.timedelta(hours=2), place="村党群服务中心", host=w.m_secretary,
                              recorder=w.m_committee, agenda="学习党章", invitees=list(selectors.default_invitees(w.b1, t)))
    login_as(w.users["secretary"], page)
    page.goto(f"/orglife/meetings/{m.pk}/")
    page.click("[data-testid=open-signin]")
    page.wait_for_url(f"**/orglife/meetings/{m.pk}/venue/")
    expect(page.locator("[data-testid=qr] svg")).to_be_visible()
    link = page.get_attribute("[data-testid=qr-link]", "href")
    assert "/orglife/s/" in link

    login_as(w.users["member"], phone_page)
    phone_page.goto(link)
    button = phone_page.locator("[data-testid=signin-confirm]")
    expect(button).to_be_visible()
    assert button.bounding_box()["width"] > 250  # a big button on a 390 px phone
    button.click()
    expect(phone_page.locator("[data-testid=signin-ok]")).to_be_visible()
    phone_page.goto(link)  # scanning again: already signed in, nothing doubled
    expect(phone_page.locator("[data-testid=signin-already]")).to_be_visible()

    # the venue page refreshes itself (orglife.js every 10 s) and lists the member
    expect(page.locator("[data-testid=venue-signed-name]", has_text="赵党员")).to_be_visible(timeout=20_000)
    expect(page.locator("[data-testid=venue-present]")).to_have_text("1")
    page.goto(f"/orglife/meetings/{m.pk}/roll-call/")
    expect(page.locator(f"[data-testid=roll-row][data-member='{w.m_member.pk}']")).to_have_attribute("data-status", "present")
    # the roll call marks another member present over htmx
    row = page.locator(f"[data-testid=roll-row][data-member='{w.m_committee.pk}']")
    row.locator("[data-testid=mark-present]").click()
    expect(page.locator(f"[data-testid=roll-row][data-member='{w.m_committee.pk}']")).to_have_attribute("data-status", "present")
    assert page.js_errors == [] and phone_page.js_errors == []


def test_signed_out_phone_logs_in_and_comes_back_to_sign_in(live_server, phone_page, live_world):
    from dangjian.orglife import selectors, services, tokens
    from dangjian.orglife.models import MeetingType
    from tests.conftest import PASSWORD

    w = live_world
    t = MeetingType.objects.get(owner_path="", code="party_lecture")
    start = timezone.now() + dt.timedelta(minutes=5)
    m = services.plan_meeting(actor=w.users["secretary"], org=w.b1, meeting_type=t, title="党课", starts_at=start,
                              ends_at=start + dt.timedelta(hours=1), place="会议室", host=w.m_secretary, recorder=w.m_committee,
                              agenda="", invitees=list(selectors.default_invitees(w.b1, t)))
    m = services.open_signin(actor=w.users["secretary"], meeting=m)
    phone_page.goto(f"/orglife/s/{tokens.make_token(m)}/")
    phone_page.wait_for_url("**/accounts/login/**")
    phone_page.fill("#id_username", "member")
    phone_page.fill("#id_password", PASSWORD)
    phone_page.click("button[type=submit]")
    phone_page.locator("[data-testid=signin-confirm]").click()
    expect(phone_page.locator("[data-testid=signin-ok]")).to_be_visible()
    assert phone_page.js_errors == []
