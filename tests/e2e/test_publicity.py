"""Browser: a secretary drafts and publishes a notice; an anonymous villager on a phone finds it
on the village board (no horizontal scrolling, large type), while a draft stays invisible."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dangjian.publicity import services

pytestmark = pytest.mark.e2e


def test_secretary_publishes_and_phone_visitor_reads(live_server, page, phone_page, live_world, login_as):
    from django.core.cache import cache

    cache.clear()
    w = live_world
    services.create_notice(org=w.b1, board="finance", title="东村草稿不应公开", body="草稿", actor=w.users["committee"])
    login_as(w.users["secretary"], page)
    page.goto(f"/publicity/org/{w.b1.pk}/")
    page.click("[data-testid=new-notice]")
    page.select_option("#id_board", "finance")
    page.fill("#id_title", "东村2026年10月财务收支公示")
    page.fill("#id_body", "本月收入：集体土地租金 24,000.00 元。\n本月支出：道路维修 12,600.00 元。")
    page.click("[data-testid=save-draft]")
    expect(page.locator("[data-testid=notice-status]")).to_have_text("草稿")
    page.click("[data-testid=approve-notice]")
    expect(page.locator("[data-testid=notice-status]")).to_have_text("已发布")
    assert page.js_errors == []

    v = phone_page
    v.goto("/publicity/public/")
    v.fill("[data-testid=pub-search]", "东村")
    v.press("[data-testid=pub-search]", "Enter")
    v.locator("[data-testid=pub-place]", has_text="东村党支部").click()
    v.click("[data-testid=pub-tab-finance]")
    item = v.locator("[data-testid=pub-notice]", has_text="东村2026年10月财务收支公示")
    expect(item).to_be_visible()
    assert "东村草稿不应公开" not in v.content()
    item.locator("a").click()
    expect(v.locator("[data-testid=pub-title]")).to_have_text("东村2026年10月财务收支公示")
    expect(v.locator("[data-testid=pub-body]")).to_contain_text("24,000.00")
    # readable on a phone: no horizontal scroll, body text at least 16 px
    assert v.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    size = v.evaluate("parseFloat(getComputedStyle(document.querySelector('[data-testid=pub-body]')).fontSize)")
    assert size >= 16
    assert v.js_errors == []
