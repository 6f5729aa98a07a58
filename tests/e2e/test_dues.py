"""Browser: a secretary records a member's dues payment on the branch dues page; the member,
signed in on a phone, sees the month as paid with its receipt number."""
from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from dangjian.dues import services
from dangjian.dues.months import current_month, label

pytestmark = pytest.mark.e2e


def test_secretary_records_payment_member_sees_it_paid(live_server, page, phone_page, live_world, login_as):
    w = live_world
    month = current_month()
    for m in (w.m_secretary, w.m_committee, w.m_member):
        services.set_profile(actor=None, member=m, category="salaried", base=Decimal("5400"), effective_month=month)
    services.generate_bills(actor=None, month=month, org=w.b1)

    login_as(w.users["secretary"], page)
    page.goto(f"/dues/?org={w.b1.pk}&month={label(month)}")
    row = page.locator(f"[data-testid=dues-row-{w.m_member.pk}]")
    expect(row.locator("[data-testid=bill-status]")).to_contain_text("未交")
    expect(row).to_contain_text("81.00")
    row.locator(f"[data-testid=pay-{w.m_member.pk}]").click()
    page.select_option("#id_method", "transfer")
    page.fill("#id_reference", "TX20261125001")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=profile-name]")).to_contain_text("赵党员")
    expect(page.locator(f"[data-testid=bill-{label(month)}] [data-testid=bill-status]")).to_contain_text("已交")
    receipt = page.locator(f"[data-testid=bill-{label(month)}] [data-testid=receipt-link]").inner_text().strip()
    assert receipt.startswith("DF")
    page.goto(f"/dues/?org={w.b1.pk}&month={label(month)}")
    expect(page.locator("[data-testid=total-paid]")).to_have_text("1")
    assert page.js_errors == []

    v = phone_page
    login_as(w.users["member"], v)
    v.goto("/dues/mine/")
    bill = v.locator(f"[data-testid=bill-{label(month)}]")
    expect(bill.locator("[data-testid=bill-status]")).to_contain_text("已交")
    expect(bill.locator("[data-testid=receipt-link]")).to_have_text(receipt)
    assert "李书记" not in v.content()  # nobody else's dues
    assert v.js_errors == []


def test_six_months_unpaid_review_case_decided_by_a_person(live_server, page, live_world, login_as):
    from dangjian.core.dates import month_start_offset
    from dangjian.members.models import Member

    w = live_world
    this = current_month()
    services.set_profile(actor=None, member=w.m_member, category="retired", base=Decimal("5000.01"),
                         effective_month=month_start_offset(this, -6))
    for i in range(6, 0, -1):
        services.generate_bills(actor=None, month=month_start_offset(this, -i), org=w.b1)
    services.run_arrears()

    login_as(w.users["secretary"], page)
    page.goto(f"/dues/arrears/?org={w.b1.pk}")
    expect(page.locator("[data-testid=arrears-table]")).to_contain_text("赵党员")
    expect(page.locator("[data-testid=arrears-table] [data-testid=arrears]")).to_contain_text("6")
    page.locator("[data-testid=cases] a", has_text="赵党员").click()
    expect(page.locator("[data-testid=case-status]")).to_have_text("待处理")
    expect(page.locator("[data-testid=bills-table]")).to_contain_text("50.00")  # retiree 5000.01 → 1 %
    page.click("[data-testid=decide-link]")
    page.fill("#id_meeting_date", str(month_start_offset(this, 0)))
    page.fill("#id_decision", "经批评教育，本人表示一个月内补交，暂不按自行脱党处理。")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=case-status]")).to_have_text("已决定")
    expect(page.locator("[data-testid=case-decision]")).to_contain_text("一个月内补交")
    assert Member.objects.get(pk=w.m_member.pk).state == "active"  # the system removed no one
    assert page.js_errors == []
