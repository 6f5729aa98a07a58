"""The demo seed: signed, verifiable records for orglife's past recorded meetings; none is fine."""
from __future__ import annotations

import random
from types import SimpleNamespace

from dangjian.minutes import demo, services
from dangjian.minutes.models import MeetingRecord
from dangjian.orglife.models import Meeting

from .conftest import make_meeting


def ctx(world):
    return SimpleNamespace(scale="tiny", orgs={"county": world.county}, rng=random.Random(1), say=lambda s: None)


def test_seed_tolerates_no_meetings(world):
    demo.seed(ctx(world))
    assert not MeetingRecord.objects.exists()


def test_seed_signs_recorded_meetings(world):
    for days in (30, 20, 10):
        m = make_meeting(world, days_ago=days, status="recorded")
    make_meeting(world, days_ago=5, status="closed")  # not recorded: no minutes made up
    demo.seed(ctx(world))
    recs = list(MeetingRecord.objects.order_by("chain_seq"))
    assert [r.chain_seq for r in recs] == [1, 2, 3] and all(r.status == "signed" for r in recs)
    assert all(not services.missing_for_closing(r) for r in recs)
    assert recs[0].votes.count() == 1  # 支部党员大会 with a quorum: one vote
    assert services.verify_chain(world.b1).ok
    demo.seed(ctx(world))  # idempotent
    assert MeetingRecord.objects.count() == 3 and Meeting.objects.filter(pk=m.pk).exists()
