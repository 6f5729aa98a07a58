"""Organization endpoints: scoped lists, detail with officers and findings, structural changes
through the core services (refused with a message, nothing written)."""
from __future__ import annotations

import pytest

from dangjian.core.models import AuditEvent, Organization
from dangjian.core.rollups import counts_for
from dangjian.members.models import Member

from .conftest import messages, url


def names(resp) -> list[str]:
    return [o["name"] for o in resp.json()["results"]]


def tree_snapshot():
    return list(Organization.objects.order_by("pk").values_list("pk", "parent_id", "path", "depth", "status"))


# -- reading ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("town_admin", ["东镇党委", "东村党支部", "东村第一党小组", "西村党支部"]),
        ("secretary2", ["西村党支部"]),
        ("member", ["东村党支部"]),  # organization/view is OWN for members
        ("audit_admin", ["C县委", "东镇党委", "东村党支部", "东村第一党小组", "西村党支部", "南镇党委", "南村党支部"]),
    ],
)
def test_list_is_the_visible_part_of_the_tree_in_tree_order(world, as_user, persona, expected):
    resp = as_user(persona).get(url("api-organization-list"))
    assert resp.status_code == 200
    assert names(resp) == expected
    assert "path" not in resp.json()["results"][0]


def test_list_needs_some_organization_role(world, as_user):
    assert as_user("outsider").get(url("api-organization-list")).status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=branch", ["东村党支部", "西村党支部", "南村党支部"]),
        ("q=东", ["东镇党委", "东村党支部", "东村第一党小组"]),
        ("status=dissolved", []),
    ],
)
def test_list_filters(world, as_user, query, expected):
    resp = as_user("county_admin").get(url("api-organization-list") + "?" + query)
    assert resp.status_code == 200
    assert names(resp) == expected


def test_parent_filter_and_bad_filter_values(world, as_user):
    c = as_user("county_admin")
    assert names(c.get(url("api-organization-list"), {"parent": world.t1.pk})) == ["东村党支部", "西村党支部"]
    # a parent outside the scope is no error and shows nothing
    assert names(c.get(url("api-organization-list"), {"parent": world.t3.pk})) == []
    assert c.get(url("api-organization-list"), {"kind": "nonsense"}).status_code == 400
    assert c.get(url("api-organization-list"), {"parent": "x"}).status_code == 400


def test_list_pages_walk_the_tree_once(world, as_user):
    c = as_user("city_admin")
    seen, link = [], url("api-organization-list") + "?page_size=3"
    while link:
        body = c.get(link).json()
        assert len(body["results"]) <= 3
        seen += [o["id"] for o in body["results"]]
        link = body["next"]
    assert seen == list(Organization.objects.order_by("path").values_list("pk", flat=True))


def test_detail_shows_officers_and_for_view_stats_findings_and_counts(world, as_user):
    resp = as_user("town_admin").get(url("api-organization-detail", world.b1.pk))
    assert resp.status_code == 200
    body = resp.json()
    assert body["id"] == world.b1.pk
    assert body["parent"] == world.t1.pk
    assert body["kind"] == "branch"
    assert body["status"] == "active"
    assert body["term_started_on"] == "2021-03-01"
    assert body["term_ends_on"] == "2026-03-01"
    assert body["secretary"] == "李书记"
    assert body["committee"] == [{"name": "李书记", "position": "secretary"}, {"name": "王委员", "position": "organization"}]
    assert body["counts"] == counts_for(world.b1)
    assert body["counts"]["total"] == 5
    assert {f["rule"] for f in body["findings"]} == {"S9"}  # the 2021 term ended on 2026-03-01
    assert "path" not in body


def test_member_sees_own_branch_without_statistics(world, as_user):
    body = as_user("member").get(url("api-organization-detail", world.b1.pk)).json()
    assert body["secretary"] == "李书记"
    assert "findings" not in body
    assert "counts" not in body


@pytest.mark.parametrize(
    ("_case", "persona", "org"),
    [
        ("sibling branch", "secretary2", "b1"),
        ("parent", "secretary", "t1"),
        ("other county", "county_admin", "b4"),
        ("member sees no group", "member", "g1"),
    ],
)
def test_detail_outside_the_scope_is_404_like_a_missing_one(world, as_user, _case, persona, org):
    c = as_user(persona)
    hidden = c.get(url("api-organization-detail", getattr(world, org).pk))
    missing = c.get(url("api-organization-detail", Organization.objects.order_by("-pk").first().pk + 1000))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_huge_ids_are_404_not_500(world, as_user):
    assert as_user("county_admin").get(url("api-organization-detail", 2**70)).status_code == 404


def test_children_and_subtree(world, as_user):
    c = as_user("town_admin")
    assert names(c.get(url("api-organization-children", world.t1.pk))) == ["东村党支部", "西村党支部"]
    sub = c.get(url("api-organization-subtree", world.t1.pk)).json()["results"]
    assert [o["name"] for o in sub] == ["东村党支部", "东村第一党小组", "西村党支部"]
    assert [o["counts"].get("total") for o in sub] == [5, 1, 3]


def test_subtree_hides_what_the_caller_cannot_see_and_counts_without_view_stats(world, as_user):
    resp = as_user("member").get(url("api-organization-subtree", world.b1.pk))
    assert resp.status_code == 200
    assert resp.json()["results"] == []  # the Party group is below the member's OWN reach
    assert as_user("member").get(url("api-organization-children", world.t1.pk)).status_code == 404


# -- writing ----------------------------------------------------------------------------------
def test_town_admin_creates_a_branch_under_the_town(world, as_user):
    resp = as_user("town_admin").post(url("api-organization-list"),
                                       {"parent": world.t1.pk, "name": "新村党支部", "kind": "branch", "area_type": "village",
                                        "term_started_on": "2025-01-10"}, format="json")
    assert resp.status_code == 201
    org = Organization.objects.get(name="新村党支部")
    assert resp.json()["id"] == org.pk
    assert resp.json()["term_ends_on"] == "2030-01-10"
    assert org.parent_id == world.t1.pk
    ev = AuditEvent.objects.get(action="org.create", object_id=str(org.pk))
    assert ev.actor_id == world.users["town_admin"].pk


@pytest.mark.parametrize(
    ("_case", "persona", "parent", "status"),
    [
        ("secretary sees the parent but may not add", "secretary", "b1", 403),
        ("sibling town", "town_admin", "t2", 404),
        ("no add_child anywhere", "committee", "b1", 403),
    ],
)
def test_create_is_refused_outside_add_child(world, as_user, _case, persona, parent, status):
    before = tree_snapshot()
    resp = as_user(persona).post(url("api-organization-list"),
                                 {"parent": getattr(world, parent).pk, "name": "x组", "kind": "party_group"}, format="json")
    assert resp.status_code == status
    assert tree_snapshot() == before


def test_create_under_a_missing_parent_is_404_and_a_bad_kind_400(world, as_user):
    c = as_user("county_admin")
    before = tree_snapshot()
    missing = c.post(url("api-organization-list"), {"parent": 10**9, "name": "x", "kind": "branch"}, format="json")
    assert missing.status_code == 404
    wrong_kind = c.post(url("api-organization-list"), {"parent": world.b1.pk, "name": "x", "kind": "town"}, format="json")
    assert wrong_kind.status_code == 400
    assert messages(wrong_kind) == {"non_field_errors": ["A Town/street Party committee cannot be placed under a Party branch."]}
    assert c.post(url("api-organization-list"), {"name": "x", "kind": "branch"}, format="json").status_code == 400
    assert tree_snapshot() == before


def test_patch_by_admin_and_refusals(world, as_user):
    ok = as_user("town_admin").patch(url("api-organization-detail", world.b1.pk), {"name": "东村党支部（新）"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["name"] == "东村党支部（新）"
    assert AuditEvent.objects.filter(action="org.update", object_id=str(world.b1.pk)).count() == 1

    assert as_user("secretary").patch(url("api-organization-detail", world.b1.pk), {"name": "x"}, format="json").status_code == 403
    assert as_user("secretary2").patch(url("api-organization-detail", world.b1.pk), {"name": "x"}, format="json").status_code == 404
    blank = as_user("town_admin").patch(url("api-organization-detail", world.b1.pk), {"name": "  "}, format="json")
    assert blank.status_code == 400
    assert Organization.objects.get(pk=world.b1.pk).name == "东村党支部（新）"


def test_move_under_own_descendant_is_400_and_nothing_changes(world, as_user):
    before = tree_snapshot()
    paths = list(Member.objects.order_by("pk").values_list("org_path", flat=True))
    resp = as_user("county_admin").post(url("api-organization-move", world.t1.pk), {"parent": world.b1.pk}, format="json")
    assert resp.status_code == 400
    assert messages(resp) == {"non_field_errors": ["An organization cannot be moved under itself or one of its own sub-organizations."]}
    assert tree_snapshot() == before
    assert list(Member.objects.order_by("pk").values_list("org_path", flat=True)) == paths


def test_move_a_branch_to_another_town(world, as_user):
    resp = as_user("county_admin").post(url("api-organization-move", world.b2.pk), {"parent": world.t2.pk}, format="json")
    assert resp.status_code == 200
    assert resp.json()["parent"] == world.t2.pk
    b2 = Organization.objects.get(pk=world.b2.pk)
    assert b2.path.startswith(world.t2.path)
    assert set(Member.objects.filter(org=b2).values_list("org_path", flat=True)) == {b2.path}
    assert counts_for(world.t2)["total"] == 6
    assert counts_for(world.t1)["total"] == 5


@pytest.mark.parametrize(
    ("_case", "persona", "org", "parent", "status"),
    [
        ("town admin may not move the town itself", "town_admin", "t1", "county2", 403),
        ("new parent outside the scope", "town_admin", "b2", "t2", 404),
        ("secretary may not move", "secretary", "g1", "b1", 403),
        ("missing new parent", "county_admin", "b2", None, 404),
    ],
)
def test_move_refusals_change_nothing(world, as_user, _case, persona, org, parent, status):
    before = tree_snapshot()
    parent_id = getattr(world, parent).pk if parent else 10**9
    resp = as_user(persona).post(url("api-organization-move", getattr(world, org).pk), {"parent": parent_id}, format="json")
    assert resp.status_code == status
    assert tree_snapshot() == before


def test_move_without_a_parent_is_400(world, as_user):
    resp = as_user("county_admin").post(url("api-organization-move", world.b2.pk), {}, format="json")
    assert resp.status_code == 400
    assert set(resp.json()) == {"parent", "codes"} and resp.json()["codes"] == {"parent": ["required"]}


def test_dissolve_refused_while_members_remain_then_allowed_when_empty(world, as_user):
    c = as_user("town_admin")
    before = tree_snapshot()
    busy = c.post(url("api-organization-dissolve", world.b2.pk), {"reason": "合并"}, format="json")
    assert busy.status_code == 400
    assert messages(busy) == {"non_field_errors": [
        "Move its members to another organization first (or merge it): no member may be left without a branch."]}
    no_reason = c.post(url("api-organization-dissolve", world.b2.pk), {"reason": ""}, format="json")
    assert no_reason.status_code == 400
    assert tree_snapshot() == before

    empty = c.post(url("api-organization-list"), {"parent": world.t1.pk, "name": "空支部", "kind": "branch"}, format="json").json()
    done = c.post(url("api-organization-dissolve", empty["id"]), {"reason": "镇党委决定撤销"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "dissolved"


def test_merge_moves_members_and_keeps_the_source_read_only(world, as_user):
    resp = as_user("town_admin").post(url("api-organization-merge", world.b2.pk), {"into": world.b1.pk, "reason": "村庄合并"},
                                      format="json")
    assert resp.status_code == 200
    assert resp.json()["status"] == "merged"
    assert resp.json()["merged_into"] == world.b1.pk
    assert Member.objects.filter(org=world.b2).count() == 0
    assert Member.objects.filter(org=world.b1).count() == 7
    refused = as_user("town_admin").patch(url("api-organization-detail", world.b2.pk), {"name": "x"}, format="json")
    assert refused.status_code == 400


def test_merge_into_an_invisible_organization_is_404(world, as_user):
    before = tree_snapshot()
    resp = as_user("town_admin").post(url("api-organization-merge", world.b2.pk), {"into": world.b3.pk}, format="json")
    assert resp.status_code == 404
    assert tree_snapshot() == before
