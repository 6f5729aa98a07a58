"""Browser: a town admin logs in, walks the tree, searches a member and sees the ID masked."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

MASKED_ID = re.compile(r"^\d{4}\*{14}$")  # the first four only (docs/decisions.md 19)


def log_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_town_admin_tree_search_masked(live_server, page, live_world):
    w = live_world
    base = live_server.url
    log_in(page, base, "town_admin")
    assert "东镇党委" in page.content()
    assert "C县委" not in page.content()

    page.click("[data-testid=nav-orgs]")
    page.click(f"[data-testid=expand-{w.t1.pk}]")
    page.wait_for_selector(f"text={w.b1.name}")
    assert page.locator(f"text={w.b3.name}").count() == 0  # the sibling town's branch is not there
    page.click(f"text={w.b1.name}")
    page.wait_for_selector("[data-testid=org-name]")
    assert page.inner_text("[data-testid=secretary]") == "李书记"

    page.click("[data-testid=full-roster]")
    page.fill("[data-testid=search]", "赵党员")
    page.press("[data-testid=search]", "Enter")
    page.wait_for_selector("[data-testid=roster] >> text=赵党员")
    cells = page.locator("[data-testid=masked-id]")
    assert cells.count() == 1
    assert MASKED_ID.match(cells.first.inner_text().strip())
    assert w.m_member.id_number not in page.content()

    page.click("[data-testid=roster] >> text=赵党员")
    page.wait_for_selector("[data-testid=id-number]")
    assert MASKED_ID.match(page.inner_text("[data-testid=id-number]").strip())
    page.select_option("[data-testid=reveal-purpose-id_number]", "verification")
    page.click("[data-testid=reveal-id_number]")
    page.wait_for_selector("[data-testid=revealed-id_number]")
    assert page.inner_text("[data-testid=revealed-id_number]").strip() == w.m_member.id_number

    from dangjian.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="member.reveal", actor=w.users["town_admin"]).count() == 1
