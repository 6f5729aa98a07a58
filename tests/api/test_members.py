"""Member endpoints: scoping, masking, audited reveal, validation through clean_member_data,
keyset pages."""
from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.models import AuditEvent
from dangjian.core.privacy import MASKERS, id_check_char
from dangjian.members.models import Member, MemberOrgHistory

from .conftest import api_member_data, messages, url

LIST = "api-member-list"


def ids(resp) -> list[int]:
    return [m["id"] for m in resp.json()["results"]]


def roster(*members) -> list[int]:
    return [m.pk for m in sorted(members, key=lambda m: (m.org_path, m.pk))]


def t1_members(world):
    return [world.m_secretary, world.m_committee, world.m_member, world.m_probationary, world.m_group, *world.m_b2]


def snapshot():
    return list(Member.objects.order_by("pk").values_list("pk", "org_id", "org_path", "name", "phone_bidx", "status", "position"))


def new_member_body(org, **over):
    data = api_member_data("周新人", **over)
    body = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
    body["org"] = org.pk
    return body


# -- scoping ----------------------------------------------------------------------------------
def test_town_admin_lists_exactly_the_towns_members_in_roster_order(world, as_user):
    resp = as_user("town_admin").get(url(LIST))
    assert resp.status_code == 200
    assert ids(resp) == roster(*t1_members(world))
    assert resp.json()["next"] is None


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", ["m_member"]),  # SELF
        ("secretary2", ["m_b2"]),
        ("committee", ["m_secretary", "m_committee", "m_member", "m_probationary", "m_group"]),
    ],
)
def test_each_persona_lists_its_own_part(world, as_user, persona, expected):
    members = []
    for name in expected:
        value = getattr(world, name)
        members += value if isinstance(value, list) else [value]
    assert ids(as_user(persona).get(url(LIST))) == roster(*members)


@pytest.mark.parametrize("persona", ["outsider", "audit_admin", "security_admin"])
def test_roles_without_member_view_get_403(world, as_user, persona):
    resp = as_user(persona).get(url(LIST))
    assert resp.status_code == 403
    assert "results" not in resp.json()


@pytest.mark.parametrize(
    ("_case", "persona", "member", "status"),
    [
        ("sibling branch secretary", "secretary2", "m_member", 404),
        ("member sees another member", "member", "m_committee", 404),
        ("member sees self", "member", "m_member", 200),
        ("town admin, other town", "town_admin", "m_b3", 404),
        ("county admin, other county", "county_admin", "m_b4", 404),
        ("secretary, own Party group", "secretary", "m_group", 200),
    ],
)
def test_detail_scoping(world, as_user, _case, persona, member, status):
    target = getattr(world, member)
    target = target[0] if isinstance(target, list) else target
    resp = as_user(persona).get(url("api-member-detail", target.pk))
    assert resp.status_code == status
    if status == 404:
        missing = as_user(persona).get(url("api-member-detail", Member.objects.order_by("-pk").first().pk + 1000))
        assert resp.content == missing.content
        assert target.name not in resp.content.decode()


def test_org_parameter_narrows_to_a_visible_subtree(world, as_user):
    c = as_user("town_admin")
    assert ids(c.get(url(LIST), {"org": world.b2.pk})) == roster(*world.m_b2)
    assert ids(c.get(url(LIST), {"org": world.b1.pk})) == roster(*t1_members(world)[:5])
    assert c.get(url(LIST), {"org": world.b3.pk}).status_code == 404
    assert c.get(url(LIST), {"org": 10**9}).status_code == 404
    assert c.get(url(LIST), {"org": "b1"}).status_code == 400
    assert as_user("member").get(url(LIST), {"org": world.t1.pk}).status_code == 404


def test_search_by_id_number_name_and_filters(world, as_user):
    c = as_user("county_admin")
    assert ids(c.get(url(LIST), {"q": world.m_member.id_number})) == [world.m_member.pk]
    assert ids(c.get(url(LIST), {"q": world.m_member.phone})) == [world.m_member.pk]
    assert ids(c.get(url(LIST), {"q": "南村"})) == roster(*world.m_b3)
    assert ids(c.get(url(LIST), {"gender": "F"})) == [world.m_member.pk]
    assert ids(c.get(url(LIST), {"status": "probationary"})) == [world.m_probationary.pk]
    # the county admin searching an other-county ID number finds nothing
    assert ids(c.get(url(LIST), {"q": world.m_b4[0].id_number})) == []


@pytest.mark.parametrize(
    ("param", "value"),
    [("page_size", "0"), ("page_size", "abc"), ("age_min", "99999"), ("age_max", "²"), ("cursor", "not-a-cursor")],
)
def test_bad_list_parameters_are_400(world, as_user, param, value):
    resp = as_user("county_admin").get(url(LIST), {param: value})
    assert resp.status_code == 400
    assert set(resp.json()) == {param, "codes"} and resp.json()["codes"] == {param: ["invalid"]}


# -- masking ----------------------------------------------------------------------------------
def test_sensitive_fields_are_masked_in_list_and_detail(world, as_user):
    c = as_user("secretary")
    listing = c.get(url(LIST))
    detail = c.get(url("api-member-detail", world.m_member.pk))
    m = world.m_member
    for resp in (listing, detail):
        text = resp.content.decode()
        for field in ("id_number", "phone", "address"):
            assert getattr(m, field) not in text
    row = next(r for r in listing.json()["results"] if r["id"] == m.pk)
    assert row == detail.json()
    assert row["id_number"] == MASKERS["id_number"](m.id_number)
    assert row["id_number"] == m.id_number[:4] + "*" * 14
    assert row["phone"] == m.phone[:3] + "****" + m.phone[-4:]
    assert row["address"] == "山东省潍坊市****"
    assert row["org"] == world.b1.pk
    assert row["org_name"] == "东村党支部"


# -- reveal -----------------------------------------------------------------------------------
def test_reveal_returns_the_clear_value_and_is_audited(world, as_user):
    resp = as_user("secretary").post(url("api-member-reveal", world.m_member.pk),
                                     {"field": "id_number", "purpose": "other", "purpose_note": "组织关系转接"}, format="json")
    assert resp.status_code == 200
    assert resp.json() == {"field": "id_number", "value": world.m_member.id_number}
    assert resp["Cache-Control"] == "no-store"
    ev = AuditEvent.objects.get(action="member.reveal")
    assert ev.actor_id == world.users["secretary"].pk
    assert ev.object_id == str(world.m_member.pk)
    assert ev.data == {"field": "id_number", "purpose": "other", "purpose_note": "组织关系转接"}
    assert world.m_member.id_number not in str(ev.data)


def test_member_reveals_own_phone_only(world, as_user):
    c = as_user("member")
    own = c.post(url("api-member-reveal", world.m_member.pk), {"field": "phone", "purpose": "verification"}, format="json")
    assert own.json()["value"] == world.m_member.phone
    assert c.post(url("api-member-reveal", world.m_committee.pk), {"field": "phone", "purpose": "verification"}, format="json").status_code == 404
    assert AuditEvent.objects.filter(action="member.reveal").count() == 1


@pytest.mark.parametrize(
    ("_case", "persona", "field", "status"),
    [
        ("committee may view but not reveal", "committee", "phone", 403),
        ("sibling secretary", "secretary2", "phone", 404),
        ("not a sensitive field", "secretary", "name", 400),
    ],
)
def test_reveal_refusals_are_not_audited(world, as_user, _case, persona, field, status):
    resp = as_user(persona).post(url("api-member-reveal", world.m_member.pk), {"field": field, "purpose": "verification"}, format="json")
    assert resp.status_code == status
    assert world.m_member.phone not in resp.content.decode()
    assert AuditEvent.objects.filter(action="member.reveal").exists() is False


# -- create -----------------------------------------------------------------------------------
def test_secretary_adds_a_member(world, as_user):
    body = new_member_body(world.b1)
    resp = as_user("secretary").post(url(LIST), body, format="json")
    assert resp.status_code == 201
    m = Member.objects.get(name="周新人")
    assert resp.json()["id"] == m.pk
    assert resp.json()["id_number"] == MASKERS["id_number"](body["id_number"])
    assert m.id_number == body["id_number"]
    assert m.org_path == world.b1.path
    assert AuditEvent.objects.filter(action="member.create", object_id=str(m.pk)).count() == 1


def test_bad_id_check_digit_is_400_with_the_service_message_and_no_row(world, as_user):
    body = new_member_body(world.b1)
    good = body["id_number"]
    wrong = "0" if good[-1] != "0" else "1"
    body["id_number"] = good[:17] + wrong
    before = snapshot()
    resp = as_user("secretary").post(url(LIST), body, format="json")
    assert resp.status_code == 400
    assert messages(resp) == {"id_number": [f"The check digit of this ID number is wrong (GB 11643): expected {id_check_char(good[:17])}."]}
    assert snapshot() == before


def test_duplicate_id_number_is_400(world, as_user):
    body = new_member_body(world.b1)
    body["id_number"] = world.m_committee.id_number
    body["birth_date"] = world.m_committee.birth_date.isoformat()
    before = snapshot()
    resp = as_user("secretary").post(url(LIST), body, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"id_number": ["A member with this ID number is already on record."], "codes": {"id_number": ["id_duplicate"]}}
    assert snapshot() == before


def test_the_service_reports_every_problem_at_once(world, as_user):
    resp = as_user("secretary").post(url(LIST), {"org": world.b1.pk, "name": "", "gender": "X", "status": "full"}, format="json")
    assert resp.status_code == 400
    body = messages(resp)
    assert body["name"] == ["This field is required."]
    assert body["gender"] == ["Choose one of the listed values."]
    assert body["full_member_on"] == ["A full member needs the date of becoming a full member."]
    assert set(body) == {"name", "gender", "full_member_on", "birth_date", "id_number", "education", "joined_on", "category"}


@pytest.mark.parametrize(
    ("_case", "persona", "org", "status"),
    [
        ("committee cannot add", "committee", "b1", 403),
        ("member cannot add", "member", "b1", 403),
        ("sibling branch", "secretary2", "b1", 404),
        ("town admin, other town", "town_admin", "b3", 404),
        ("a town holds no members", "town_admin", "t1", 400),
    ],
)
def test_create_refusals_write_nothing(world, as_user, _case, persona, org, status):
    before = snapshot()
    resp = as_user(persona).post(url(LIST), new_member_body(getattr(world, org)), format="json")
    assert resp.status_code == status
    assert snapshot() == before


def test_create_without_org_is_400(world, as_user):
    body = new_member_body(world.b1)
    del body["org"]
    resp = as_user("secretary").post(url(LIST), body, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"org": ["This field is required."], "codes": {"org": ["required"]}}


# -- update -----------------------------------------------------------------------------------
def test_secretary_edits_a_phone_masked_in_the_answer_and_audit(world, as_user):
    resp = as_user("secretary").patch(url("api-member-detail", world.m_member.pk), {"phone": "13912345678"}, format="json")
    assert resp.status_code == 200
    assert resp.json()["phone"] == "139****5678"
    assert Member.objects.get(pk=world.m_member.pk).phone == "13912345678"
    ev = AuditEvent.objects.get(action="member.update")
    assert "13912345678" not in str(ev.data)


@pytest.mark.parametrize(
    ("_case", "persona", "status"),
    [("committee may view only", "committee", 403), ("member may view self only", "member", 403), ("sibling", "secretary2", 404)],
)
def test_update_refusals_change_nothing(world, as_user, _case, persona, status):
    before = snapshot()
    resp = as_user(persona).patch(url("api-member-detail", world.m_member.pk), {"name": "改名"}, format="json")
    assert resp.status_code == status
    assert snapshot() == before


def test_update_validation_and_org_change_refused(world, as_user):
    c = as_user("secretary")
    before = snapshot()
    bad_phone = c.patch(url("api-member-detail", world.m_member.pk), {"phone": "12345"}, format="json")
    assert bad_phone.status_code == 400
    assert messages(bad_phone) == {"phone": ["A mobile number has 11 digits and starts with 1."]}
    moved = c.patch(url("api-member-detail", world.m_member.pk), {"org": world.g1.pk}, format="json")
    assert moved.status_code == 400
    assert set(messages(moved)) == {"org"}
    assert snapshot() == before


# -- move -------------------------------------------------------------------------------------
def test_secretary_moves_a_member_into_the_party_group(world, as_user):
    resp = as_user("secretary").post(url("api-member-move", world.m_member.pk), {"org": world.g1.pk, "reason": "分组"}, format="json")
    assert resp.status_code == 200
    assert resp.json()["org"] == world.g1.pk
    m = Member.objects.get(pk=world.m_member.pk)
    assert m.org_path == world.g1.path
    assert MemberOrgHistory.objects.filter(member=m, ended_on__isnull=True).get().org_id == world.g1.pk


@pytest.mark.parametrize(
    ("_case", "persona", "member", "org", "status"),
    [
        ("target outside the secretary's branch", "secretary", "m_member", "b2", 404),
        ("committee cannot move", "committee", "m_member", "g1", 403),
        ("sibling secretary", "secretary2", "m_member", "b2", 404),
        ("would leave B2 below three full members", "town_admin", "m_b2", "b1", 400),
        ("a town holds no members", "town_admin", "m_member", "t1", 400),
        ("missing target", "town_admin", "m_member", None, 404),
    ],
)
def test_move_refusals_change_nothing(world, as_user, _case, persona, member, org, status):
    target = getattr(world, member)
    target = target[0] if isinstance(target, list) else target
    before = snapshot()
    org_id = getattr(world, org).pk if org else 10**9
    resp = as_user(persona).post(url("api-member-move", target.pk), {"org": org_id}, format="json")
    assert resp.status_code == status
    assert snapshot() == before


# -- keyset pages -----------------------------------------------------------------------------
def test_keyset_pages_walk_every_row_exactly_once(world, as_user):
    from dangjian.members import services

    for i in range(23):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=37 * i)
        services.create_member(actor=None, org=[world.b1, world.g1, world.b2][i % 3],
                               data=api_member_data(f"新党员{i}", birth))
    c = as_user("town_admin")
    expected = roster(*Member.objects.filter(org_path__startswith=world.t1.path))
    assert len(expected) == 31

    seen, pages, link = [], 0, url(LIST) + "?page_size=4"
    while link:
        body = c.get(link).json()
        assert len(body["results"]) <= 4
        seen += [m["id"] for m in body["results"]]
        link = body["next"]
        pages += 1
    assert seen == expected
    assert pages == 8

    assert ids(c.get(url(LIST), {"page_size": 200})) == expected


def test_page_size_is_capped_at_200(world, as_user):
    from dangjian.members import services

    for i in range(201):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=11 * i)
        services.create_member(actor=None, org=world.b1, data=api_member_data(f"党员{i}", birth))
    body = as_user("secretary").get(url(LIST), {"page_size": 999}).json()
    assert len(body["results"]) == 200
    assert body["next"] is not None


def test_list_query_count_does_not_grow_with_the_page(world, as_user, django_assert_num_queries):
    c = as_user("town_admin")
    c.get(url(LIST), {"page_size": 2})  # warm-up (content types, etc.)
    with django_assert_num_queries(2):
        c.get(url(LIST), {"page_size": 2})
    with django_assert_num_queries(2):
        c.get(url(LIST), {"page_size": 8})
