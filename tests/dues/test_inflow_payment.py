"""Dues paid at the inflow organization (中组发〔2008〕3号 art. 9): only for a holder of the
流动党员活动证 registered as flowing in; the home branch's bills become paid (no arrears), the
payment names the collecting organization, the home secretary is told; no 垫交, no paying ahead."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.dues import services
from dangjian.dues.models import BillStatus, DuesBill, DuesPayment
from dangjian.notify.models import InboxMessage
from dangjian.transfers import services as transfers
from dangjian.transfers.models import InflowRecord

from .conftest import at, why


@pytest.fixture
def inflow(world, profiled):
    """赵党员 of b1 flows to 西村 (b2) with a 活动证."""
    with at(2026, 10, 15):
        rec = transfers.flag_away(actor=world.users["secretary"], member=world.m_member, kind="flowing",
                                  since=dt.date(2026, 1, 1), whereabouts="西村", contact_person="王委员",
                                  inflow_org=world.b2, activity_cert_no="LD2026-0012")
    return InflowRecord.objects.get(pk=rec.pk)


def test_inflow_organization_collects_dues_of_a_certificate_holder(world, inflow, login):
    with at(2026, 10, 15):
        c = login(world.users["secretary2"])
        detail = c.get(reverse("transfers-flowing-in-detail", args=[inflow.pk])).content.decode()
        assert 'data-testid="inflow-pay"' in detail
        r = c.post(reverse("dues-inflow-pay", args=[inflow.pk]),
                   {"first_month": "2026-09", "months": 2, "paid_on": "2026-10-15", "method": "cash"})
        assert r.status_code == 302
    p = DuesPayment.objects.get()
    assert p.collected_by == world.b2 and p.member == world.m_member and p.org_path == world.m_member.org_path
    assert p.total == 162 and p.payer == "member"
    assert set(DuesBill.objects.filter(member=world.m_member, status=BillStatus.PAID).values_list("month", flat=True)) == {
        dt.date(2026, 9, 1), dt.date(2026, 10, 1)}
    assert InboxMessage.objects.filter(user=world.users["secretary"], kind="dues.paid_at_inflow").exists()


def test_refusals(world, inflow, login):
    with at(2026, 10, 15):
        with pytest.raises(ValidationError) as e:  # paying ahead needs the home branch's consent
            services.record_inflow_payment(actor=world.users["secretary2"], record=inflow, first_month=dt.date(2026, 11, 1),
                                           months=2, method="cash", paid_on=dt.date(2026, 10, 15))
        assert why(e.value) == [("branch_consent", "no_branch_consent")]
        inflow.activity_cert_no = ""
        inflow.save(update_fields=["activity_cert_no"])
        with pytest.raises(ValidationError) as e:
            services.record_inflow_payment(actor=world.users["secretary2"], record=inflow, first_month=dt.date(2026, 10, 1),
                                           months=1, method="cash", paid_on=dt.date(2026, 10, 15))
        assert why(e.value) == [(None, "no_activity_cert")]
        # nobody else may collect: the home branch's committee member and another town's staff
        assert login(world.users["committee"]).get(reverse("dues-inflow-pay", args=[inflow.pk])).status_code == 404  # no flowing_in view: not found
        assert login(world.users["town2_admin"]).get(reverse("dues-inflow-pay", args=[inflow.pk])).status_code == 404
    assert not DuesPayment.objects.exists()
