"""Publicity notices go to the publicity board as drafts (dangjian.publicity.api.create_notice)
with no ID number or phone; the window runs from the notice's publication date once published."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dangjian.core.errors import codes
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
    with pytest.raises(ValidationError) as exc:
        record(world, case, 7, date=D(2024, 7, 12))
    assert codes(exc.value) == ["publicity_object"]
    record(world, case, 7, date=D(2024, 7, 15))


def test_a_draft_notice_does_not_count_as_publicity(world):
    """[block] DOMAIN §4.2/§11: the decision follows a *public* notice. A draft or pending notice
    never opened a window, however old its typed start date."""
    case = advance(world, open_case(world), 6, publicity=False)
    pub = services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2024, 7, 1))
    assert services.publication_date(pub) is None
    with pytest.raises(ValidationError) as exc:
        record(world, case, 7, date=D(2024, 9, 1))
    assert codes(exc.value) == ["publicity_object"] and "published" in str(exc.value)  # the message says why
    assert not case.steps.filter(code=7).exists()


def test_a_notice_withdrawn_inside_its_window_does_not_count(world):
    from dangjian.publicity.models import Notice
    from dangjian.publicity.services import approve_notice, withdraw_notice

    case = advance(world, open_case(world), 6, publicity=False)
    pub = services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2024, 7, 1))
    notice = Notice.objects.get(pk=pub.notice_id)
    with time_machine.travel(dt.datetime(2024, 7, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        approve_notice(actor=world.users["secretary"], notice=notice)
    with time_machine.travel(dt.datetime(2024, 7, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        withdraw_notice(actor=world.users["secretary"], notice=notice, reason="姓名有误")
    with pytest.raises(ValidationError) as exc:
        record(world, case, 7, date=D(2024, 7, 15))
    assert codes(exc.value) == ["publicity_object"]
    assert "withdrawn" in str(exc.value) and "2024-07-03" in str(exc.value)  # the message says why and when


def test_physical_board_publicity_runs_from_the_attested_date(world):
    from dangjian.core.models import AuditEvent
    from dangjian.publicity.models import Notice

    case = advance(world, open_case(world), 6, publicity=False)
    pub = services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2024, 7, 1), offline=True)
    assert pub.notice_id is None and not Notice.objects.filter(source__startswith=f"development:{case.pk}:").exists()
    assert services.publication_date(pub) == D(2024, 7, 1)
    assert AuditEvent.objects.filter(action="development.publicity", data__offline=True).exists()
    with pytest.raises(ValidationError):
        record(world, case, 7, date=D(2024, 7, 5))
    record(world, case, 7, date=D(2024, 7, 8))


def test_window_in_a_year_without_national_holidays_is_marked_provisional(world, login):
    """DOMAIN §11: "weekdays only = provisional" — the case page says so when the window reaches a
    year the bundled holiday calendar does not know (here 2027)."""
    from django.urls import reverse

    assert not services.workdays.national_covered(2027)
    case = advance(world, open_case(world), 6, publicity=False)
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        services.start_publicity(actor=world.users["secretary"], case=case, point="object", starts_on=D(2026, 12, 30), offline=True)
        page = login(world.users["secretary"]).get(reverse("development-case-detail", args=[case.pk])).content.decode()
    assert 'data-testid="publicity-provisional"' in page
