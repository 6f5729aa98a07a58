"""Recipient resolution: users, members, RoleIn (exact organization), Subtree (path prefix)."""
from __future__ import annotations

import pytest

from dangjian.core import services as org_services
from dangjian.core.models import RoleAssignment
from dangjian.notify.api import RoleIn, Subtree, notify
from dangjian.notify.models import InboxMessage
from dangjian.notify.services import resolve_recipients

pytestmark = pytest.mark.django_db


def users_of(recipients):
    return {r.user.username for r in resolve_recipients(recipients) if r.user is not None}


def test_role_in_is_exactly_that_organization(world):
    assert users_of([RoleIn(world.b1, "secretary")]) == {"secretary"}
    assert users_of([RoleIn(world.b2, "secretary")]) == {"secretary2"}
    assert users_of([RoleIn(world.t1, "secretary")]) == set()  # no secretary *at* the town itself
    assert users_of([RoleIn(world.t1, "org_admin")]) == {"town_admin"}  # not the county's admin above it


def test_subtree_never_reaches_a_sibling_town(world, django_user_model):
    other = django_user_model.objects.create_user(username="secretary_t2", password="x" * 16)
    org_services.grant_role(actor=None, user=other, org=world.b3, role="secretary")
    assert users_of([Subtree(world.t1, roles=("secretary",))]) == {"secretary", "secretary2"}
    assert users_of([Subtree(world.t2, roles=("secretary",))]) == {"secretary_t2"}
    everyone_t1 = users_of([Subtree(world.t1)])
    assert everyone_t1 == {"town_admin", "secretary", "secretary2", "committee", "member"}
    assert "secretary_t2" not in everyone_t1 and "town2_admin" not in everyone_t1


def test_subtree_of_county_excludes_parent_and_other_county(world):
    got = users_of([Subtree(world.county)])
    assert "city_admin" not in got and "outsider" not in got
    assert {"county_admin", "town_admin", "town2_admin", "secretary", "audit_admin"} <= got


def test_inactive_roles_and_users_are_not_recipients(world):
    RoleAssignment.objects.filter(user=world.users["secretary2"]).update(active=False)
    world.users["secretary"].is_active = False
    world.users["secretary"].save(update_fields=["is_active"])
    assert users_of([Subtree(world.t1, roles=("secretary",))]) == set()


def test_recipients_are_deduplicated(world, outbox):
    sec = world.users["secretary"]
    people = resolve_recipients([sec, world.m_secretary, RoleIn(world.b1, "secretary"), Subtree(world.b1, roles=("secretary",))])
    assert len(people) == 1 and people[0].user == sec and people[0].member.pk == world.m_secretary.pk
    n = notify(recipients=[sec, world.m_secretary, RoleIn(world.b1, "secretary")], kind="notice",
               context={"title": "t", "text": "x"}, channels=("inbox", "sms"))
    assert n == 1
    assert InboxMessage.objects.filter(user=sec).count() == 1
    assert [r.to for r in outbox.of("sms")] == [f"member:{world.m_secretary.pk}"]


def test_member_without_login_gets_sms_but_no_inbox(world, outbox):
    m = world.m_probationary
    assert m.user_id is None
    n = notify(recipients=[m], kind="notice", context={"title": "t", "text": "x"}, channels=("inbox", "sms"))
    assert n == 0
    assert [r.to for r in outbox.of("sms")] == [f"member:{m.pk}"]


def test_unknown_recipient_type_is_refused(world):
    with pytest.raises(TypeError):
        resolve_recipients(["13900000000"])
