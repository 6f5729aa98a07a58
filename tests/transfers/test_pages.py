"""Transfer pages through the web client: forms, PDF, public verification, member panel."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from dangjian.members.models import Member
from dangjian.transfers import services as s
from dangjian.transfers.models import Transfer, TransferStatus


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_secretary_requests_by_name_town_admin_approves_other_town_accepts(world, login):
    c = login(world.users["secretary"])
    r = c.get(reverse("transfers-new", args=[world.b1.pk]))
    assert r.status_code == 200
    r = c.post(reverse("transfers-new", args=[world.b1.pk]),
               {"member": world.m_member.pk, "kind": "internal", "to_org": "南村党支部", "reason": "迁居"}, **EN)
    t = Transfer.objects.get(member=world.m_member)
    assert r.status_code == 302 and r["Location"] == reverse("transfers-detail", args=[t.pk])
    c2 = login(world.users["town_admin"])
    r = c2.post(reverse("transfers-approve", args=[t.pk]), {"valid_days": 10, "dues_paid_to": "2026-10"}, **EN)
    t.refresh_from_db()
    assert r.status_code == 302 and t.status == TransferStatus.ISSUED and t.dues_paid_to == dt.date(2026, 10, 1)
    # the receiving side sees it incoming, not through the sending side's page
    c3 = login(world.users["town2_admin"])
    assert c3.get(reverse("transfers-detail", args=[t.pk])).status_code == 404
    r = c3.get(reverse("transfers-incoming", args=[world.t2.pk]))
    assert "赵党员" in r.content.decode()
    r = c3.post(reverse("transfers-accept", args=[t.pk]), {}, **EN)
    assert r.status_code == 302, r.context["form"].errors
    assert Member.objects.get(pk=world.m_member.pk).org_id == world.b3.pk


def test_bad_destination_name_is_a_form_error(world, login):
    c = login(world.users["secretary"])
    r = c.post(reverse("transfers-new", args=[world.b1.pk]), {"member": world.m_member.pk, "kind": "internal", "to_org": "不存在"}, **EN)
    assert r.status_code == 200 and "No active branch" in r.content.decode()
    assert not Transfer.objects.exists()


def test_service_refusal_shows_on_form_and_writes_nothing(world, login):
    t = s.request_transfer(actor=None, member=world.m_member, to_org=world.b3)
    r = login(world.users["town_admin"]).post(reverse("transfers-approve", args=[t.pk]), {"valid_days": 91}, **EN)
    assert r.status_code == 200
    t.refresh_from_db()
    assert t.status == TransferStatus.PENDING and t.letter_no is None


def test_letter_pdf_and_public_verification(world, login, client):
    t = s.request_transfer(actor=None, member=world.m_member, to_org=world.b3)
    t = s.approve_transfer(actor=world.users["town_admin"], transfer=t, dues_paid_to=dt.date(2026, 9, 1))
    r = login(world.users["secretary"]).get(reverse("transfers-letter", args=[t.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    client.logout()
    cache.clear()
    r = client.get(reverse("transfers-verify"), {"letter_no": t.letter_no, "code": s.letter_code(t)}, **EN)
    body = r.content.decode()
    assert r.status_code == 200 and 'data-valid="1"' in body and t.letter_no in body
    assert "赵党员" not in body and "南村" not in body, "no personal data, no organizations"
    r = client.get(reverse("transfers-verify"), {"letter_no": t.letter_no, "code": "WRONGCODE1"}, **EN)
    assert 'data-valid="none"' in r.content.decode()


def test_verification_is_rate_limited(world, client):
    cache.clear()
    codes = [client.get(reverse("transfers-verify"), {"letter_no": "ZZ1", "code": "X"}).status_code for _ in range(22)]
    assert codes[0] == 200 and codes[-1] == 429
    cache.clear()


def test_pdf_before_letter_redirects(world, login):
    t = s.request_transfer(actor=None, member=world.m_member, to_org=world.b3)
    r = login(world.users["secretary"]).get(reverse("transfers-letter", args=[t.pk]))
    assert r.status_code == 302


def test_member_asks_for_own_transfer(world, login):
    c = login(world.users["member"])
    r = c.post(reverse("transfers-ask"), {"to_org": str(world.b3.pk), "reason": "工作调动"}, **EN)
    t = Transfer.objects.get(member=world.m_member)
    assert r.status_code == 302 and t.status == TransferStatus.REQUESTED
    assert c.get(reverse("transfers-detail", args=[t.pk])).status_code == 200
    assert c.get(reverse("transfers-confirm", args=[t.pk])).status_code == 403


def test_member_panel_shows_transfers(world, login):
    s.request_transfer(actor=None, member=world.m_member, to_org=world.b3)
    r = login(world.users["secretary"]).get(reverse("member-detail", args=[world.m_member.pk]), **EN)
    body = r.content.decode()
    assert 'data-testid="member-panel-transfers"' in body and "南村党支部" in body


def test_outgoing_list_flags_expired_letter(world, login):
    t = s.request_transfer(actor=None, member=world.m_member, to_org=world.b3)
    s.approve_transfer(actor=world.users["town_admin"], transfer=t, valid_days=1)
    Transfer.objects.filter(pk=t.pk).update(valid_until=dt.date(2020, 1, 1))
    r = login(world.users["secretary"]).get(reverse("transfers-outgoing", args=[world.b1.pk]), **EN)
    assert "expired" in r.content.decode()


def test_capital_numerals_for_validity():
    from dangjian.transfers.views import cn_number

    assert [cn_number(n) for n in (10, 30, 15, 90, 7, 60, 105)] == ["壹拾", "叁拾", "壹拾伍", "玖拾", "柒", "陆拾", "壹佰零伍"]
