"""The services of organizational relationship assert their actor (decisions.md 38): an actor of a
sibling organization is refused with ``not_permitted`` and nothing is written, whichever way the
service is reached; the actor the view's POLICY row allows succeeds. The daily job's steps are
the system's alone."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import policy
from dangjian.core.models import AuditEvent
from dangjian.members.models import Member
from dangjian.notify.models import InboxMessage
from dangjian.transfers import services as s
from dangjian.transfers.conf import cfg
from dangjian.transfers.models import AwayRecord, ContactLog, MembershipCase, Transfer
from dangjian.transfers.services.outside import warn_receipt_overdue
from tests.authz import assert_refused_then_allowed
from tests.factories import member_data

TODAY = dt.date.today()


def written():
    """Everything a transfers service writes, as comparable values."""
    return (
        list(Transfer.objects.order_by("pk").values_list("pk", "status", "letter_no", "receipt_warned")),
        list(AwayRecord.objects.order_by("pk").values_list("pk", "closed_on", "inflow_org_id", "last_contact_on")),
        list(MembershipCase.objects.order_by("pk").values_list("pk", "status")),
        list(Member.objects.order_by("pk").values_list("pk", "org_id", "state")),
        ContactLog.objects.count(), AuditEvent.objects.count(), InboxMessage.objects.count(),
    )


# -- data, set up by the system (actor None) -----------------------------------------------------

def pending(w, **kw):
    """b1 → b3 (another town), awaiting approval."""
    return s.request_transfer(actor=None, member=w.m_member, to_org=w.b3, **kw)


def issued(w):
    return s.approve_transfer(actor=w.users["town_admin"], transfer=pending(w), on=TODAY)


def left(w):
    t = s.request_transfer(actor=None, member=w.m_member, kind="out", to_name="外省某党组织")
    return s.approve_transfer(actor=w.users["town_admin"], transfer=t, on=TODAY)


def lost(w):
    return s.flag_away(actor=None, member=w.m_member, kind="lost", since=TODAY - dt.timedelta(days=30), whereabouts="去向不明")


def flowing(w):
    """A flowing member of b1 taking part in org life at b3 (art. 32)."""
    return s.flag_away(actor=None, member=w.m_member, kind="flowing", since=TODAY - dt.timedelta(days=300),
                       whereabouts="广东省深圳市", contact_person="王委员", inflow_org=w.b3)


def case(w):
    return s.open_case(actor=None, member=w.m_member, kind="stop", basis="失去联系超过6个月")


# -- each service: how to call it, the sibling refused, the actor of the view's POLICY row -------

def on(make, fn, arg, **kw):
    """Call ``fn`` on the row ``make`` sets up (``arg`` names the service's parameter for it)."""
    def build(w):
        row = make(w)
        return lambda actor: fn(actor=actor, **{arg: row}, **kw)
    return build


def direct(fn, **kw):
    """Call ``fn`` with keyword arguments read from the world (``kw`` values take the world)."""
    return lambda w: lambda actor: fn(actor=actor, **{k: v(w) for k, v in kw.items()})


def const(value):
    return lambda _w: value


CASES = {
    # the sending side: b1 (town t1); its sibling branch's secretary, its sibling town's admin
    "request_transfer": (direct(s.request_transfer, member=lambda w: w.m_member, to_org=lambda w: w.b3),
                         "secretary2", "secretary"),
    "confirm_request": (on(lambda w: pending(w, asked_by_member=True), s.confirm_request, "transfer"), "secretary2", "secretary"),
    "approve_transfer": (on(pending, s.approve_transfer, "transfer", on=TODAY), "town2_admin", "town_admin"),
    "refuse_transfer": (on(pending, s.refuse_transfer, "transfer", reason="材料不全"), "town2_admin", "town_admin"),
    "cancel_transfer": (on(pending, s.cancel_transfer, "transfer"), "secretary2", "secretary"),
    "mark_receipt_returned": (on(left, s.mark_receipt_returned, "transfer"), "secretary2", "secretary"),
    # the receiving side: b3 (town t2); the sending town's admin is the sibling there
    "accept_transfer": (on(issued, s.accept_transfer, "transfer"), "town_admin", "town2_admin"),
    "reject_transfer": (on(issued, s.reject_transfer, "transfer", reason="不接收"), "town_admin", "town2_admin"),
    "register_incoming": (direct(s.register_incoming, org=lambda w: w.b1, member_data=lambda _w: member_data(name="外来党员"),
                                 from_name=const("外省某支部"), external_letter_no=const("A-0001")),
                          "secretary2", "secretary"),
    # the registers and cases of b1
    "flag_away": (direct(s.flag_away, member=lambda w: w.m_member, kind=const("lost"), since=const(TODAY),
                         whereabouts=const("去向不明")),
                  "secretary2", "secretary"),
    "set_inflow": (on(flowing, s.set_inflow, "record", inflow_org=None, activity_cert_no=""), "secretary2", "secretary"),
    "log_contact": (on(lost, s.log_contact, "record", contacted_on=TODAY, method="phone"), "secretary2", "secretary"),
    "close_away": (on(lost, s.close_away, "record", reason="已联系上"), "secretary2", "secretary"),
    "open_case": (direct(s.open_case, member=lambda w: w.m_member, kind=const("stop"), basis=const("失去联系超过6个月")),
                  "secretary2", "secretary"),
    "raise_lapse_review": (direct(s.raise_lapse_review, member=lambda w: w.m_member, basis=const("连续6个月未参加组织生活"),
                                  since=const(TODAY.replace(day=1))),
                           "secretary2", "secretary"),
    "decide_case": (on(case, s.decide_case, "case", outcome="dismissed", note="支部大会研究，已恢复联系"), "secretary2", "secretary"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_sibling_is_refused_and_nothing_is_written(world, name):
    build, sibling, allowed = CASES[name]
    call = build(world)
    audit_rows = AuditEvent.objects.count()
    assert assert_refused_then_allowed(call, world.users[sibling], world.users[allowed], written) is not None
    assert AuditEvent.objects.count() > audit_rows


def test_a_member_asks_only_for_themselves(world):
    before = written()
    with pytest.raises(policy.NotPermitted) as exc:  # the member user asks a transfer for another member
        s.request_transfer(actor=world.users["member"], member=world.m_committee, to_org=world.b3, asked_by_member=True)
    assert exc.value.code == "not_permitted"
    with pytest.raises(policy.NotPermitted):  # and the secretary cannot "ask" in a member's name
        s.request_transfer(actor=world.users["secretary"], member=world.m_member, to_org=world.b3, asked_by_member=True)
    assert written() == before
    t = s.request_transfer(actor=world.users["member"], member=world.m_member, to_org=world.b3, asked_by_member=True)
    assert t.status == "requested" and t.member_id == world.m_member.pk


def test_the_refusal_comes_before_the_domain_error(world):
    """403 before "this cannot be done now": a sibling learns nothing of the transfer's state."""
    t = s.cancel_transfer(actor=None, transfer=pending(world))
    with pytest.raises(policy.NotPermitted):
        s.cancel_transfer(actor=world.users["secretary2"], transfer=t)
    with pytest.raises(policy.NotPermitted):
        s.refuse_transfer(actor=world.users["town2_admin"], transfer=t, reason="")


def _expire(w):
    t = issued(w)
    return lambda a: s.expire_transfer(actor=a, transfer=t, today=t.valid_until + dt.timedelta(days=1))


def _warn_receipt(w):
    t = left(w)
    return lambda a: warn_receipt_overdue(actor=a, transfer=t, today=t.valid_until + dt.timedelta(days=cfg("receipt_due_days") + 1))


@pytest.mark.parametrize("build", [_expire, _warn_receipt], ids=["expire_transfer", "warn_receipt_overdue"])
def test_the_daily_steps_are_the_systems_only(world, build):
    call = build(world)
    before = written()
    for who in ("city_admin", "secretary"):  # not even the top admin or the sending branch's secretary
        with pytest.raises(policy.NotPermitted) as exc:
            call(world.users[who])
        assert exc.value.code == "not_permitted"
    assert written() == before
    assert call(None)
    assert written() != before
