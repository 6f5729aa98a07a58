"""The demo data: last year's closed round of the demo branch, this year's just opened."""
from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace


def test_demo_seed(world):
    from dangjian.appraisal import demo
    from dangjian.appraisal.models import AppraisalRound, Ballot, Participant, Voted

    said = []
    demo.seed(SimpleNamespace(orgs={"branch": world.b1}, today=dt.date(2026, 11, 25), rng=random.Random(1),
                              say=said.append, scale="tiny", accounts={}))
    r = AppraisalRound.objects.get(org=world.b1, year=2025)
    assert r.stage == "closed" and "2025 closed" in said[-1]
    grades = list(Participant.objects.filter(round=r).values_list("grade", flat=True))
    assert "" not in grades and grades.count("excellent") <= len(grades) // 3
    assert Ballot.objects.filter(round=r).count() == Voted.objects.filter(round=r).count() == 4
    assert AppraisalRound.objects.get(org=world.b1, year=2026).stage == "self"
