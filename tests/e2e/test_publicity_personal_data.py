"""Browser: personal data never reaches a public board (rule P6). A secretary's notice with a
mobile number is refused with the number masked under the text; ticking "public contact numbers"
publishes it (the hotline is then public); an ID number is refused whatever is ticked."""
from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.factories import make_id_number

pytestmark = pytest.mark.e2e


def test_phone_needs_the_confirmation_and_id_number_is_always_refused(live_server, page, live_world, login_as):
    from django.core.cache import cache

    from dangjian.publicity.models import Notice

    cache.clear()
    w = live_world
    login_as(w.users["secretary"], page)
    page.goto(f"/publicity/org/{w.b1.pk}/new/")
    page.select_option("#id_board", "village")
    page.fill("#id_title", "关于征集村规民约修订意见的公告")
    page.fill("#id_body", "如有意见建议，请拨打村便民服务热线 13912345678。")
    page.click("[data-testid=publish-notice]")
    error = page.locator("[data-testid=error-body]")
    expect(error).to_contain_text("139****5678")
    expect(error).not_to_contain_text("13912345678")
    assert not Notice.objects.exists()

    page.check("#id_public_phones")
    page.click("[data-testid=publish-notice]")
    expect(page.locator("[data-testid=notice-status]")).to_have_text("已发布")
    expect(page.locator("[data-testid=public-phones-1]")).to_be_visible()
    n = Notice.objects.get()
    assert n.current.public_phones

    idn = make_id_number(dt.date(1988, 8, 8))
    page.goto(f"/publicity/org/{w.b1.pk}/new/")
    page.fill("#id_title", "困难群众慰问名单")
    page.fill("#id_body", f"张某某，身份证号 {idn}，慰问金 500 元。")
    page.check("#id_public_phones")
    page.click("[data-testid=save-draft]")
    error = page.locator("[data-testid=error-body]")
    expect(error).to_contain_text(idn[:4] + "*" * 14)
    expect(error).not_to_contain_text(idn)
    assert Notice.objects.count() == 1
    assert page.js_errors == []
