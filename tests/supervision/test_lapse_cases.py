"""6 consecutive months without org life → a 自行脱党 review case (DOMAIN §11 member-level,
教育管理条例 art. 31(6)): opened by the monthly job in transfers' MembershipCase, once per member,
decided by people only."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.supervision import services
from dangjian.transfers.models import MembershipCase
from tests.supervision.conftest import at, meeting

pytestmark = pytest.mark.django_db
NOV_RUN = at(2026, 11, 1, 2, 0)   # grades October
DEC_RUN = at(2026, 12, 1, 2, 0)   # grades November


def _absent(world, months, status="absent", member=None):
    member = member or world.m_member
    for y, mo in months:
        meeting(world.b1, "theme_day", at(y, mo, 10), attendance={member: status, world.m_secretary: "present"})


def _cases(member):
    return list(MembershipCase.objects.filter(member=member, kind="lapsed"))


def test_six_months_absent_open_exactly_one_case_after_two_runs(world, frozen):
    from dangjian.notify.models import InboxMessage

    _absent(world, [(2026, m) for m in range(5, 11)])  # May … October
    frozen(2026, 11, 1, 2, 0)
    services.run_monthly(now=NOV_RUN)
    services.run_monthly(now=NOV_RUN)  # a re-run of the same month
    (case,) = _cases(world.m_member)
    assert case.status == "open" and case.org == world.b1 and case.opened_on == dt.date(2026, 11, 1)
    assert "第三十一条第六项" in case.basis  # the job writes in the default language (zh-hans)
    assert "6" in case.basis and "2026-05" in case.basis and "2026-10" in case.basis
    assert InboxMessage.objects.filter(user=world.users["secretary"], kind="transfers.case_opened").count() == 1
    world.m_member.refresh_from_db()
    assert world.m_member.state == "active", "the system never removes anyone"
    assert _cases(world.m_secretary) == []


def test_the_next_months_run_adds_no_second_case(world, frozen):
    _absent(world, [(2026, m) for m in range(5, 12)])  # May … November
    frozen(2026, 11, 1, 2, 0)
    services.run_monthly(now=NOV_RUN)
    frozen(2026, 12, 1, 2, 0)
    services.run_monthly(now=DEC_RUN)
    assert len(_cases(world.m_member)) == 1


def test_five_months_open_none(world):
    _absent(world, [(2026, m) for m in range(6, 11)])  # June … October
    assert services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN) == 0
    services.run_monthly(now=NOV_RUN)
    assert _cases(world.m_member) == []


def test_the_sixth_month_opens_it(world):
    _absent(world, [(2026, m) for m in range(6, 12)])  # June … November
    assert services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN) == 0
    assert services.raise_lapse_cases(dt.date(2026, 11, 1), now=DEC_RUN) == 1
    assert "2026-06" in _cases(world.m_member)[0].basis


def test_leave_or_attendance_breaks_the_run(world):
    _absent(world, [(2026, m) for m in (5, 6, 7, 9, 10)])
    _absent(world, [(2026, 8)], status="leave")  # on approved leave in August: a good reason
    assert services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN) == 0
    meeting(world.b1, "theme_day", at(2026, 8, 20), attendance={world.m_member: "absent"})
    assert services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN) == 1, "absent without leave at another meeting"
    MembershipCase.objects.all().delete()
    meeting(world.b1, "theme_day", at(2026, 7, 20), attendance={world.m_member: "present"})
    assert services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN) == 0, "attending once in July breaks the run"


def test_a_branch_that_held_nothing_raises_no_case(world):
    """Policy question left as is: months in which the branch held no meeting break the run."""
    _absent(world, [(2026, m) for m in (5, 6, 7, 9, 10)])  # nothing held in August
    assert services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN) == 0


def test_no_case_while_one_is_open_already(world):
    from dangjian.transfers import services as transfer_services

    transfer_services.open_case(actor=None, member=world.m_member, kind="lapsed", basis="失联满2年", on=dt.date(2026, 3, 1))
    _absent(world, [(2026, m) for m in range(5, 11)])
    assert services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN) == 0
    assert len(_cases(world.m_member)) == 1


def test_a_dismissed_case_is_raised_again_only_after_a_new_run_of_months(world, frozen):
    from dangjian.transfers import services as transfer_services

    _absent(world, [(2026, m) for m in range(5, 13)] + [(2027, m) for m in range(1, 6)])  # May 2026 … May 2027
    frozen(2026, 11, 2, 9, 0)
    assert services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN) == 1
    transfer_services.decide_case(actor=world.users["secretary"], case=_cases(world.m_member)[0], outcome="dismissed",
                                  note="支部大会：因病住院，有正当理由")
    frozen(2027, 6, 1, 2, 0)
    for month, opened in [(dt.date(2026, 11, 1), 0), (dt.date(2027, 3, 1), 0), (dt.date(2027, 4, 1), 0), (dt.date(2027, 5, 1), 1)]:
        assert services.raise_lapse_cases(month, now=at(2027, 6, 1, 2, 0)) == opened, month
    assert [c.status for c in sorted(_cases(world.m_member), key=lambda c: c.pk)] == ["dismissed", "open"]


def test_the_periodic_job_raises_cases(world, frozen):
    from dangjian.supervision.tasks import monthly_bulletin

    _absent(world, [(2026, m) for m in range(5, 11)])
    frozen(2026, 11, 1, 2, 0)
    monthly_bulletin.call_local()
    assert len(_cases(world.m_member)) == 1


def test_the_lapse_list_says_whether_a_case_is_open(world, login, frozen):
    from django.urls import reverse

    _absent(world, [(2026, m) for m in range(5, 11)])
    frozen(2026, 11, 3, 9, 0)
    c = login(world.users["town_admin"])
    url = reverse("supervision-lists", kwargs={"pk": world.t1.pk})
    html = c.get(url, {"list": "lapse", "month": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count('data-testid="lapse-case"') == 1 and "no open case" in html
    services.raise_lapse_cases(dt.date(2026, 10, 1), now=NOV_RUN)
    (case,) = _cases(world.m_member)
    html = c.get(url, {"list": "lapse", "month": "2026-10"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("transfers-case", args=[case.pk]) in html and "open since 2026-11-01" in html
    assert c.get(reverse("transfers-case", args=[case.pk])).status_code == 200
