"""Browser: a flowing member (流动党员) of 东村 (b1) takes part in org life at 南村 (b3, another
town) — 教育管理条例 art. 32. The b1 secretary names the inflow organization on the flowing
register; the b3 secretary is told in the inbox, sees the member under "members flowing in" (no ID
number or phone), and may tick them when planning a meeting (not ticked by default: they count in
their home branch's 应到)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dangjian.core.services import grant_role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e
SH = ZoneInfo("Asia/Shanghai")


def test_flowing_member_registered_at_the_inflow_branch_and_invited_there(live_server, page, live_world, login_as,
                                                                          django_user_model):
    from dangjian.orglife.models import Attendance, Meeting
    from dangjian.transfers.models import AwayRecord

    w = live_world
    base = live_server.url
    secretary3 = django_user_model.objects.create_user(username="secretary3", password=PASSWORD)
    grant_role(actor=None, user=secretary3, org=w.b3, role="secretary")
    since = (dt.date.today() - dt.timedelta(days=400)).isoformat()

    # 1. the home secretary registers the flowing member with the inflow organization
    login_as(w.users["secretary"], page)
    page.goto(base + reverse("transfers-away", args=[w.b1.pk]))
    page.click("[data-testid=away-new]")
    page.select_option("#id_member", str(w.m_member.pk))
    page.select_option("#id_kind", "flowing")
    page.fill("#id_since", since)
    page.fill("#id_whereabouts", "南镇南村（务工）")
    page.fill("#id_contact_person", "王委员")
    page.fill("#id_inflow_org", "东村党支部")  # the home branch itself: refused with a message
    page.click("[data-testid=submit]")
    expect(page.locator(".invalid-feedback, .alert-danger, .text-danger").first).to_be_visible()
    assert not AwayRecord.objects.exists()
    page.fill("#id_inflow_org", "南村党支部")
    page.fill("#id_activity_cert_no", "LD20260001")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=inflow-org]")).to_contain_text("南村党支部")
    rec = AwayRecord.objects.get()

    # 2. the inflow secretary is told, and sees the member flowing in (nothing sensitive)
    page.context.clear_cookies()
    login_as(secretary3, page)
    page.goto(base + reverse("inbox"))
    expect(page.locator("[data-testid=inbox-message]").first).to_contain_text("赵党员")
    page.goto(base + reverse("transfers-flowing-in", args=[w.b3.pk]))
    row = page.locator("[data-testid=flowing-in-row]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("赵党员")
    expect(row).to_contain_text("东村党支部")
    expect(row).to_contain_text("LD20260001")
    assert w.m_member.id_number not in page.content() and w.m_member.phone not in page.content()
    page.click("text=赵党员")
    expect(page.locator("[data-testid=flowing-in-facts]")).to_contain_text("王委员")
    assert page.url.endswith(reverse("transfers-flowing-in-detail", args=[rec.pk]))

    # 3. planning a theme day at 南村: the flowing member may be ticked, is not ticked by default
    starts = dt.datetime.now(SH).replace(second=0, microsecond=0) + dt.timedelta(hours=2)
    page.goto(base + f"/orglife/meetings/plan/?org={w.b3.pk}")
    theme = page.locator("[data-testid=meeting-type] option", has_text="主题党日").get_attribute("value")
    page.select_option("[data-testid=meeting-type]", theme)
    box = page.locator(f"[data-testid=invitees] input[type=checkbox][value='{w.m_member.pk}']")
    expect(box).to_have_count(1)
    expect(box).not_to_be_checked()
    box.check()
    page.fill("#id_title", "南村十一月主题党日")
    page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (starts + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "南村党员活动室")
    page.select_option("#id_host", str(w.m_b3[0].pk))
    page.select_option("#id_recorder", str(w.m_b3[1].pk))
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=meeting-title]")).to_have_text("南村十一月主题党日")
    meeting = Meeting.objects.get(title="南村十一月主题党日")
    assert Attendance.objects.filter(meeting=meeting, member=w.m_member, status="invited").exists()
