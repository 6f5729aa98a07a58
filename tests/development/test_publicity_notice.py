"""Publicity notices go to the publicity board as drafts (dangjian.publicity.api.create_notice)
with no ID number or phone; the window runs from the notice's publication date once published."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dangjian.development import services

from .helpers import advance, open_case, record

D = dt.date


def test_notice_posted_as_draft_and_window_follows_publication(world):
    from dangjian.publicity.models import Notice
    from dangjian.publicity.services import approve_notice

    case = advance(world, open_case(world), 6, publicity=False)
    pub = services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2024, 7, 1))
    notice = Notice.objects.get(pk=pub.notice_id)
    assert notice.board == "development" and notice.org_id == world.b1.pk and notice.status != "published"
    assert notice.source == f"development:{case.pk}:object"
    body = notice.latest.body
    assert case.name in body and case.id_number not in body and case.phone not in body
    # published a week later (Mon 8 Jul 2024): the 5 working days run 8–12 Jul
    with time_machine.travel(dt.datetime(2024, 7, 8, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        if notice.status == "draft":
            from dangjian.publicity.services import submit_notice

            submit_notice(actor=world.users["secretary"], notice=notice)
            notice.refresh_from_db()
        approve_notice(actor=world.users["secretary"], notice=notice)
    pub.refresh_from_db()
    assert services.publication_date(pub) == D(2024, 7, 8)
    with pytest.raises(ValidationError, match="publicity_object"):
        record(world, case, 7, date=D(2024, 7, 12))
    record(world, case, 7, date=D(2024, 7, 15))
