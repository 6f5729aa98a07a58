"""Flowing and lost-contact members and their cases (DOMAIN §5 arts. 24, 32-34; §11), with the
clock frozen at the 6-month / 2-year / 5-year edges. Nobody is ever stopped or removed by the
system: only cases are opened."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dangjian.core.errors import codes
from dangjian.members.models import Member
from dangjian.notify.models import InboxMessage
from dangjian.transfers import services as s
from dangjian.transfers.models import AwayRecord, CaseKind, CaseStatus, MembershipCase

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@contextmanager
def at(day: dt.date):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def flowing(world, since, **kw):
    data = {"whereabouts": "广东省深圳市", "contact_person": "王委员"} | kw
    return s.flag_away(actor=world.users["secretary"], member=world.m_member, kind="flowing", since=since, **data)


def test_flowing_means_away_six_months(world):
    with at(dt.date(2027, 3, 10)):
        with pytest.raises(ValidationError) as e:
            flowing(world, dt.date(2026, 9, 11))
        assert codes(e.value) == ["not_away_long_enough"]
        assert not AwayRecord.objects.exists()
        assert flowing(world, dt.date(2026, 9, 10)).kind == "flowing"


def test_flowing_needs_a_named_contact(world):
    with at(dt.date(2027, 3, 10)):
        with pytest.raises(ValidationError) as e:
            flowing(world, dt.date(2026, 1, 1), contact_person="  ")
        assert codes(e.value) == ["no_contact_person"]
        with pytest.raises(ValidationError):
            flowing(world, dt.date(2026, 1, 1), whereabouts="")
        flowing(world, dt.date(2026, 1, 1))
        with pytest.raises(ValidationError) as e:
            flowing(world, dt.date(2026, 1, 1))
        assert codes(e.value) == ["already_registered"]


def test_no_contact_warning_at_six_months(world):
    with at(dt.date(2027, 1, 5)):
        rec = flowing(world, dt.date(2026, 1, 1))
        s.log_contact(actor=None, record=rec, contacted_on=dt.date(2026, 7, 5), method="phone")
        s.log_contact(actor=None, record=rec, contacted_on=dt.date(2026, 12, 1), method="phone", reached=False)
    rec.refresh_from_db()
    assert rec.last_contact_on == dt.date(2026, 7, 5), "an unanswered call is not a contact"
    assert [f[0] for f in s.away_findings(rec, dt.date(2027, 1, 4))] == []
    assert [f[0] for f in s.away_findings(rec, dt.date(2027, 1, 5))] == ["R2"]
    with at(dt.date(2027, 1, 5)):
        assert s.run_daily()["no_contact"] == 1
        assert s.run_daily()["no_contact"] == 0, "once a month, not every day"
    assert InboxMessage.objects.filter(kind="transfers.no_contact", user=world.users["secretary"]).exists()


def test_lost_contact_opens_stop_case_at_six_months_never_stops_anyone(world):
    with at(dt.date(2026, 12, 1)):
        rec = s.flag_away(actor=None, member=world.m_member, kind="lost", since=dt.date(2026, 6, 2))
        assert s.run_daily()["cases"] == 0
    with at(dt.date(2026, 12, 2)):
        assert s.run_daily()["cases"] == 1
        assert s.run_daily()["cases"] == 0
    case = MembershipCase.objects.get(member=world.m_member)
    assert case.kind == CaseKind.STOP and case.status == CaseStatus.OPEN and case.record == rec
    assert Member.objects.get(pk=world.m_member.pk).state == "active"


def test_two_years_after_stop_a_removal_review_case(world):
    with at(dt.date(2026, 12, 2)):
        case = s.open_case(actor=None, member=world.m_member, kind=CaseKind.STOP, basis="失联超过6个月")
        with pytest.raises(ValidationError):
            s.decide_case(actor=None, case=case, outcome="decided", note="")
        s.decide_case(actor=world.users["secretary"], case=case, outcome="decided", note="支部大会决定停止党籍，镇党委批准")
    with at(dt.date(2028, 12, 1)):
        assert s.run_daily()["cases"] == 0
    with at(dt.date(2028, 12, 2)):
        assert s.run_daily()["cases"] == 1
    lapsed = MembershipCase.objects.get(member=world.m_member, kind=CaseKind.LAPSED)
    assert lapsed.status == CaseStatus.OPEN
    assert Member.objects.get(pk=world.m_member.pk).state == "active"


def test_abroad_contact_every_six_months_and_stop_case_after_five_years(world):
    with at(dt.date(2026, 12, 1)):
        rec = s.flag_away(actor=None, member=world.m_member, kind="abroad", since=dt.date(2021, 12, 2), whereabouts="英国")
        s.log_contact(actor=None, record=rec, contacted_on=dt.date(2026, 11, 1), method="message")
    rec.refresh_from_db()
    assert s.away_findings(rec, dt.date(2026, 12, 1)) == []
    assert [f[0] for f in s.away_findings(rec, dt.date(2026, 12, 2))] == ["R5"]
    assert [f[0] for f in s.away_findings(rec, dt.date(2027, 5, 1))] == ["R4", "R5"]


def test_graduate_relationship_at_school_more_than_two_years(world):
    with at(dt.date(2026, 7, 1)):
        rec = s.flag_away(actor=None, member=world.m_member, kind="graduate", since=dt.date(2024, 7, 1))
    assert s.away_findings(rec, dt.date(2026, 7, 1)) == []
    assert [f[0] for f in s.away_findings(rec, dt.date(2026, 7, 2))] == ["R6"]


def test_register_pages(world, login):
    with at(dt.date(2027, 3, 10)):
        rec = flowing(world, dt.date(2026, 1, 1))
        c = login(world.users["secretary"])
        r = c.post(reverse("transfers-away-contact", args=[rec.pk]),
                   {"contacted_on": "2027-03-01", "method": "phone", "reached": "on", "note": "在深圳务工"})
        assert r.status_code == 302
        body = c.get(reverse("transfers-away", args=[world.b1.pk])).content.decode()
        assert "赵党员" in body and "王委员" in body
        body = c.get(reverse("transfers-away-detail", args=[rec.pk])).content.decode()
        assert "在深圳务工" in body
        assert login(world.users["committee"]).post(reverse("transfers-away-contact", args=[rec.pk])).status_code == 403
