import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.urls import reverse

from dangjian.publicity import demo
from dangjian.publicity.models import HonourEntry, Notice, NoticeStatus

pytestmark = pytest.mark.django_db


def test_demo_seed_fills_the_village_board(world, client):
    msgs = []
    ctx = SimpleNamespace(scale="tiny", today=dt.date(2026, 11, 20), rng=random.Random(1), accounts=[],
                          orgs={"branch": world.b1, "town": world.t1, "county": world.county}, say=msgs.append)
    demo.seed(ctx)
    boards = set(Notice.objects.filter(status=NoticeStatus.PUBLISHED).values_list("board", flat=True))
    assert boards == {"party", "village", "finance", "development", "dues", "supervision"}
    assert Notice.objects.filter(status=NoticeStatus.DRAFT).count() == 1
    revised = Notice.objects.get(revised_at__isnull=False)
    assert revised.versions.count() == 2 and revised.current.number == 2
    assert HonourEntry.objects.filter(year=2025).count() == 2
    html = client.get(reverse("publicity-public-board-tab", args=[world.b1.pk, "finance"])).content.decode()
    assert "村级财务收支公示" in html and 'data-testid="pub-revised"' in html
    assert "草稿" not in client.get(reverse("publicity-public-board-tab", args=[world.b1.pk, "village"])).content.decode()
