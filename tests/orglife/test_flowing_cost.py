"""What the flowing-member rules cost when a meeting closes (no N+1 over the invitees)."""
from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.orglife import selectors, services
from dangjian.transfers import services as transfers

from .test_flowing import at, hold


def _close_queries(world, clock, start):
    m = hold(world, clock, world.b1, "theme_day", start, present=[world.m_secretary], close=False)
    with CaptureQueriesContext(connection) as q:
        services.close_meeting(actor=world.users["secretary"], meeting=m)
    return len(q)


def test_close_costs_a_constant_number_of_queries_more(world, clock):
    base = _close_queries(world, clock, at(11, 3))
    for m in [world.m_member, world.m_probationary, world.m_group]:
        transfers.flag_away(actor=world.users["secretary"], member=m, kind="flowing", since=dt.date(2026, 1, 1),
                            whereabouts="南镇", contact_person="王委员", inflow_org=world.b3)
    flowing = _close_queries(world, clock, at(11, 24))
    print(f"close_meeting: {base} queries without flowing members, {flowing} with 3 absent flowing members")
    assert flowing <= base + 3 + 2


def test_members_of_without_flowing_in_is_the_plain_query(world):
    assert world.m_member not in selectors.members_of(world.b3)
    assert str(selectors.members_of(world.b3).query) == str(selectors.own_members_of(world.b3).query)
