"""The service half of the one authorization rule (decisions.md 38) for member records: every
service asserts its actor against the POLICY row of its view. An actor of a sibling organization
(secretary2 of 西村 for 东村's records, the admin of 南镇 for 东镇's) is refused with
``not_permitted`` and nothing is written — no record change, no history, no audit row, no
message — while the actor in scope succeeds. A member reveals only their own record."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dangjian.core import policy
from dangjian.core.models import AuditEvent
from dangjian.core.policy import Scope
from dangjian.members import services
from dangjian.members.models import Member, MemberOrgHistory, RightsRestriction
from dangjian.members.services.sensitive import route_duplicate
from dangjian.notify.models import InboxMessage
from tests.authz import assert_refused_then_allowed
from tests.factories import member_data

DAY = dt.date(2026, 1, 5)


def state() -> tuple:
    """Everything the members services write, so "nothing written" is one comparison."""
    return (
        list(Member.objects.order_by("pk").values_list("pk", "org_id", "state", "work_unit", "position", "status")),
        list(MemberOrgHistory.objects.order_by("pk").values_list("pk", "org_id", "ended_on")),
        list(RightsRestriction.objects.order_by("pk").values_list("pk", "kind", "ends_on")),
        AuditEvent.objects.count(), InboxMessage.objects.count(),
    )


def _routed(call):
    """The duplicate refusals: the routed refusal (``id_duplicate_routed``) is what the in-scope
    actor gets; the sibling never gets that far."""
    def run(actor):
        try:
            return call(actor)
        except ValidationError as exc:
            assert "id_duplicate_routed" in {e.code for errs in exc.error_dict.values() for e in errs}
            return exc
    return run


def _create(w):
    return lambda actor: services.create_member(actor=actor, org=w.b1, data=member_data(name="新党员"))


def _update(w):
    return lambda actor: services.update_member(actor=actor, member=w.m_member, data={"work_unit": "东村合作社"})


def _move(w):
    return lambda actor: services.move_member(actor=actor, member=w.m_member, to_org=w.g1, reason="编入党小组")


def _close(w):
    return lambda actor: services.close_record(actor=actor, member=w.m_member, reason="迁出平台", on=DAY)


def _restrict(w):
    return lambda actor: services.add_restriction(actor=actor, member=w.m_member, kind="probation", starts_on=DAY)


def _restore(w):
    r = services.add_restriction(actor=None, member=w.m_member, kind="probation", starts_on=DAY)
    return lambda actor: services.end_restriction(actor=actor, restriction=r, ends_on=DAY + dt.timedelta(days=365))


def _reveal(w):
    return lambda actor: services.reveal_field(actor=actor, member=w.m_member, field="id_number", purpose="verification")


def _route(w):
    other = w.m_b3[0]
    return lambda actor: route_duplicate(actor=actor, org=w.b1, existing=other, id_number=other.id_number, via="create")


def _route_file(w):
    other = w.m_b3[0]
    return lambda actor: services.route_duplicates(actor=actor, pairs=[(w.b1, other, other.id_number)], via="import")


def _refuse(w):
    other = w.m_b3[0]
    exc = services.DuplicateElsewhere(other, other.id_number)
    return lambda actor: services.refuse_duplicate(actor=actor, org=w.b1, exc=exc, via="create")


def _refuse_if(w):
    other = w.m_b3[0]
    return _routed(lambda actor: services.refuse_if_recorded_elsewhere(actor=actor, org=w.b1, id_number=other.id_number,
                                                                       via="create"))


def _create_duplicate(w):
    """A number on record in 南村: refused unnamed and routed for 东村's secretary; the sibling
    is refused before any look-up (nothing routed in 东村's name)."""
    other = w.m_b3[0]
    data = member_data(name="冒名者", id_number=other.id_number, birth_date=other.birth_date, gender=other.gender)
    return _routed(lambda actor: services.create_member(actor=actor, org=w.b1, data=data))


# (service, set-up returning call(actor), the actor in scope, the refused actor) — POLICY row in the comment
CASES = [
    ("create_member", _create, "secretary", "secretary2"),               # member add (b1)
    ("create_member_town", _create, "town_admin", "town2_admin"),         # member add (b1 under t1)
    ("create_member_duplicate", _create_duplicate, "secretary", "secretary2"),  # member add, then routed
    ("update_member", _update, "secretary", "secretary2"),               # member change
    ("move_member", _move, "secretary", "secretary2"),                   # member add on the destination (g1)
    ("move_member_town", _move, "town_admin", "town2_admin"),
    ("close_record", _close, "town_admin", "town2_admin"),               # member change
    ("add_restriction", _restrict, "secretary", "secretary2"),           # member change
    ("end_restriction", _restore, "secretary", "town2_admin"),           # member change (the restriction)
    ("reveal_field", _reveal, "secretary", "secretary2"),                # member reveal
    ("reveal_field_own", _reveal, "member", "committee"),                # member reveal: SELF, not a committee member
    ("route_duplicate", _route, "secretary", "secretary2"),              # the attempt's row: member add (b1)
    ("route_duplicates", _route_file, "secretary", "secretary2"),        # import: member add (b1)
    ("refuse_duplicate", _refuse, "secretary", "secretary2"),            # via route_duplicate
    ("refuse_if_recorded_elsewhere", _refuse_if, "secretary", "secretary2"),
]


@pytest.mark.parametrize(("setup", "insider", "sibling"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_sibling_is_refused_and_nothing_is_written(world, setup, insider, sibling):
    call = setup(world)
    assert_refused_then_allowed(call, world.users[sibling], world.users[insider], state)


def test_a_member_reveals_only_their_own_record(world):
    before = state()
    with pytest.raises(policy.NotPermitted):
        services.reveal_field(actor=world.users["member"], member=world.m_committee, field="phone", purpose="verification")
    assert state() == before
    assert services.reveal_field(actor=world.users["member"], member=world.m_member, field="phone",
                                 purpose="verification") == world.m_member.phone
    assert AuditEvent.objects.filter(action="member.reveal", actor=world.users["member"]).count() == 1


def test_the_system_acts_anywhere(world):
    m = services.create_member(actor=None, org=world.b3, data=member_data(name="系统导入"))
    services.move_member(actor=None, member=m, to_org=world.b4)
    assert Member.objects.get(pk=m.pk).org_id == world.b4.pk


def test_a_sibling_cannot_move_a_member_into_an_organization_it_does_not_hold(world):
    """The destination decides (``member.add``): 南镇's admin moves nobody into 东镇's branches."""
    before = state()
    with pytest.raises(policy.NotPermitted):
        services.move_member(actor=world.users["town2_admin"], member=world.m_b3[0], to_org=world.b2, reason="迁居")
    assert state() == before


def test_an_exact_search_runs_only_on_the_actors_own_scope(world):
    """``authorize_exact_search`` decides on the scope it is given: one of another user is refused
    (``not_permitted``, nothing audited); the actor's own runs and is audited as before."""
    secretary, secretary2 = world.users["secretary"], world.users["secretary2"]
    before = state()
    with pytest.raises(policy.NotPermitted) as exc:
        services.authorize_exact_search(actor=secretary2, scope=Scope.for_user(secretary), field="id_number",
                                        term=world.m_member.id_number, via="web")
    assert exc.value.code == "not_permitted"
    assert state() == before
    services.authorize_exact_search(actor=secretary, scope=Scope.for_user(secretary), field="id_number",
                                    term=world.m_member.id_number, via="web")
    assert AuditEvent.objects.filter(action="member.search_exact", actor=secretary).count() == 1


def test_a_lookup_of_a_number_recorded_elsewhere_answers_from_the_actors_own_view(world):
    """``recorded_elsewhere`` (authorized_by): the refusal for a record the actor may not see, none
    for one they may see; nothing written either way."""
    before = state()
    hidden = services.recorded_elsewhere(actor=world.users["secretary"], id_number=world.m_b3[0].id_number)
    assert isinstance(hidden, services.DuplicateElsewhere)
    assert services.recorded_elsewhere(actor=world.users["town2_admin"], id_number=world.m_b3[0].id_number) is None
    assert state() == before


@pytest.mark.django_db
def test_moving_a_member_needs_the_member_and_the_target_receiving_needs_only_the_target(world):
    """A secretary may add members to their own branch but not pull another branch's member into
    it (move_member: ``member.move`` on the member too); the receiving side of an accepted
    transfer letter takes the member in (receive_member: ``member.add`` on the target only)."""
    someone = world.m_member  # 东村 (b1), outside secretary2's subtree (西村, b2)
    before = state()
    with pytest.raises(policy.NotPermitted) as exc:
        services.move_member(actor=world.users["secretary2"], member=someone, to_org=world.b2, reason="x", on=DAY)
    assert exc.value.code == "not_permitted" and state() == before
    moved = services.receive_member(actor=world.users["secretary2"], member=someone, to_org=world.b2, reason="letter 1", on=DAY)
    assert moved.org_id == world.b2.pk
    assert AuditEvent.objects.filter(action="member.move", object_id=str(someone.pk)).count() == 1
    with pytest.raises(policy.NotPermitted):  # the receiving side, not the sending one
        services.receive_member(actor=world.users["secretary2"], member=world.m_b3[0], to_org=world.b3, reason="x", on=DAY)
