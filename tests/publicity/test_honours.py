"""Honour roll (时代先锋): selected by the superior (DESCENDANTS reach), shown publicly without personal data."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.publicity import services
from dangjian.publicity.models import HonourEntry

pytestmark = pytest.mark.django_db


def test_town_admin_selects_its_branch_not_itself_not_a_sibling(world):
    ta = world.users["town_admin"]
    e = services.select_honour(actor=ta, year=2025, kind="branch", org=world.b1, citation="组织生活规范，带领群众发展特色种植。")
    assert e.selected_by_org == world.t1 and e.display_name == "东村党支部"
    with pytest.raises(PermissionDenied):
        services.select_honour(actor=ta, year=2025, kind="branch", org=world.t1, citation="自评")
    with pytest.raises(PermissionDenied):
        services.select_honour(actor=ta, year=2025, kind="branch", org=world.b3, citation="外镇")
    with pytest.raises(PermissionDenied):
        services.select_honour(actor=world.users["secretary"], year=2025, kind="branch", org=world.g1, citation="x")
    # the county selects the town
    assert services.select_honour(actor=world.users["county_admin"], year=2025, kind="branch", org=world.t1, citation="全镇党建工作先进").pk
    assert HonourEntry.objects.count() == 2


def test_member_honour_and_duplicates(world):
    ta = world.users["town_admin"]
    e = services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_member, citation="带头参加志愿服务。")
    assert e.display_name == "赵党员" and e.org == world.b1
    with pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_member, citation="再次")
    assert ei.value.code == "already_honoured"
    with pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=None, citation="无人")
    assert [e.code for e in ei.value.error_dict["member"]] == ["no_member"]
    with pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="branch", org=world.b1, citation="")
    assert [e.code for e in ei.value.error_dict["citation"]] == ["no_citation"]
    # a member of a sibling town cannot be selected
    with pytest.raises(PermissionDenied):
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_b3[0], citation="外镇党员")


def test_public_roll_shows_name_org_citation_only_and_withdraw_hides(world, client):
    ta = world.users["town_admin"]
    e = services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_member, citation="三十年如一日照顾孤寡老人。")
    services.select_honour(actor=ta, year=2025, kind="branch", org=world.b2, citation="村集体经济收入翻番。")
    html = client.get(reverse("publicity-public-honours"), {"year": 2025}).content.decode()
    assert "赵党员" in html and "东村党支部" in html and "三十年如一日" in html and "西村党支部" in html
    m = world.m_member
    for secret in (m.id_number, m.phone, m.id_number[-4:] + "\n"):
        if secret:
            assert secret not in html
    with pytest.raises(PermissionDenied):
        services.withdraw_honour(actor=world.users["town2_admin"], entry=e, reason="x")
    services.withdraw_honour(actor=ta, entry=e, reason="评选程序有误")
    html = client.get(reverse("publicity-public-honours"), {"year": 2025}).content.decode()
    assert "赵党员" not in html and "西村党支部" in html


def test_staff_pages(world, login):
    c = login(world.users["town_admin"])
    r = c.get(reverse("publicity-honours"))
    assert r.status_code == 200 and "东村党支部" in r.content.decode()  # selectable list
    r = c.post(reverse("publicity-honour-select", args=[world.b1.pk]),
               {"year": 2025, "kind": "member", "member": world.m_member.pk, "citation": "事迹突出"})
    assert r.status_code == 302
    e = HonourEntry.objects.get()
    assert e.member == world.m_member
    assert c.get(reverse("publicity-honour-select", args=[world.t1.pk])).status_code == 403
    assert c.get(reverse("publicity-honour-select", args=[world.b3.pk])).status_code == 404
    r = c.post(reverse("publicity-honour-withdraw", args=[e.pk]), {"reason": "撤销"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert not e.active


def test_honour_form_errors_are_shown(world, login):
    c = login(world.users["town_admin"])
    r = c.post(reverse("publicity-honour-select", args=[world.b1.pk]), {"year": 2025, "kind": "member", "member": "", "citation": "x"})
    assert r.status_code == 200 and 'data-testid="error-member"' in r.content.decode()
    assert not HonourEntry.objects.exists()


# -- H2: who may be an excellent Communist Party member of a year -------------------------------------

def _restrict(member, kind, starts, ends=None):
    from dangjian.members.services import add_restriction

    return add_restriction(actor=None, member=member, kind=kind, starts_on=starts, ends_on=ends)


def test_member_under_probation_within_the_party_in_the_year_is_refused(world):
    import datetime as dt

    from django.utils import translation

    ta = world.users["town_admin"]
    _restrict(world.m_member, "probation", dt.date(2024, 6, 1), dt.date(2025, 3, 31))  # still in force in early 2025
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_member, citation="事迹")
    assert [e.code for e in ei.value.error_dict["member"]] == ["rights_restricted"]
    msg = ei.value.message_dict["member"][0]
    assert "赵党员" in msg and "2024-06-01" in msg, "the message names the member and the restriction"
    assert not HonourEntry.objects.exists()
    # the year after the rights were restored: eligible
    assert services.select_honour(actor=ta, year=2026, kind="member", org=world.b1, member=world.m_member, citation="事迹").pk


def test_restriction_starting_late_in_the_year_or_detention_is_refused_one_ending_before_is_not(world):
    import datetime as dt

    ta = world.users["town_admin"]
    _restrict(world.m_member, "probation", dt.date(2025, 12, 31))  # open-ended, from the last day of the year
    with pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_member, citation="事迹")
    assert [e.code for e in ei.value.error_dict["member"]] == ["rights_restricted"]
    _restrict(world.m_committee, "detained", dt.date(2025, 2, 1), dt.date(2025, 2, 20))
    with pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_committee, citation="事迹")
    assert [e.code for e in ei.value.error_dict["member"]] == ["rights_restricted"]
    # ended before the honour year began: no obstacle
    assert services.select_honour(actor=ta, year=2026, kind="member", org=world.b1, member=world.m_committee, citation="事迹").pk
    assert HonourEntry.objects.count() == 1


def test_closed_record_is_refused(world):
    from django.utils import translation

    m = world.m_b2[0]
    type(m).objects.filter(pk=m.pk).update(state="left")
    m.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.select_honour(actor=world.users["town_admin"], year=2025, kind="member", org=world.b2, member=m, citation="事迹")
    assert [e.code for e in ei.value.error_dict["member"]] == ["record_closed"]
    assert not HonourEntry.objects.exists()


def test_member_admitted_after_the_year_is_refused_probationary_of_the_year_is_not(world):
    from django.utils import translation

    ta = world.users["town_admin"]
    p = world.m_probationary  # admitted 2026-03-01
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=p, citation="事迹")
    assert [e.code for e in ei.value.error_dict["member"]] == ["joined_after_year"]
    # DOMAIN has no rule against a probationary member of the year: allowed
    assert services.select_honour(actor=ta, year=2026, kind="member", org=world.b1, member=p, citation="事迹").pk


def test_citation_with_personal_data_is_refused(world):
    import datetime as dt

    from django.utils import translation

    from tests.factories import make_id_number

    ta = world.users["town_admin"]
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="branch", org=world.b1, citation="书记电话 13812345678，欢迎联系。")
    assert [e.code for e in ei.value.error_dict["citation"]] == ["pii_mobile"]
    assert "138****5678" in ei.value.message_dict["citation"][0] and "13812345678" not in str(ei.value)
    idn = make_id_number(dt.date(1970, 1, 1))
    with pytest.raises(ValidationError) as ei:
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_member, citation=f"身份证 {idn}")
    assert [e.code for e in ei.value.error_dict["citation"]] == ["pii_id_number"] and idn not in str(ei.value)
    assert not HonourEntry.objects.exists()


def test_honour_form_shows_the_restriction_refusal(world, login):
    import datetime as dt

    _restrict(world.m_member, "probation", dt.date(2025, 5, 1))
    c = login(world.users["town_admin"])
    r = c.post(reverse("publicity-honour-select", args=[world.b1.pk]),
               {"year": 2025, "kind": "member", "member": world.m_member.pk, "citation": "事迹突出"}, HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="error-member"' in html and "restricted in 2025" in html
    assert not HonourEntry.objects.exists()
