"""Browser: a transfer between two towns. The secretary of 东村 (b1, town t1) asks to move a
member to 南村 (b3, town t2); the town committee of t1 approves and prints the letter; the
secretary of 南村 receives the member, who then shows under 南村 with the history kept."""
from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dangjian.core.services import grant_role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def test_transfer_between_two_towns(live_server, page, live_world, login_as, django_user_model):
    w = live_world
    base = live_server.url
    secretary3 = django_user_model.objects.create_user(username="secretary3", password=PASSWORD)
    grant_role(actor=None, user=secretary3, org=w.b3, role="secretary")

    # 1. the b1 secretary requests the transfer
    login_as(w.users["secretary"], page)
    page.goto(base + reverse("transfers-outgoing", args=[w.b1.pk]))
    page.click("[data-testid=new-transfer]")
    page.select_option("#id_member", str(w.m_member.pk))
    page.select_option("#id_kind", "internal")
    page.fill("#id_to_org", "南村党支部")
    page.fill("#id_reason", "婚后迁居南村")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=transfer-status]")).to_have_attribute("data-status", "pending")
    detail_url = page.url

    # 2. the town committee of t1 approves; the letter is issued and printable
    page.context.clear_cookies()
    login_as(w.users["town_admin"], page)
    page.goto(detail_url)
    page.click("[data-testid=approve]")
    page.fill("#id_dues_paid_to", "2026-10")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=transfer-status]")).to_have_attribute("data-status", "issued")
    letter_no = page.inner_text("[data-testid=letter-no]").strip()
    code = page.inner_text("[data-testid=letter-code]").strip()
    assert letter_no.startswith("ZZ") and len(code) == 10
    pdf = page.request.get(base + reverse("transfers-letter", args=[int(detail_url.rstrip("/").split("/")[-1])]))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # 3. anyone can check the letter, without seeing personal data
    page.context.clear_cookies()
    page.goto(base + reverse("transfers-verify") + f"?letter_no={letter_no}&code={code}")
    expect(page.locator("[data-testid=verify-result]")).to_have_attribute("data-valid", "1")
    assert "赵党员" not in page.content()

    # 4. the b3 secretary receives the member
    login_as(secretary3, page)
    page.goto(base + reverse("transfers-incoming", args=[w.b3.pk]))
    page.click("text=赵党员")
    page.click("[data-testid=accept]")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=transfer-status]")).to_have_attribute("data-status", "accepted")

    # 5. the member now shows under 南村 with the history
    page.goto(base + reverse("member-detail", args=[w.m_member.pk]))
    expect(page.locator("[data-testid=member-name]")).to_have_text("赵党员")
    content = page.content()
    assert "南村党支部" in content and "东村党支部" in content
    assert not page.js_errors, page.js_errors
