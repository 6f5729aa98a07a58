"""The core services assert their actor (decisions.md 38): an administrator of a sibling
organization is refused with ``not_permitted`` and nothing is written; the administrator above
succeeds. Role grants keep their own separation-of-duties codes (tests/security)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from dangjian.core import policy
from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent, Organization, RoleAssignment
from tests.authz import assert_refused


def _dissolve(world):
    org = org_services.create_organization(actor=None, parent=world.t1, name="空支部", kind="branch")
    return lambda a: org_services.dissolve_organization(actor=a, org=org, reason="撤销")


CASES = {  # name -> (refused actor, allowed actor, prepare(world) -> call(actor))
    "create_organization": ("town2_admin", "town_admin", lambda w: lambda a: org_services.create_organization(
        actor=a, parent=w.t1, name="新支部", kind="branch")),
    "update_organization": ("town2_admin", "town_admin", lambda w: lambda a: org_services.update_organization(
        actor=a, org=w.b1, name="东村党支部（新）")),
    "move_organization": ("town2_admin", "county_admin", lambda w: lambda a: org_services.move_organization(
        actor=a, org=w.b1, new_parent=w.t2)),
    "merge_organizations": ("town2_admin", "county_admin", lambda w: lambda a: org_services.merge_organizations(
        actor=a, source=w.b2, target=w.b3, reason="合并")),
    "dissolve_organization": ("town2_admin", "town_admin", _dissolve),
    "create_account": ("town2_admin", "town_admin", lambda w: lambda a: org_services.create_account(
        actor=a, username="new_user", password="a-long-enough-passphrase", org=w.b1)),
}


def _state():
    return (sorted(Organization.objects.values_list("pk", "name", "path", "parent_id", "status")),
            sorted(RoleAssignment.objects.values_list("pk", "active")),
            get_user_model().objects.count(), AuditEvent.objects.count())


@pytest.mark.parametrize("name", CASES)
def test_a_sibling_admin_is_refused_and_nothing_is_written(world, name):
    refused, _allowed, prepare = CASES[name]
    call = prepare(world)
    assert_refused(call, world.users[refused], _state)


@pytest.mark.parametrize("name", CASES)
def test_the_admin_above_may(world, name):
    _refused, allowed, prepare = CASES[name]
    call = prepare(world)
    before = AuditEvent.objects.count()
    call(world.users[allowed])
    assert AuditEvent.objects.count() > before


def test_a_move_needs_the_right_at_the_new_parent_too(world):
    """The town admin moves its branches (``move``) but may not place one under another town."""
    before = _state()
    with pytest.raises(policy.NotPermitted):
        org_services.move_organization(actor=world.users["town_admin"], org=world.b1, new_parent=world.t2)
    with pytest.raises(policy.NotPermitted):
        org_services.merge_organizations(actor=world.users["town_admin"], source=world.b2, target=world.b3)
    assert _state() == before


def test_an_admin_does_not_move_or_dissolve_its_own_organization(world):
    before = _state()
    for call in (lambda a: org_services.move_organization(actor=a, org=world.t1, new_parent=world.county2),
                 lambda a: org_services.dissolve_organization(actor=a, org=world.t1, reason="撤销")):
        with pytest.raises(policy.NotPermitted):
            call(world.users["town_admin"])
    assert _state() == before


def test_only_the_system_creates_a_top_level_organization(world):
    before = _state()
    with pytest.raises(policy.NotPermitted):
        org_services.create_organization(actor=world.users["city_admin"], parent=None, name="P省委", kind="province")
    assert _state() == before
    assert org_services.create_organization(actor=None, parent=None, name="P省委", kind="province").parent_id is None


def test_a_secretary_sets_the_term_of_its_own_branch_only(world):
    """The term alone needs ``organization.set_term`` (recording the branch's election result):
    the branch secretary sets it for B1, not for B2, and renames nothing."""
    start, end = dt.date(2026, 3, 1), dt.date(2031, 3, 1)
    secretary = world.users["secretary"]
    org = org_services.update_organization(actor=secretary, org=world.b1, term_started_on=start, term_ends_on=end)
    assert (org.term_started_on, org.term_ends_on) == (start, end)
    before = _state()
    with pytest.raises(policy.NotPermitted):
        org_services.update_organization(actor=secretary, org=world.b2, term_started_on=start, term_ends_on=end)
    with pytest.raises(policy.NotPermitted):
        org_services.update_organization(actor=secretary, org=world.b1, name="改名")
    with pytest.raises(policy.NotPermitted):
        org_services.update_organization(actor=world.users["secretary2"], org=world.b1, term_ends_on=end)
    assert _state() == before
