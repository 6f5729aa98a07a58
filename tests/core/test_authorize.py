"""The service side of the one authorization rule (decisions.md 38): ``policy.authorize``
refuses an actor outside the policy with a coded 403, lets the system (actor None) through, and
reuses the scope the request built."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from dangjian.core import policy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("who", "org", "allowed"), [
    ("town_admin", "b1", True),      # child of the town
    ("town_admin", "t1", True),      # own organization (subtree)
    ("town_admin", "b3", False),     # sibling town's branch
    ("town_admin", "county", False),  # parent
    ("secretary", "b1", True),
    ("secretary", "b2", False),      # sibling branch
    ("member", "b1", False),         # a member adds no members
    ("outsider", "b1", False),       # no role at all
])
def test_authorize_follows_the_policy_table(world, who, org, allowed):
    actor, target = world.users[who], getattr(world, org)
    assert policy.allows(actor, "member", "add", target) is allowed
    if allowed:
        policy.authorize(actor, "member", "add", target)
    else:
        with pytest.raises(policy.NotPermitted) as exc:
            policy.authorize(actor, "member", "add", target)
        assert exc.value.code == "not_permitted"
        assert isinstance(exc.value, PermissionDenied)  # a view answers it 403


def test_descendants_reach_refuses_the_assigned_organization_itself(world):
    admin = world.users["town_admin"]
    assert policy.allows(admin, "organization", "move", world.b1)
    assert not policy.allows(admin, "organization", "move", world.t1)
    assert policy.allows(admin, "organization", "move", world.b1.path)  # a path string works alike


def test_self_reach_on_the_member_record(world):
    me = world.users["member"]
    assert policy.allows(me, "member", "view", world.m_member)
    assert not policy.allows(me, "member", "view", world.m_secretary)
    policy.authorize_self(me, world.m_member)
    with pytest.raises(policy.NotPermitted):
        policy.authorize_self(me, world.m_secretary)


def test_the_system_is_not_refused(world):
    assert policy.allows(None, "member", "add", world.b4)
    policy.authorize(None, "organization", "merge", world.city)
    policy.authorize_self(None, world.m_member)


def test_a_request_scope_is_reused_and_a_grant_is_seen(world, rf, django_assert_num_queries):
    from dangjian.core import services as org_services

    user = world.users["secretary2"]
    request = rf.get("/")
    request.user = user
    sc = policy.scope_of(request)
    with django_assert_num_queries(0):
        assert policy.scope_for(user) is sc
        assert not policy.allows(user, "member", "add", world.b1)
    org_services.grant_role(actor=None, user=user, org=world.b1, role="secretary")
    assert policy.scope_for(user) is not sc  # the grant of this very request counts at once
    assert policy.allows(user, "member", "add", world.b1)
