"""谈心谈话 (支部工作条例 art. 19; DOMAIN §1.1/§11 "each required pair ≥1 per year"): talks are
recorded by branch staff (who, when, subject — never the content) and the yearly coverage shows
which committee pairs talked and which members have not talked with a committee member."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangjian.core.errors import codes
from dangjian.core.models import AuditEvent
from dangjian.orglife import talks
from dangjian.orglife.models import HeartTalk


def test_coverage_of_the_required_pairs(world):
    today = timezone.localdate()
    cov = talks.coverage(world.b1, today.year)
    # committee: 李书记 (secretary), 王委员 (committee): one pair; 赵党员, 钱预备, 孙组员 outside it
    assert [(a.name, b.name, done) for a, b, done in cov.pairs] == [(world.m_secretary.name, world.m_committee.name, False)]
    assert {m.name for m in cov.members_without} == {world.m_member.name, world.m_probationary.name, world.m_group.name}
    talks.record_talk(actor=world.users["secretary"], org=world.b1, held_on=today, first=world.m_committee,
                      second=world.m_secretary, subject="班子团结")
    talks.record_talk(actor=world.users["secretary"], org=world.b1, held_on=today, first=world.m_member,
                      second=world.m_committee, subject="外出务工情况")
    talks.record_talk(actor=world.users["secretary"], org=world.b1, held_on=today, first=world.m_probationary,
                      second=world.m_group, subject="学习心得")  # two ordinary members: recorded, not a committee talk
    talks.record_talk(actor=world.users["secretary"], org=world.b1, held_on=dt.date(today.year - 1, 6, 1),
                      first=world.m_group, second=world.m_secretary, subject="去年")  # last year: does not count
    cov = talks.coverage(world.b1, today.year)
    assert cov.pairs_done == 1 and cov.talks == 3
    assert {m.name for m in cov.members_without} == {world.m_probationary.name, world.m_group.name}
    assert AuditEvent.objects.filter(action="orglife.heart_talk").count() == 4


def test_bad_talks_are_refused_and_nothing_written(world):
    today = timezone.localdate()
    for first, second, held_on, subject, code in [
        (world.m_member, world.m_member, today, "x", "same_member"),                   # the same member
        (world.m_member, world.m_b2[0], today, "x", "not_in_org"),                     # another branch
        (world.m_member, world.m_secretary, today + dt.timedelta(days=1), "x", "bad_date"),  # the future
        (world.m_member, world.m_secretary, today, " ", "no_subject"),                 # no subject
    ]:
        with pytest.raises(ValidationError) as e:
            talks.record_talk(actor=world.users["secretary"], org=world.b1, held_on=held_on, first=first, second=second,
                              subject=subject)
        assert codes(e.value) == [code]
    assert not HeartTalk.objects.exists()


def test_pages_for_staff_only(world, login):
    c = login(world.users["secretary"])
    r = c.post(reverse("orglife-talk-add", args=[world.b1.pk]), {
        "held_on": str(timezone.localdate()), "first": world.m_member.pk, "second": world.m_secretary.pk, "subject": "家庭困难"})
    assert r.status_code == 302 and r["Location"] == reverse("orglife-talks", args=[world.b1.pk])
    page = c.get(reverse("orglife-talks", args=[world.b1.pk])).content.decode()
    assert "家庭困难" in page and page.count('data-testid="talk-row"') == 1 and 'data-testid="pair-row"' in page
    org_page = c.get(reverse("org-detail", args=[world.b1.pk])).content.decode()
    assert reverse("orglife-talks", args=[world.b1.pk]) in org_page
    assert login(world.users["member"]).get(reverse("orglife-talks", args=[world.b1.pk])).status_code == 404  # members have no heart_talk view
    assert login(world.users["secretary2"]).get(reverse("orglife-talks", args=[world.b1.pk])).status_code == 404
