"""A reveal states its purpose (SECURITY.md "field privacy", PIPL art. 6; issue 10 item 13): the
web page and the API refuse a missing, numeric or meaningless purpose with a coded error, reveal
nothing and write no reveal row; a listed purpose (or "other" with a note) is audited."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.core.models import AuditEvent
from dangjian.members import services as member_services

BAD = [
    ("missing", {}, "purpose", "required"),
    ("blank", {"purpose": ""}, "purpose", "invalid_choice"),
    ("zero", {"purpose": 0}, "purpose", "invalid_choice"),
    ("false", {"purpose": False}, "purpose", "invalid_choice"),
    ("free digits", {"purpose": "123"}, "purpose", "invalid_choice"),
    ("other without a note", {"purpose": "other"}, "purpose_note", "purpose_note_required"),
    ("other with a numeric note", {"purpose": "other", "purpose_note": "0"}, "purpose_note", "purpose_note_required"),
    ("other with punctuation", {"purpose": "other", "purpose_note": "...."}, "purpose_note", "purpose_note_required"),
]


def api(world, persona="secretary") -> APIClient:
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    c.force_authenticate(world.users[persona])
    return c


def reveal_api(c, world, body):
    return c.post(reverse("api-member-reveal", args=[world.m_member.pk]), {"field": "id_number", **body}, format="json")


@pytest.mark.parametrize(("_case", "body", "field", "code"), BAD, ids=[b[0] for b in BAD])
def test_api_refuses_a_reveal_without_a_real_purpose(world, _case, body, field, code):
    resp = reveal_api(api(world), world, body)
    assert resp.status_code == 400
    assert world.m_member.id_number not in resp.content.decode()
    assert resp.data[field][0].code == code
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


@pytest.mark.parametrize(("_case", "body", "field", "code"), BAD, ids=[b[0] for b in BAD])
def test_web_refuses_a_reveal_without_a_real_purpose(world, login, _case, body, field, code):
    c = login(world.users["secretary"])
    data = {k: ("" if v is None else v) for k, v in body.items()}
    resp = c.post(reverse("member-reveal", args=[world.m_member.pk, "id_number"]), data)
    assert resp.status_code == 400
    assert world.m_member.id_number not in resp.content.decode()
    assert 'data-testid="reveal-refused-id_number"' in resp.content.decode()
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_a_stated_purpose_is_revealed_and_audited(world, login):
    """A listed purpose, and "other" with its note (kept, trimmed), on the API and the web."""
    cases = [({"purpose": "transfer"}, "transfer", None),
             ({"purpose": "other", "purpose_note": "  上级组织部核查档案 "}, "other", "上级组织部核查档案")]
    web = login(world.users["secretary"])
    for n, (body, purpose, note) in enumerate(cases, start=1):
        resp = reveal_api(api(world), world, body)
        assert resp.status_code == 200 and resp.json()["value"] == world.m_member.id_number
        ev = AuditEvent.objects.filter(action="member.reveal").latest("seq")
        assert ev.data["purpose"] == purpose and ev.data.get("purpose_note") == note
        page = web.post(reverse("member-reveal", args=[world.m_member.pk, "phone"]), body)
        assert page.status_code == 200 and world.m_member.phone in page.content.decode()
        ev = AuditEvent.objects.filter(action="member.reveal").latest("seq")
        assert ev.data["field"] == "phone" and ev.data["purpose"] == purpose and ev.data.get("purpose_note") == note
        assert AuditEvent.objects.filter(action="member.reveal").count() == 2 * n


def test_the_member_page_asks_for_the_purpose(world, login):
    page = login(world.users["secretary"]).get(reverse("member-detail", args=[world.m_member.pk])).content.decode()
    assert 'data-testid="reveal-purpose-id_number"' in page and 'value="transfer"' in page


def test_the_service_itself_requires_a_purpose(world):
    with pytest.raises(TypeError):
        member_services.reveal_field(actor=world.users["secretary"], member=world.m_member, field="phone")  # no purpose at all
    with pytest.raises(ValidationError) as exc:
        member_services.reveal_field(actor=world.users["secretary"], member=world.m_member, field="phone", purpose="0")
    assert exc.value.error_dict["purpose"][0].code == "purpose_invalid"
    assert not AuditEvent.objects.filter(action="member.reveal").exists()
