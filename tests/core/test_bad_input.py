"""Bad input at the service level: a clear ValidationError and NOTHING written.

Each case snapshots organizations, members, membership history, roles, audit rows and rollup
contents, calls a service with bad input, and checks the error and that the snapshot is
unchanged. (The web forms and the API are tested with their own files.)
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404

from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent, AuditHead, Organization, OrgRollup, RoleAssignment
from dangjian.core.policy import Scope
from dangjian.members import services as member_services
from dangjian.members.models import Member, MemberOrgHistory
from tests.factories import make_id_number, member_data

MISSING_PK = 987654


def snapshot() -> dict:
    return {
        "orgs": list(Organization.objects.order_by("pk").values_list("pk", "path", "depth", "parent_id", "status", "name", "kind")),
        "members": list(Member.objects.order_by("pk").values_list("pk", "org_id", "org_path", "status", "state", "name", "updated_at")),
        "history": list(MemberOrgHistory.objects.order_by("pk").values_list("pk", "org_id", "ended_on")),
        "roles": list(RoleAssignment.objects.order_by("pk").values_list("pk", "active")),
        "audit": list(AuditEvent.objects.order_by("seq").values_list("seq", "hash")),
        "audit_head": list(AuditHead.objects.values_list("seq", "hash")),
        "rollups": sorted((r.org_id, json.dumps(r.counts, sort_keys=True)) for r in OrgRollup.objects.all()),
    }


def wrong_check_digit(idn: str) -> str:
    last = "0" if idn[-1] != "0" else "1"
    return idn[:-1] + last


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errs in exc.error_dict.values() for e in errs if e.code}
    return {e.code for e in exc.error_list if e.code}


# Each case: (id, call(world, actor), expected field or code).
def _create(w, **over):
    return member_services.create_member(actor=w.users["county_admin"], org=w.b3, data=member_data(**over))


def _dup_data(w):
    m = w.m_member  # F, born 1990-02-03
    return member_data(name="冒名者", gender="F", birth_date=dt.date(1990, 2, 3), id_number=m.id_number)


CASES = [
    ("id_check_digit",
     lambda w, a: _create(w, id_number=wrong_check_digit(make_id_number(dt.date(1980, 5, 17)))), "id_number"),
    ("id_too_short", lambda w, a: _create(w, id_number="37070219800517001"), "id_number"),
    ("id_birth_not_a_date", lambda w, a: _create(w, id_number="370702198002300011"), "id_number"),
    ("id_disagrees_with_birth_date",
     lambda w, a: _create(w, id_number=make_id_number(dt.date(1981, 1, 1)), birth_date=dt.date(1980, 5, 17)), "birth_date"),
    ("duplicate_id_on_create",
     lambda w, a: member_services.create_member(actor=a, org=w.b3, data=_dup_data(w)), "id_number"),
    ("duplicate_id_on_update",
     lambda w, a: member_services.update_member(actor=a, member=w.m_b3[0], data={"id_number": w.m_member.id_number}), "id_number"),
    ("duplicate_id_with_spaces_and_lowercase",
     lambda w, a: member_services.create_member(
         actor=a, org=w.b3, data={**_dup_data(w), "id_number": " " + w.m_member.id_number.lower() + " "}), "id_number"),
    ("under_18_at_join",
     lambda w, a: _create(w, birth_date=dt.date(2000, 1, 1), joined_on=dt.date(2017, 6, 1), full_member_on=dt.date(2018, 6, 1)),
     "joined_on"),
    ("full_member_without_full_date", lambda w, a: _create(w, status="full", full_member_on=None), "full_member_on"),
    ("full_date_before_join",
     lambda w, a: _create(w, joined_on=dt.date(2010, 1, 1), full_member_on=dt.date(2009, 1, 1)), "full_member_on"),
    ("probationary_with_full_date",
     lambda w, a: _create(w, status="probationary", joined_on=dt.date(2026, 1, 5), full_member_on=dt.date(2026, 6, 1)),
     "full_member_on"),
    ("join_date_in_future", lambda w, a: _create(w, joined_on=dt.date(2099, 1, 1), full_member_on=None, status="probationary"),
     "joined_on"),
    ("bad_phone", lambda w, a: _create(w, phone="12345"), "phone"),
    ("missing_name", lambda w, a: _create(w, name=""), "name"),
    ("unknown_education", lambda w, a: _create(w, education="kindergarten"), "education"),
    ("member_in_a_town_committee",
     lambda w, a: member_services.create_member(actor=a, org=w.t1, data=member_data()), "org"),
    ("member_update_makes_full_without_date",
     lambda w, a: member_services.update_member(actor=a, member=w.m_probationary, data={"status": "full"}), "full_member_on"),
    ("move_leaves_branch_below_3_full_members",
     lambda w, a: member_services.move_member(actor=a, member=w.m_b2[0], to_org=w.b3, reason="迁居"), "org"),
    ("move_member_to_own_org",
     lambda w, a: member_services.move_member(actor=a, member=w.m_b3[0], to_org=w.b3), "org"),
    ("org_under_its_own_descendant",
     lambda w, a: org_services.move_organization(actor=a, org=w.t1, new_parent=w.b1), "cycle"),
    ("org_under_itself",
     lambda w, a: org_services.move_organization(actor=a, org=w.t1, new_parent=w.t1), "cycle"),
    ("org_under_grandchild_group",
     # the county's superior moves it: the county admin may not move its own organization
     lambda w, a: org_services.move_organization(actor=w.users["city_admin"], org=w.county, new_parent=w.g1), "cycle"),
    ("branch_under_party_group",
     lambda w, a: org_services.create_organization(actor=a, parent=w.g1, name="小组下的支部", kind="branch"), "kind_not_allowed"),
    ("branch_moved_under_party_group",
     lambda w, a: org_services.move_organization(actor=a, org=w.b2, new_parent=w.g1), "kind_not_allowed"),
    ("town_under_branch",
     lambda w, a: org_services.create_organization(actor=a, parent=w.b1, name="支部下的镇", kind="town"), "kind_not_allowed"),
    ("unknown_org_kind",
     lambda w, a: org_services.create_organization(actor=a, parent=w.t1, name="某组织", kind="soviet"), "kind"),
    ("org_without_name",
     lambda w, a: org_services.create_organization(actor=a, parent=w.t1, name="  ", kind="branch"), "name"),
    ("merge_into_own_descendant",
     lambda w, a: org_services.merge_organizations(actor=a, source=w.t1, target=w.b1), "cycle"),
    ("merge_into_itself",
     lambda w, a: org_services.merge_organizations(actor=a, source=w.b2, target=w.b2), "same"),
    ("dissolve_org_with_members",
     lambda w, a: org_services.dissolve_organization(actor=a, org=w.b2, reason="撤销"), "has_members"),
    ("dissolve_without_reason",
     lambda w, a: org_services.dissolve_organization(actor=a, org=w.b2, reason=""), "reason"),
    ("edit_unknown_org_field",
     lambda w, a: org_services.update_organization(actor=a, org=w.b2, path="0001"), "not_editable"),
    ("org_date_out_of_range",
     lambda w, a: org_services.create_organization(actor=a, parent=w.t1, name="某支部", kind="branch",
                                                   founded_on=dt.date(1800, 1, 1)), "date_out_of_range"),
    ("term_ends_before_it_starts",
     lambda w, a: org_services.update_organization(actor=a, org=w.b2, term_started_on=dt.date(2024, 1, 1),
                                                   term_ends_on=dt.date(2023, 1, 1)), "term_ends_before_start"),
    ("account_without_username",
     lambda w, a: org_services.create_account(actor=a, username=" ", password="a-long-enough-passphrase", org=w.b3), "no_username"),
    ("account_username_taken",
     lambda w, a: org_services.create_account(actor=a, username=w.users["outsider"].username,
                                              password="a-long-enough-passphrase", org=w.b3), "username_taken"),
    ("unknown_role",
     lambda w, a: org_services.grant_role(actor=a, user=w.users["outsider"], org=w.b3, role="emperor"), "role"),
]


@pytest.mark.parametrize(("call", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_nothing_is_written(world, call, expected):
    actor = world.users["county_admin"]
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        call(world, actor)
    errors = _errors(exc.value)
    assert errors and all(msg.strip() for msgs in errors.values() for msg in msgs), "a user needs a message to act on"
    assert expected in errors or expected in _codes(exc.value), (expected, errors, _codes(exc.value))
    assert snapshot() == before


def test_move_of_the_third_full_member_is_allowed_in_a_merge(world):
    """The ≥3 rule is a [block] for moves, but a merge may empty a branch (services docstring)."""
    actor = world.users["county_admin"]
    org_services.merge_organizations(actor=actor, source=world.b2, target=world.b3)
    assert Member.objects.filter(org=world.b3).count() == 6
    assert Organization.objects.get(pk=world.b2.pk).status == "merged"


def test_move_inside_the_branch_is_not_leaving_it(world):
    """Moving a full member into the branch's own Party group keeps the branch's count."""
    b2_group = org_services.create_organization(actor=None, parent=world.b2, name="西村党小组", kind="party_group")
    member_services.move_member(actor=world.users["county_admin"], member=world.m_b2[0], to_org=b2_group)
    assert Member.objects.get(pk=world.m_b2[0].pk).org_path.startswith(world.b2.path)


# --- a parent that does not exist -----------------------------------------------------------


def test_lookup_of_a_missing_parent_is_a_404_and_writes_nothing(world):
    before = snapshot()
    scope = Scope.for_user(world.users["county_admin"])
    with pytest.raises(Http404):
        scope.get_for_scope(Organization.objects.all(), "add_child", pk=MISSING_PK)
    with pytest.raises(Http404):  # same answer as an organization that exists but is out of scope
        scope.get_for_scope(Organization.objects.all(), "add_child", pk=world.b4.pk)
    assert snapshot() == before


def _ghost(kind: str, under: Organization) -> Organization:
    """An Organization object whose row does not exist (stale form data, a deleted test fixture),
    placed under ``under`` so that the actor's scope reaches it and the missing row is what fails."""
    return Organization(pk=MISSING_PK, name="幽灵党委", kind=kind, path=under.path + "zzzz", depth=under.depth + 1)


def test_moving_under_a_missing_parent_fails_cleanly(world):
    before = snapshot()
    with pytest.raises((ValidationError, ObjectDoesNotExist)):
        org_services.move_organization(actor=world.users["county_admin"], org=world.b2, new_parent=_ghost("town", world.county))
    assert snapshot() == before


def test_creating_under_a_missing_parent_fails_cleanly(world):
    before = snapshot()
    with pytest.raises((ValidationError, ObjectDoesNotExist)):
        org_services.create_organization(actor=world.users["county_admin"], parent=_ghost("town", world.county), name="新支部", kind="branch")
    assert snapshot() == before


def test_member_into_a_missing_org_fails_cleanly(world):
    before = snapshot()
    with pytest.raises((ValidationError, ObjectDoesNotExist)):
        member_services.create_member(actor=world.users["county_admin"], org=_ghost("branch", world.t1), data=member_data())
    assert snapshot() == before
