"""The escalated 3-month arrears warning (DOMAIN §11 Dues "[warn, escalated] 3 months"): also to
the org admins of the nearest superior Party committee, once per member and arrears episode."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import services as org_services
from dangjian.core.dates import month_start_offset
from dangjian.core.models import AuditEvent, RoleAssignment
from dangjian.dues import services
from dangjian.dues.models import ArrearsNotice, DuesBill
from dangjian.notify.models import InboxMessage

from .conftest import at

pytestmark = pytest.mark.django_db
M = dt.date
KIND = "dues.arrears_3_superior"


def _bills(org, first, last):
    m = first
    while m <= last:
        services.generate_bills(actor=None, month=m, org=org)
        m = month_start_offset(m, 1)


def _everyone_but(world, member, months, paid_on):
    """All b1 members except ``member`` pay ``months`` (so only ``member`` is in arrears)."""
    for m in (world.m_secretary, world.m_committee, world.m_probationary, world.m_group, world.m_member):
        if m.pk == member.pk:
            continue
        for mo in months:
            if DuesBill.objects.filter(member=m, month=mo, status="unpaid").exists():
                services.record_payment(actor=world.users["secretary"], member=m, first_month=mo, months=1,
                                        method="cash", paid_on=paid_on)


def _told(user):
    return InboxMessage.objects.filter(user=user, kind=KIND).count()


def test_three_months_go_to_the_town_admins_once_one_month_does_not(world, profiled):
    ta, ca, t2 = world.users["town_admin"], world.users["county_admin"], world.users["town2_admin"]
    with at(2026, 6, 1):
        _bills(world.b1, M(2026, 1, 1), M(2026, 5, 1))
        _everyone_but(world, world.m_member, [M(2026, m, 1) for m in range(1, 6)], M(2026, 6, 1))
    with at(2026, 2, 2):  # January unpaid: the member and the secretary only
        assert services.run_arrears()["escalated"] == 0
        assert _told(ta) == 0
    with at(2026, 3, 2):
        assert services.run_arrears()["escalated"] == 0
    with at(2026, 4, 1):  # January–March unpaid
        c = services.run_arrears()
        assert c["warn3"] == 1 and c["escalated"] == 1
        assert _told(ta) == 1 and _told(ca) == 0 and _told(t2) == 0
        assert _told(world.users["secretary"]) == 0 and _told(world.users["member"]) == 0
        msg = InboxMessage.objects.get(user=ta, kind=KIND)
        assert "赵党员" in msg.title and "东村党支部" in msg.title
        assert services.run_arrears()["escalated"] == 0  # the daily job: once
    for day in (M(2026, 5, 2), M(2026, 6, 1)):  # four, five months: the same episode, no repeat
        with at(day.year, day.month, day.day):
            assert services.run_arrears()["escalated"] == 0
    assert _told(ta) == 1
    n = ArrearsNotice.objects.get(member=world.m_member, level=3)
    assert n.escalated_to == world.t1 and n.escalated_at is not None
    ev = AuditEvent.objects.get(action="dues.arrears_escalated")
    assert ev.data["to"] == world.t1.pk and "phone" not in str(ev.data)


def test_a_new_arrears_episode_is_escalated_again(world, profiled):
    ta = world.users["town_admin"]
    with at(2026, 9, 1):
        _bills(world.b1, M(2026, 1, 1), M(2026, 8, 1))
        _everyone_but(world, world.m_member, [M(2026, m, 1) for m in range(1, 9)], M(2026, 9, 1))
    with at(2026, 4, 1):
        services.run_arrears()
    assert _told(ta) == 1
    with at(2026, 4, 10):  # the member pays January–April: the episode ends
        services.record_payment(actor=world.users["secretary"], member=world.m_member, first_month=M(2026, 1, 1), months=4,
                                method="cash", paid_on=M(2026, 4, 10))
    with at(2026, 8, 1):  # May–July unpaid: a new episode
        assert services.run_arrears()["escalated"] == 1
    assert _told(ta) == 2
    assert set(ArrearsNotice.objects.filter(level=3).values_list("since_month", flat=True)) == {M(2026, 1, 1), M(2026, 5, 1)}


def test_a_party_group_member_escalates_to_the_town_of_the_branch(world, profiled):
    with at(2026, 4, 1):
        _bills(world.b1, M(2026, 1, 1), M(2026, 3, 1))
        _everyone_but(world, world.m_group, [M(2026, m, 1) for m in range(1, 4)], M(2026, 4, 1))
        services.run_arrears()
    assert _told(world.users["town_admin"]) == 1
    assert ArrearsNotice.objects.get(member=world.m_group, level=3).escalated_to == world.t1


def test_a_committee_without_admins_is_passed_over_and_no_admin_at_all_waits(world, profiled):
    ta, ca = world.users["town_admin"], world.users["county_admin"]
    RoleAssignment.objects.filter(user=ta, org=world.t1).update(active=False)
    with at(2026, 4, 1):
        _bills(world.b1, M(2026, 1, 1), M(2026, 3, 1))
        _everyone_but(world, world.m_member, [M(2026, m, 1) for m in range(1, 4)], M(2026, 4, 1))
        services.run_arrears()
    # the town has nobody to tell: the county committee's admins hear of it
    assert _told(ca) == 1 and _told(ta) == 0


def test_no_superior_admin_at_all_is_told_later_once(world, profiled):
    RoleAssignment.objects.filter(role="org_admin").update(active=False)
    with at(2026, 4, 1):
        _bills(world.b1, M(2026, 1, 1), M(2026, 3, 1))
        _everyone_but(world, world.m_member, [M(2026, m, 1) for m in range(1, 4)], M(2026, 4, 1))
        c = services.run_arrears()
        assert c["warn3"] == 1 and c["escalated"] == 0
        assert ArrearsNotice.objects.get(level=3).escalated_at is None
    RoleAssignment.objects.filter(user=world.users["town_admin"], org=world.t1).update(active=True)
    with at(2026, 4, 2):
        assert services.run_arrears()["escalated"] == 1
        assert services.run_arrears()["escalated"] == 0
    assert _told(world.users["town_admin"]) == 1


def test_superior_committee_skips_a_general_branch(world):
    gb = org_services.create_organization(actor=None, parent=world.t1, name="东片党总支", kind="general_branch")
    br = org_services.create_organization(actor=None, parent=gb, name="东片一支部", kind="branch")
    assert services.superior_committee(br) == world.t1
    assert services.superior_committee(world.b3) == world.t2
    assert services.superior_committee(world.b4) == world.city  # 北镇 and D县委 have no org admin in the world


def test_superior_committee_of_a_town_with_its_own_admin(world):
    assert services.superior_committee(world.b1) == world.t1
    assert services.superior_committee(world.t1) == world.county


def test_arrears_page_shows_where_the_warning_was_reported(world, profiled, login):
    from django.urls import reverse

    with at(2026, 4, 1):
        _bills(world.b1, M(2026, 1, 1), M(2026, 3, 1))
        _everyone_but(world, world.m_member, [M(2026, m, 1) for m in range(1, 4)], M(2026, 4, 1))
        services.run_arrears()
    with at(2026, 4, 2):
        c = login(world.users["town_admin"])
        html = c.get(reverse("dues-arrears"), {"org": world.t1.pk}).content.decode()
        cell = html.split(f'data-testid="escalated-{world.m_member.pk}">', 1)[1].split("</td>", 1)[0]
        assert "东镇党委" in cell and "2026-04-01" in cell
