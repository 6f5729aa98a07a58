"""Organizational relationship's monitor (issue 9 item 6): letters past their deadline without an
answer, through the registry, from transfers made with the transfers services."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from dangjian.core import indicators
from dangjian.members import services as member_services
from dangjian.transfers import services as s
from dangjian.transfers.models import TransferKind, TransferStatus
from tests.factories import member_data

M = dt.date
ISSUE = M(2027, 1, 10)


def at(day):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def letter(world, requester, approver, member, days, to=None, **kw):
    t = s.request_transfer(actor=world.users[requester], member=member, to_org=to, **kw)
    return s.approve_transfer(actor=world.users[approver], transfer=t, valid_days=days, on=ISSUE)


@pytest.fixture
def situation(world):
    """Letters issued on 10 January 2027:

    * b1 赵党员 → b3, valid until 20 January, never reported in (still ISSUED);
    * b1 钱预备 → b2, valid until 13 January, expired — then a new transfer was asked: superseded;
    * b2 西村党员0 → an organization outside the platform, valid until 9 February: receipt due 11 March;
    * b3 南村党员0 → b2, valid until 15 January, EXPIRED by the daily job's service."""
    w = world
    with at(ISSUE):
        for org in (w.b2, w.b3):  # a fourth full member, so that one may leave (条例 art. 4: ≥3)
            member_services.create_member(actor=None, org=org, data=member_data(name=f"{org.name}新党员"))
        w.t_b1 = letter(w, "secretary", "town_admin", w.m_member, 10, to=w.b3)
        w.t_old = letter(w, "secretary", "town_admin", w.m_probationary, 3, to=w.b2)
        w.t_out = letter(w, "secretary2", "town_admin", w.m_b2[0], 30, kind=TransferKind.OUT, to_name="外省某镇党委")
        w.t_b3 = letter(w, "town2_admin", "town2_admin", w.m_b3[0], 5, to=w.b2)
        s.expire_transfer(actor=None, transfer=w.t_old, today=M(2027, 1, 14))
        s.expire_transfer(actor=None, transfer=w.t_b3, today=M(2027, 1, 16))
        s.request_transfer(actor=w.users["secretary"], member=w.m_probationary, to_org=w.b2)
    return w


def found(org, today):
    with translation.override("en"):
        return indicators.findings("transfers.overdue", org=org, today=today)


def test_registered_with_the_rule():
    mon = indicators.monitor("transfers.overdue")
    assert "45号" in mon.rule_ref and mon.severity == "warning"


def test_overdue_letters_by_sending_subtree(situation):
    w = situation
    day = M(2027, 3, 12)
    b1 = found(w.b1, day)
    assert [(f.subject, f.org_path, f.due) for f in b1] == [("赵党员", w.b1.path, M(2027, 1, 20))]
    assert b1[0].url == reverse("transfers-detail", args=[w.t_b1.pk])
    assert b1[0].detail == f"Letter {w.t_b1.letter_no} to 南村党支部 expired on 2027-01-20 without report-in."
    t1 = found(w.t1, day)
    assert [(f.subject, f.due) for f in t1] == [("赵党员", M(2027, 1, 20)), ("西村党员0", M(2027, 3, 11))]
    assert "receipt" in t1[1].detail
    assert [(f.subject, f.org_path) for f in found(w.b3, day)] == [("南村党员0", w.b3.path)]  # b1's letter to b3 is b1's
    assert [f.subject for f in found(w.t2, day)] == ["南村党员0"]
    assert [f.subject for f in found(w.county, day)] == ["南村党员0", "赵党员", "西村党员0"]
    assert found(w.county2, day) == []


def test_deadlines_are_the_apps_own(situation):
    w = situation
    assert found(w.county, M(2027, 1, 15)) == []  # 南村党员0's letter is valid through the 15th
    assert [f.subject for f in found(w.county, M(2027, 1, 21))] == ["南村党员0", "赵党员"]
    assert [f.subject for f in found(w.b2, M(2027, 3, 11))] == []  # the receipt is due on 11 March
    assert [f.subject for f in found(w.b2, M(2027, 3, 12))] == ["西村党员0"]


def test_an_answered_letter_is_not_overdue(situation):
    w = situation
    with at(M(2027, 2, 20)):
        s.mark_receipt_returned(actor=w.users["secretary2"], transfer=w.t_out)
    assert [f.subject for f in found(w.t1, M(2027, 3, 12))] == ["赵党员"]
    assert w.t_old.__class__.objects.get(pk=w.t_old.pk).status == TransferStatus.EXPIRED  # superseded, not listed


@pytest.mark.parametrize("org", ["b1", "county"])
def test_one_query_for_one_and_for_three_organizations(situation, django_assert_num_queries, org):
    with django_assert_num_queries(1):
        found(getattr(situation, org), M(2027, 3, 12))
