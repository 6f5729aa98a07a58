"""Browser: a secretary sees the unread badge, reads a message with htmx and the badge goes."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dangjian.notify.api import notify
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_unread_badge_and_mark_read(live_server, page, live_world):
    for text in ("明天上午九点开支委会", "请按时交纳党费"):
        notify(recipients=[live_world.users["secretary"]], kind="notice", context={"title": "通知", "text": text}, org=live_world.b1)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.inner_text("[data-testid=inbox-unread]").strip() == "2"

    page.click("[data-testid=inbox-link]")
    page.wait_for_selector("[data-testid=inbox-message]")
    assert page.locator("[data-testid=inbox-message][data-read='0']").count() == 2
    assert "请按时交纳党费" in page.content()
    page.locator("[data-testid=mark-read]").first.click()
    expect(page.locator("[data-testid=inbox-unread]")).to_have_text("1")  # the CSP forbids string eval
    assert page.locator("[data-testid=inbox-message][data-read='0']").count() == 1
    page.click("[data-testid=mark-all-read]")
    expect(page.locator("[data-testid=inbox-unread]")).to_have_class(re.compile(r"\bd-none\b"))
    assert page.locator("[data-testid=inbox-message][data-read='0']").count() == 0
