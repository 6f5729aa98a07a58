"""``raise_lapse_review``: the idempotent opening of a 自行脱党 review case that supervision's
monthly job calls (教育管理条例 art. 31(6), DOMAIN §11). People decide; nothing else changes."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.members import services as member_services
from dangjian.transfers import services as s
from dangjian.transfers.models import MembershipCase

pytestmark = pytest.mark.django_db
SINCE = dt.date(2026, 5, 1)
ON = dt.date(2026, 11, 1)


def raise_(world, member=None, since=SINCE):
    return s.raise_lapse_review(actor=None, member=member or world.m_member, basis="连续6个月未参加组织生活（第三十一条第六项）",
                                since=since, on=ON)


def test_opens_one_case_and_then_nothing(world):
    case = raise_(world)
    assert case.kind == "lapsed" and case.status == "open" and case.opened_on == ON and case.opened_by is None
    assert raise_(world) is None
    assert MembershipCase.objects.filter(member=world.m_member).count() == 1
    world.m_member.refresh_from_db()
    assert world.m_member.state == "active"


def test_a_decided_case_is_never_raised_again(world):
    case = raise_(world)
    MembershipCase.objects.filter(pk=case.pk).update(status="decided", decided_on=ON)
    assert raise_(world, since=dt.date(2027, 6, 1)) is None


@pytest.mark.parametrize("since,opened", [(ON, False), (ON + dt.timedelta(days=1), True)])
def test_a_dismissed_case_blocks_the_same_run_of_months_only(world, since, opened):
    case = raise_(world)
    MembershipCase.objects.filter(pk=case.pk).update(status="dismissed", decided_on=ON)
    assert (raise_(world, since=since) is not None) is opened


def test_a_member_no_longer_on_record_gets_none(world):
    member_services.close_record(actor=None, member=world.m_b2[0], reason="迁出平台")
    assert raise_(world, member=world.m_b2[0]) is None
    assert not MembershipCase.objects.exists()
