"""Browser: the secretary of 东村 records the re-election (the old term expired: red, with text),
enters the votes; the town committee approves the new secretary; the term is current again."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dangjian.members.services import create_member
from tests.factories import member_data

pytestmark = pytest.mark.e2e


def test_re_election_and_secretary_approval(live_server, page, live_world, login_as):
    w = live_world
    base = live_server.url
    extra = [create_member(actor=None, org=w.b1, data=member_data(name=f"东村党员{i}")) for i in range(6)]
    login_as(w.users["town_admin"], page)
    page.goto(base + reverse("elections-terms", args=[w.t1.pk]))
    row = page.locator("[data-testid=term-row]", has_text="东村党支部")
    expect(row.locator("[data-testid=term-state]")).to_have_attribute("data-state", "expired")

    page.context.clear_cookies()
    login_as(w.users["secretary"], page)
    page.goto(base + reverse("elections-org", args=[w.b1.pk]))
    page.click("[data-testid=election-new]")
    held = dt.date.today() - dt.timedelta(days=1)
    page.fill("#id_held_on", held.isoformat())
    page.fill("#id_seats", "3")
    page.fill("#id_present", "10")
    page.select_option("#id_candidates", [str(m.pk) for m in [w.m_secretary, w.m_committee, extra[0], extra[1]]])
    page.click("[data-testid=submit]")
    for m, votes in ((w.m_secretary, 10), (w.m_committee, 9), (extra[0], 8), (extra[1], 3)):
        page.fill(f"[data-testid=votes-{m.pk}]", str(votes))
    page.locator("select[name^=position_]").first.select_option("secretary")
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=candidates]")).to_contain_text("李书记")

    page.goto(base + reverse("elections-org", args=[w.b1.pk]))
    expect(page.locator("[data-testid=term-state]")).to_have_attribute("data-state", "ok")
    expect(page.locator("[data-testid=committee-finding][data-rule=E3]")).to_be_visible()

    page.context.clear_cookies()
    login_as(w.users["town_admin"], page)
    page.goto(base + reverse("elections-org", args=[w.b1.pk]))
    page.locator("[data-testid=committee] a", has_text="批准").click()
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=committee-finding]")).to_have_count(0)
    assert not page.js_errors, page.js_errors
