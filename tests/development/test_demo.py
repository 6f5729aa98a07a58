"""The demo seed makes cases at every stage through the real services, quickly."""
from __future__ import annotations

import random
import time
from types import SimpleNamespace

from django.utils import timezone

from dangjian.development.demo import seed
from dangjian.development.models import CaseStatus, DevelopmentCase
from dangjian.development.selectors import alerts_for


def test_demo_seed(world):
    ctx = SimpleNamespace(scale="tiny", today=timezone.localdate(), rng=random.Random(7), say=lambda s: None,
                          orgs={"branch": world.b1, "county": world.county, "town": world.t1}, accounts=[])
    t = time.monotonic()
    seed(ctx)
    elapsed = time.monotonic() - t
    print(f"demo seed: {elapsed:.2f} s")
    assert elapsed < 20
    cases = list(DevelopmentCase.objects.filter(org=world.b1))
    assert sorted(c.last_code for c in cases) == [1, 1, 4, 6, 11, 14, 20, 22, 25]
    assert any(c.status == CaseStatus.ADMITTED for c in cases)
    severities = {a.severity for c in cases for a in alerts_for(c)}
    assert "red" in severities and "warn" in severities
    assert DevelopmentCase.objects.exclude(org=world.b1).exists()
