"""Appraisal tests: English messages, a fixed day (2026-11-20), helpers to walk a round."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

DAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _english_and_day():
    with translation.override("en"), time_machine.travel(DAY, tick=False):
        yield


@pytest.fixture
def voters(world):
    """Give the Party-group member an account too, so b1 has four full members who can log in."""
    from django.contrib.auth import get_user_model

    from dangjian.core import services as org_services

    u = get_user_model().objects.create_user(username="grouper", password="x-very-long-password-1")
    org_services.grant_role(actor=None, user=u, org=world.g1, role="member")
    world.m_group.user = u
    world.m_group.save(update_fields=["user"])
    world.users["grouper"] = u
    return world


def part(rnd, member):
    from dangjian.appraisal.models import Participant

    return Participant.objects.get(round=rnd, member=member)


def walk_to(rnd, stage, actor):
    from dangjian.appraisal import services
    from dangjian.appraisal.models import STAGE_ORDER

    rnd.refresh_from_db()
    while rnd.stage != stage:
        rnd = services.advance(actor=actor, round=rnd, to=STAGE_ORDER[STAGE_ORDER.index(rnd.stage) + 1])
    return rnd


def vote_all(rnd, world, grade_of=None, who=("secretary", "committee", "member", "grouper")):
    """Each listed user votes; ``grade_of(subject participant) -> grade`` (default 合格)."""
    from dangjian.appraisal import services
    from dangjian.appraisal.models import Participant

    for name in who:
        u = world.users[name]
        voter = Participant.objects.get(round=rnd, member__user=u)
        marks = {s.pk: (grade_of(s) if grade_of else "qualified") for s in services.ballot_subjects(voter)}
        services.cast_ballot(actor=u, voter=voter, marks=marks)


def close_with_unqualified(rnd, member, actor=None):
    """Grade everyone 合格 but ``member`` (不合格, with a reason) and close the round: the
    disposition case of ``member`` is opened. Returns that case."""
    from dangjian.appraisal import services
    from dangjian.appraisal.models import DispositionCase, Participant

    grades = {p.pk: ("qualified", "") for p in Participant.objects.filter(round=rnd)}
    grades[part(rnd, member).pk] = ("unqualified", "理由")
    services.set_grades(actor=actor, round=rnd, grades=grades)
    services.close_round(actor=actor, round=rnd)
    return DispositionCase.objects.get(round=rnd, member=member)


@pytest.fixture
def login(login):
    """The root ``login``, with the English language cookie (these tests read English text)."""
    from django.conf import settings

    def _login(user, c=None):
        c = login(user, c)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return _login
