"""Browser: a reveal without a purpose is refused in place (the masked value and the reason stay
on the page); with "other" and a note the clear value is shown and audited (issue 10 item 13)."""
from __future__ import annotations

import pytest

from tests.e2e.test_town_admin import log_in

pytestmark = pytest.mark.e2e


def test_reveal_asks_for_a_purpose(live_server, page, live_world):
    from dangjian.core.models import AuditEvent

    w = live_world
    log_in(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/members/{w.m_member.pk}/")
    page.click("[data-testid=reveal-id_number]")
    page.wait_for_selector("[data-testid=reveal-refused-id_number]")
    assert page.get_attribute("[data-testid=reveal-refused-id_number]", "data-codes") == "purpose_required"
    assert w.m_member.id_number not in page.content()
    assert not AuditEvent.objects.filter(action="member.reveal").exists()

    page.select_option("[data-testid=reveal-purpose-id_number]", "other")
    page.fill("[data-testid=reveal-note-id_number]", "上级组织部核查")
    page.click("[data-testid=reveal-id_number]")
    page.wait_for_selector("[data-testid=revealed-id_number]")
    assert page.inner_text("[data-testid=revealed-id_number]").strip() == w.m_member.id_number
    ev = AuditEvent.objects.get(action="member.reveal")
    assert ev.data["purpose"] == "other" and ev.data["purpose_note"] == "上级组织部核查"
