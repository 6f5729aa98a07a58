"""Flowing members and their inflow organization (流入地党组织) — 教育管理条例 art. 32 (one home
branch, several org lives where the member is), art. 9 (流动党员活动证), DOMAIN §1.1 / §5.

The home branch names the inflow organization on the flowing register; the inflow side's staff see
who flows in (name, home branch, since, contact person — never the ID number or phone) and nothing
else of the member."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dangjian.core import services as org_services
from dangjian.core.errors import REFUSAL_HEADER, codes
from dangjian.core.models import AuditEvent
from dangjian.notify.models import InboxMessage
from dangjian.transfers import services as s
from dangjian.transfers.models import AwayRecord

SINCE = dt.date.today() - dt.timedelta(days=400)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def b3_secretary(world):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.create_user(username="b3sec", password="x")
    org_services.grant_role(actor=None, user=u, org=world.b3, role="secretary")
    return u


def flowing(world, inflow=None, member=None, kind="flowing", **kw):
    return s.flag_away(actor=world.users["secretary"], member=member or world.m_member, kind=kind, since=SINCE,
                       whereabouts="广东省深圳市", contact_person="王委员", inflow_org=inflow, **kw)


def test_registration_names_the_inflow_org_audits_and_tells_its_secretary(world, b3_secretary):
    rec = flowing(world, world.b3, activity_cert_no="LD2026-001")
    rec.refresh_from_db()
    assert (rec.inflow_org, rec.inflow_path, rec.activity_cert_no) == (world.b3, world.b3.path, "LD2026-001")
    ev = AuditEvent.objects.filter(action="transfers.flag_away").latest("id")
    assert ev.data["inflow_org"] == world.b3.pk and ev.data["activity_cert_no"] == "LD2026-001"
    msg = InboxMessage.objects.get(kind="transfers.flowing_in", user=b3_secretary)
    assert world.m_member.name in msg.title and msg.link == f"/transfers/flowing-in/{rec.pk}/"
    assert world.m_member.id_number not in msg.body + msg.title


def test_flowing_without_inflow_org_stays_as_before(world, b3_secretary):
    rec = flowing(world)
    assert rec.inflow_org is None and rec.inflow_path == ""
    assert not InboxMessage.objects.filter(kind="transfers.flowing_in").exists()


@pytest.mark.parametrize("target,kind,cert,code", [
    ("b1", "flowing", "", "inflow_is_home"),
    ("g1", "flowing", "", "inflow_is_home"),
    ("t2", "flowing", "", "not_member_holding"),
    ("b3", "lost", "", "not_flowing"),
    (None, "flowing", "LD-1", "cert_without_inflow"),
])
def test_inflow_org_must_be_elsewhere_and_member_holding(world, target, kind, cert, code):
    with pytest.raises(ValidationError) as e:
        flowing(world, getattr(world, target) if target else None, kind=kind, activity_cert_no=cert)
    assert codes(e.value) == [code]
    assert not AwayRecord.objects.exists()
    assert not InboxMessage.objects.filter(kind="transfers.flowing_in").exists()


def test_dissolved_inflow_org_refused(world):
    world.b3.status = "dissolved"
    world.b3.save(update_fields=["status"])
    with pytest.raises(ValidationError) as e:
        flowing(world, world.b3)
    assert codes(e.value) == ["inactive"]


def test_change_and_clear_are_audited_and_the_new_secretary_told(world, b3_secretary):
    rec = flowing(world, world.b3)
    s.set_inflow(actor=world.users["secretary"], record=rec, inflow_org=world.b2, activity_cert_no="LD-9")
    rec.refresh_from_db()
    assert (rec.inflow_org, rec.inflow_path, rec.activity_cert_no) == (world.b2, world.b2.path, "LD-9")
    ev = AuditEvent.objects.filter(action="transfers.inflow_set").latest("id")
    assert ev.data["before"] == {"inflow_org": world.b3.pk, "activity_cert_no": ""}
    assert ev.data["after"] == {"inflow_org": world.b2.pk, "activity_cert_no": "LD-9"}
    assert InboxMessage.objects.filter(kind="transfers.flowing_in", user=world.users["secretary2"]).exists()
    with pytest.raises(ValidationError) as e:
        s.set_inflow(actor=world.users["secretary"], record=rec, inflow_org=world.b2, activity_cert_no="LD-9")
    assert codes(e.value) == ["nothing_changed"]
    with pytest.raises(ValidationError) as e:
        s.set_inflow(actor=world.users["secretary"], record=rec, inflow_org=None, activity_cert_no="LD-9")
    assert codes(e.value) == ["cert_without_inflow"]
    s.set_inflow(actor=world.users["secretary"], record=rec, inflow_org=None)
    rec.refresh_from_db()
    assert rec.inflow_org is None and rec.inflow_path == "" and rec.activity_cert_no == ""
    assert AuditEvent.objects.filter(action="transfers.inflow_set").count() == 2


def test_closed_entry_cannot_change(world):
    rec = flowing(world, world.b3)
    s.close_away(actor=world.users["secretary"], record=rec, reason="回村")
    with pytest.raises(ValidationError) as e:
        s.set_inflow(actor=world.users["secretary"], record=rec, inflow_org=world.b2)
    assert codes(e.value) == ["record_closed"]


# -- pages -----------------------------------------------------------------------------------------

def test_register_form_takes_the_inflow_org_by_name(world, login):
    c = login(world.users["secretary"])
    url = reverse("transfers-away-new", args=[world.b1.pk])
    data = {"member": world.m_member.pk, "kind": "flowing", "since": SINCE.isoformat(), "whereabouts": "深圳",
            "contact_person": "王委员", "inflow_org": "没有这个支部"}
    r = c.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and b"No active branch" in r.content and not AwayRecord.objects.exists()
    r = c.post(url, data | {"inflow_org": world.b1.name}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "inflow_is_home" and not AwayRecord.objects.exists()
    r = c.post(url, data | {"inflow_org": world.b3.name, "activity_cert_no": "LD-7"})
    assert r.status_code == 302
    rec = AwayRecord.objects.get()
    assert rec.inflow_org == world.b3 and rec.activity_cert_no == "LD-7"
    page = c.get(reverse("transfers-away-detail", args=[rec.pk]))
    assert world.b3.name in page.content.decode() and b'data-testid="set-inflow"' in page.content


def test_change_page(world, login):
    rec = flowing(world, world.b3)
    c = login(world.users["secretary"])
    url = reverse("transfers-away-inflow", args=[rec.pk])
    assert c.get(url).status_code == 200
    assert c.post(url, {"inflow_org": str(world.b2.pk), "activity_cert_no": ""}).status_code == 302
    rec.refresh_from_db()
    assert rec.inflow_org == world.b2
    # a committee member views the register but does not manage it
    assert login(world.users["committee"]).post(url, {"inflow_org": ""}).status_code == 403


def test_inflow_side_sees_who_flows_in_and_nothing_else(world, login, b3_secretary):
    rec = flowing(world, world.b3, activity_cert_no="LD-3")
    flowing(world, None, member=world.m_probationary)  # flowing, inflow unknown: not listed anywhere
    c = login(b3_secretary)
    r = c.get(reverse("transfers-flowing-in", args=[world.b3.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and html.count('data-testid="flowing-in-row"') == 1
    for text in (world.m_member.name, world.b1.name, "王委员", "LD-3", SINCE.isoformat()):
        assert text in html
    assert world.m_member.id_number not in html and world.m_member.phone not in html
    assert world.m_probationary.name not in html
    d = c.get(reverse("transfers-flowing-in-detail", args=[rec.pk]))
    assert d.status_code == 200 and world.m_member.id_number not in d.content.decode()
    # … but not the member's file, nor the home branch's register entry
    assert c.get(reverse("member-detail", args=[world.m_member.pk])).status_code == 404
    assert c.get(reverse("transfers-away-detail", args=[rec.pk])).status_code == 404
    # the town above the inflow branch sees the list; the home side and a sibling do not see the inflow view
    assert login(world.users["town2_admin"]).get(reverse("transfers-flowing-in", args=[world.t2.pk])).status_code == 200
    assert login(world.users["secretary"]).get(reverse("transfers-flowing-in-detail", args=[rec.pk])).status_code == 404
    assert login(world.users["secretary2"]).get(reverse("transfers-flowing-in-detail", args=[rec.pk])).status_code == 404
    # a member (not staff) has no inflow view at all
    assert login(world.users["member"]).get(reverse("transfers-flowing-in", args=[world.b1.pk])).status_code == 404  # no flowing_in view: not found


def test_closed_entry_leaves_the_inflow_list(world, login, b3_secretary):
    rec = flowing(world, world.b3)
    s.close_away(actor=world.users["secretary"], record=rec, reason="转走")
    r = login(b3_secretary).get(reverse("transfers-flowing-in", args=[world.b3.pk]))
    assert b'data-testid="flowing-in-empty"' in r.content
