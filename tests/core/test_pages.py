"""The pages a user walks through render, show the right things and hide the rest."""
import pytest
from django.urls import reverse

from dangjian.core.models import AuditEvent, Organization
from dangjian.members.models import Member


def test_login_page_is_chinese_by_default(client, db):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    assert "登录" in r.content.decode()


def test_home_shows_subtree_total_for_county_admin(world, login):
    c = login(world.users["county_admin"])
    r = c.get(reverse("home"))
    assert r.status_code == 200
    assert world.county.name in r.content.decode()


def test_tree_and_children_partial(world, login):
    c = login(world.users["town_admin"])
    body = c.get(reverse("org-tree")).content.decode()
    assert world.t1.name in body and world.t2.name not in body and world.county.name not in body
    part = c.get(reverse("org-children", args=[world.t1.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert world.b1.name in part and world.b2.name in part


def test_org_detail_shows_secretary_counts_and_members(world, login):
    c = login(world.users["town_admin"])
    body = c.get(reverse("org-detail", args=[world.b1.pk])).content.decode()
    assert "李书记" in body
    assert world.m_member.name in body
    assert world.m_member.id_number not in body  # masked
    assert world.m_member.id_number[:4] + "*" * 14 in body
    assert world.m_member.id_number[-4:] not in body  # the tail (sequence, check character) never shows


def test_roster_search_by_full_id_number(world, login):
    c = login(world.users["county_admin"])
    r = c.get(reverse("member-roster"), {"q": world.m_member.id_number})
    body = r.content.decode()
    assert world.m_member.name in body and world.m_secretary.name not in body


def test_roster_filter_and_keyset_pages(world, login):
    c = login(world.users["county_admin"])
    body = c.get(reverse("member-roster"), {"org": world.county.pk, "gender": "F"}).content.decode()
    assert world.m_member.name in body and world.m_secretary.name not in body


def test_reveal_is_audited(world, login):
    c = login(world.users["secretary"])
    before = AuditEvent.objects.filter(action="member.reveal").count()
    r = c.post(reverse("member-reveal", args=[world.m_member.pk, "id_number"]), {"purpose": "transfer"})
    assert r.status_code == 200 and world.m_member.id_number in r.content.decode()
    assert AuditEvent.objects.filter(action="member.reveal").count() == before + 1


def test_add_member_with_bad_check_digit_shows_form_error(world, login):
    from tests.factories import member_data

    c = login(world.users["secretary"])
    data = member_data(name="新党员")
    data["id_number"] = data["id_number"][:17] + ("0" if data["id_number"][17] != "0" else "1")
    data["org"] = world.b1.pk
    data = {k: ("" if v is None else v) for k, v in data.items()}
    n = Member.objects.count()
    r = c.post(reverse("member-add"), data)
    assert r.status_code == 200
    assert "GB 11643" in r.content.decode()
    assert Member.objects.count() == n


def test_add_child_org_and_move_refuses_cycle(world, login):
    c = login(world.users["county_admin"])
    r = c.post(reverse("org-add-child", args=[world.t1.pk]), {"name": "新村党支部", "kind": "branch", "area_type": "village", "unit_count": 1})
    assert r.status_code == 302
    new = Organization.objects.get(name="新村党支部")
    assert new.parent_id == world.t1.pk
    # the move form only offers valid targets; posting a descendant is refused with a message
    r = c.post(reverse("org-move", args=[world.t1.pk]), {"target": world.b2.pk})
    assert r.status_code == 200
    world.t1.refresh_from_db()
    assert world.t1.parent_id == world.county.pk


@pytest.mark.parametrize("name", ["member-roster", "org-tree", "home"])
def test_english_switch(world, login, name):
    c = login(world.users["county_admin"])
    c.post(reverse("set_language"), {"language": "en"})
    r = c.get(reverse(name))
    assert r.status_code == 200


def test_grant_role_creates_account_and_audits(world, login):
    from django.contrib.auth import get_user_model

    c = login(world.users["town_admin"])
    r = c.post(reverse("org-roles", args=[world.b2.pk]), {"username": "new_sec", "role": "secretary", "password": "short"})
    assert r.status_code == 200 and not get_user_model().objects.filter(username="new_sec").exists()
    assert "password_too_short" in [e.code for e in r.context["form"].errors.as_data()["password"]]  # the validator's own code
    r = c.post(reverse("org-roles", args=[world.b2.pk]), {"username": "new_sec", "role": "secretary", "password": "a-long-enough-passphrase"})
    assert r.status_code == 302
    u = get_user_model().objects.get(username="new_sec")
    assert u.password.startswith(("argon2", "md5"))
    assert AuditEvent.objects.filter(action="role.grant", data__username="new_sec").exists()
    assert AuditEvent.objects.filter(action="user.create", data__username="new_sec").exists()
    # the new secretary sees B2 and not B1
    c2 = login(u, c.__class__())
    assert c2.get(reverse("org-detail", args=[world.b2.pk])).status_code == 200
    assert c2.get(reverse("org-detail", args=[world.b1.pk])).status_code == 404


def test_dissolve_refused_while_members_remain_then_history_readable(world, login):
    c = login(world.users["town_admin"])
    r = c.post(reverse("org-dissolve", args=[world.b2.pk]), {"reason": "村庄撤并"})
    assert r.status_code == 200 and Organization.objects.get(pk=world.b2.pk).status == "active"
    r = c.post(reverse("org-merge", args=[world.b2.pk]), {"target": world.b1.pk, "reason": "村庄撤并 2026-11"})
    assert r.status_code == 302
    b2 = Organization.objects.get(pk=world.b2.pk)
    assert b2.status == "merged" and b2.merged_into_id == world.b1.pk
    assert Member.objects.filter(org=world.b1, name__startswith="西村党员").count() == 3
    # the merged organization stays readable to its superiors, with its history
    assert c.get(reverse("org-detail", args=[b2.pk])).status_code == 200
    assert c.get(reverse("org-history", args=[b2.pk])).status_code == 200


def test_org_search_is_scoped(world, login):
    c = login(world.users["town_admin"])
    body = c.get(reverse("org-tree"), {"q": "村党支部"}).content.decode()
    assert world.b1.name in body and world.b2.name in body and world.b3.name not in body


def test_superiors_see_branches_that_break_structure_rules(world, login):
    # B2 has 3 full members and no secretary; B3 likewise; B1's secretary is recorded
    c = login(world.users["town_admin"])
    body = c.get(reverse("org-detail", args=[world.t1.pk])).content.decode()
    assert 'data-testid="subtree-findings"' in body
    section = body.split('data-testid="subtree-findings"', 1)[1].split("</details>", 1)[0]
    assert world.b2.name in section and world.b3.name not in section  # never a sibling town's branch


def test_member_home_links_to_own_record_only(world, login):
    c = login(world.users["member"])
    body = c.get(reverse("home")).content.decode()
    assert reverse("member-detail", args=[world.m_member.pk]) in body
    assert c.get(reverse("member-detail", args=[world.m_member.pk])).status_code == 200
    assert c.get(reverse("member-detail", args=[world.m_secretary.pk])).status_code == 404
