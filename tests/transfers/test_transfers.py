"""Transfers of organizational relationship (DOMAIN §5, §11): the rules at their edges."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import translation

from dangjian.core.errors import codes
from dangjian.core.models import AuditEvent
from dangjian.core.policy import NotPermitted
from dangjian.core.services import create_organization, grant_role
from dangjian.members.models import Member, MemberOrgHistory
from dangjian.notify.models import InboxMessage
from dangjian.transfers import services as s
from dangjian.transfers.models import Transfer, TransferKind, TransferStatus

D = dt.date.today()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@contextmanager
def at(day: dt.date):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def req(world, member=None, to=None, **kw):
    return s.request_transfer(actor=world.users["secretary"], member=member or world.m_member, to_org=to or world.b3, **kw)


def issued(world, member=None, to=None, days=None, on=D):
    t = req(world, member, to)
    return s.approve_transfer(actor=world.users["town_admin"], transfer=t, valid_days=days, dues_paid_to=dt.date(2026, 4, 1), on=on)


def test_full_transfer_moves_member_with_contiguous_history(world):
    t = req(world)
    assert t.status == TransferStatus.PENDING and t.from_path == world.b1.path and t.to_path == world.b3.path
    t = s.approve_transfer(actor=world.users["town_admin"], transfer=t, on=D)
    assert t.status == TransferStatus.ISSUED and t.letter_no.startswith("ZZ2026") and t.valid_until == D + dt.timedelta(days=10)
    m = Member.objects.get(pk=world.m_member.pk)
    assert m.org_id == world.b1.pk, "the sending organization stays responsible until receipt"
    with at(D + dt.timedelta(days=3)):
        t = s.accept_transfer(actor=world.users["town2_admin"], transfer=t)
    m = Member.objects.get(pk=world.m_member.pk)
    assert t.status == TransferStatus.ACCEPTED and m.org_id == world.b3.pk and m.org_path == world.b3.path
    hist = list(MemberOrgHistory.objects.filter(member=m).order_by("started_on", "id"))
    assert [h.org_id for h in hist] == [world.b1.pk, world.b3.pk]
    assert hist[0].ended_on == hist[1].started_on == D + dt.timedelta(days=3) and hist[1].ended_on is None
    assert t.letter_no in hist[1].reason
    assert InboxMessage.objects.filter(kind="transfers.report_in", user=world.users["member"]).exists(), "the member is told where to report"
    assert InboxMessage.objects.filter(kind="transfers.accepted", user=world.users["secretary"]).exists()
    actions = set(AuditEvent.objects.filter(object_id=str(t.pk)).values_list("action", flat=True))
    assert {"transfers.request", "transfers.approve", "transfers.accept"} <= actions


def test_default_validity_same_city_10_elsewhere_30(world):
    assert s.default_valid_days(Transfer(kind="internal", from_org=world.b1, to_org=world.b4)) == 10
    city2 = create_organization(actor=None, parent=None, name="N市委", kind="city")
    county = create_organization(actor=None, parent=city2, name="E县委", kind="county")
    far = create_organization(actor=None, parent=county, name="远村党支部", kind="branch")
    t = s.request_transfer(actor=None, member=world.m_member, to_org=far)
    assert s.default_valid_days(t) == 30
    assert s.default_valid_days(Transfer(kind=TransferKind.OUT, from_org=world.b1)) == 30


@pytest.mark.parametrize("days,ok", [(0, False), (1, True), (90, True), (91, False)])
def test_validity_at_most_three_months(world, days, ok):
    t = req(world)
    if ok:
        assert s.approve_transfer(actor=world.users["town_admin"], transfer=t, valid_days=days, on=D).valid_days == days
    else:
        with pytest.raises(ValidationError):
            s.approve_transfer(actor=world.users["town_admin"], transfer=t, valid_days=days, on=D)
        t.refresh_from_db()
        assert t.status == TransferStatus.PENDING and t.letter_no is None


def test_accept_on_last_valid_day_but_not_after(world):
    t = issued(world, days=10)
    with at(D + dt.timedelta(days=11)), pytest.raises(ValidationError) as e:
        s.accept_transfer(actor=world.users["town2_admin"], transfer=t)
    assert codes(e.value) == ["letter_expired"]
    assert Member.objects.get(pk=world.m_member.pk).org_id == world.b1.pk
    with at(D + dt.timedelta(days=10)):
        s.accept_transfer(actor=world.users["town2_admin"], transfer=t)
    assert Member.objects.get(pk=world.m_member.pk).org_id == world.b3.pk


def test_expiry_only_after_last_valid_day_and_both_sides_told(world):
    t = issued(world, days=10)
    with pytest.raises(ValidationError):
        s.expire_transfer(actor=None, transfer=t, today=D + dt.timedelta(days=10))
    before = InboxMessage.objects.filter(kind="transfers.expired").count()
    s.run_daily(today=D + dt.timedelta(days=11))
    t.refresh_from_db()
    assert t.status == TransferStatus.EXPIRED
    users = set(InboxMessage.objects.filter(kind="transfers.expired").values_list("user__username", flat=True))
    assert InboxMessage.objects.filter(kind="transfers.expired").count() > before
    assert {"secretary", "town_admin", "town2_admin"} & users >= {"secretary"}
    assert Member.objects.get(pk=world.m_member.pk).org_id == world.b1.pk


def test_reminder_three_days_before_the_letter_expires(world):
    t = issued(world, days=10)
    assert s.run_daily(today=D + dt.timedelta(days=6))["expiring"] == 0
    assert s.run_daily(today=D + dt.timedelta(days=7))["expiring"] == 1
    assert InboxMessage.objects.filter(kind="transfers.expiring", user=world.users["town2_admin"]).exists()
    assert InboxMessage.objects.filter(kind="transfers.expiring", user=world.users["member"]).exists()
    t.refresh_from_db()
    assert t.status == TransferStatus.ISSUED


def test_only_the_upper_committee_approves(world):
    t = req(world)
    for who in ("secretary", "town2_admin"):  # no "transfer.approve" over b1: refused before any rule
        with pytest.raises(NotPermitted) as e:
            s.approve_transfer(actor=world.users[who], transfer=t, on=D)
        assert e.value.code == "not_permitted"
    branch_admin = get_user_model().objects.create_user(username="b1_admin", password="x")
    grant_role(actor=None, user=branch_admin, org=world.b1, role="org_admin")
    with pytest.raises(ValidationError) as e:  # in scope, but the branch never approves its own transfer
        s.approve_transfer(actor=branch_admin, transfer=t, on=D)
    assert codes(e.value) == ["not_approver"]
    t.refresh_from_db()
    assert t.status == TransferStatus.PENDING
    assert s.approve_transfer(actor=world.users["county_admin"], transfer=t, on=D).status == TransferStatus.ISSUED


def test_approver_kinds_configurable(world, settings):
    settings.DANGJIAN_TRANSFERS = {"approver_kinds": ["county"]}
    t = req(world)
    with pytest.raises(ValidationError):
        s.approve_transfer(actor=world.users["town_admin"], transfer=t, on=D)
    assert s.approve_transfer(actor=world.users["county_admin"], transfer=t, on=D).status == TransferStatus.ISSUED


def test_one_open_transfer_per_member(world):
    req(world)
    with pytest.raises(ValidationError) as e:
        req(world, to=world.b2)
    assert codes(e.value) == ["open_transfer_exists"]
    assert Transfer.objects.filter(member=world.m_member).count() == 1


def test_branch_minimum_blocks_at_request(world):
    req(world)  # b1: 4 full members -> 3 after
    with pytest.raises(ValidationError) as e:
        req(world, member=world.m_committee)
    assert codes(e.value) == ["below_minimum"]
    assert not Transfer.objects.filter(member=world.m_committee).exists()


def test_destination_must_hold_members(world):
    with pytest.raises(ValidationError):
        req(world, to=world.t2)
    with pytest.raises(ValidationError):
        req(world, to=world.b1)


def test_refusal_and_rejection_need_reasons(world):
    t = req(world)
    with pytest.raises(ValidationError):
        s.refuse_transfer(actor=world.users["town_admin"], transfer=t, reason=" ")
    s.refuse_transfer(actor=world.users["town_admin"], transfer=t, reason="材料不全")
    t.refresh_from_db()
    assert t.status == TransferStatus.REJECTED and t.decision_note == "材料不全"
    t2 = issued(world)
    with pytest.raises(ValidationError):
        s.reject_transfer(actor=world.users["town2_admin"], transfer=t2, reason="")
    s.reject_transfer(actor=world.users["town2_admin"], transfer=t2, reason="不在本村居住")
    t2.refresh_from_db()
    assert t2.status == TransferStatus.REJECTED
    assert Member.objects.get(pk=world.m_member.pk).org_id == world.b1.pk
    with pytest.raises(ValidationError):
        s.accept_transfer(actor=world.users["town2_admin"], transfer=t2)


def test_member_asks_secretary_confirms(world):
    t = s.request_transfer(actor=world.users["member"], member=world.m_member, to_org=world.b3, asked_by_member=True)
    assert t.status == TransferStatus.REQUESTED
    assert InboxMessage.objects.filter(kind="transfers.asked", user=world.users["secretary"]).exists()
    with pytest.raises(ValidationError):
        s.approve_transfer(actor=world.users["town_admin"], transfer=t, on=D)
    s.confirm_request(actor=world.users["secretary"], transfer=t)
    assert InboxMessage.objects.filter(kind="transfers.approval_needed", user=world.users["town_admin"]).exists()


def test_outside_letter_member_leaves_then_receipt(world):
    from dangjian.core import rollups

    before = rollups.counts_for(world.b1).get("total", 0)
    t = s.request_transfer(actor=world.users["secretary"], member=world.m_member, kind=TransferKind.OUT, to_name="上海市某街道党工委")
    t = s.approve_transfer(actor=world.users["town_admin"], transfer=t, valid_days=30, on=D)
    m = Member.objects.get(pk=world.m_member.pk)
    assert t.status == TransferStatus.LEFT and m.state == "left"
    assert InboxMessage.objects.filter(kind="transfers.report_in", user=world.users["member"]).exists()
    assert MemberOrgHistory.objects.get(member=m, org=world.b1).ended_on == D
    assert rollups.counts_for(world.b1).get("total", 0) == before - 1
    assert not s.receipt_overdue(t, D + dt.timedelta(days=60))
    assert s.receipt_overdue(t, D + dt.timedelta(days=61))
    with pytest.raises(ValidationError):
        s.mark_receipt_returned(actor=None, transfer=t, on=D - dt.timedelta(days=1))
    s.mark_receipt_returned(actor=world.users["secretary"], transfer=t, on=D)
    t.refresh_from_db()
    assert t.status == TransferStatus.RECEIVED


def test_receipt_warning_once(world):
    t = s.request_transfer(actor=None, member=world.m_member, kind=TransferKind.OUT, to_name="外地")
    t = s.approve_transfer(actor=world.users["town_admin"], transfer=t, valid_days=10, on=D)
    assert s.run_daily(today=D + dt.timedelta(days=40))["receipt"] == 0
    assert s.run_daily(today=D + dt.timedelta(days=41))["receipt"] == 1
    assert s.run_daily(today=D + dt.timedelta(days=42))["receipt"] == 0


def test_register_incoming_from_outside(world):
    from tests.factories import member_data

    t = s.register_incoming(actor=world.users["town2_admin"], org=world.b3, member_data=member_data(name="外来党员"),
                            from_name="外省某支部", external_letter_no="A-0001", dues_paid_to=dt.date(2026, 4, 15))
    m = t.member
    assert t.status == TransferStatus.REGISTERED and m.org_id == world.b3.pk and t.dues_paid_to == dt.date(2026, 4, 1)
    assert "A-0001" in MemberOrgHistory.objects.get(member=m).reason
    with pytest.raises(ValidationError):
        s.register_incoming(actor=None, org=world.b3, member_data=member_data(name="无号"), from_name="x", external_letter_no="")
    assert not Member.objects.filter(name="无号").exists()


def test_letter_code_checks(world):
    t = issued(world)
    code = s.letter_code(t)
    assert len(code) == 10 and s.verify_letter(t.letter_no, code) == t
    assert s.verify_letter(t.letter_no, "A" * 10) is None
    assert s.verify_letter("ZZ0000000000", code) is None
