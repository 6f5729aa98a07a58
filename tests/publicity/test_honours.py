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
    with pytest.raises(ValidationError):
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=world.m_member, citation="再次")
    with pytest.raises(ValidationError):
        services.select_honour(actor=ta, year=2025, kind="member", org=world.b1, member=None, citation="无人")
    with pytest.raises(ValidationError):
        services.select_honour(actor=ta, year=2025, kind="branch", org=world.b1, citation="")
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
