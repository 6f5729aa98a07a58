"""Exact-value oracles (SECURITY.md "mask reconstruction": exact-value searches rate-limited and
audited; issue 10 item 2).

A search by a full phone or ID number confirms a guess of the masked digits: only a role with
the reveal right runs it, only over members it may reveal, each attempt leaves an audit row,
a user runs at most ``per_window`` of them in ``window_minutes`` and the ``burst``-th attempt
tells the security admin. Creating (or editing) a member with an ID number recorded where the
user cannot see it says only that the number was passed to the organization department above.
"""
from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent
from dangjian.members.models import Member
from dangjian.notify.models import InboxMessage
from tests.factories import member_data

ROSTER, API_LIST = "member-roster", "api-member-list"


def api_as(user) -> APIClient:
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    c.force_authenticate(user)
    return c


def rows(resp) -> list[int]:
    return [r["id"] for r in resp.json()["results"]]


def audit_rows(user, action):
    return list(AuditEvent.objects.filter(actor=user, action=action).order_by("seq"))


# -- a role without reveal -------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["phone", "id_number"])
def test_committee_member_is_refused_an_exact_search_on_the_roster_with_a_code_and_an_audit_row(world, login, field):
    target = world.m_member
    c = login(world.users["committee"])
    resp = c.get(reverse(ROSTER), {"q": getattr(target, field)})
    body = resp.content.decode()
    assert resp.status_code == 403
    assert 'data-code="exact_search_forbidden"' in body
    assert target.name not in body
    [ev] = audit_rows(world.users["committee"], "member.search_exact_refused")
    assert ev.data["field"] == field and ev.data["refused"] == "exact_search_forbidden" and ev.data["via"] == "web"
    assert getattr(target, field) not in str(ev.data)  # the term is kept masked
    # searching by name is not an exact look-up: it still works, unaudited
    assert target.name in c.get(reverse(ROSTER), {"q": target.name}).content.decode()
    assert AuditEvent.objects.filter(action__startswith="member.search_exact").count() == 1


@pytest.mark.parametrize("field", ["phone", "id_number"])
def test_committee_member_is_refused_an_exact_search_on_the_api(world, field):
    target = world.m_member
    resp = api_as(world.users["committee"]).get(reverse(API_LIST), {"q": getattr(target, field)})
    assert resp.status_code == 403
    assert resp.json()["code"] == "exact_search_forbidden"
    assert target.name not in resp.content.decode()
    [ev] = audit_rows(world.users["committee"], "member.search_exact_refused")
    assert ev.data["via"] == "api" and getattr(target, field) not in str(ev.data)


def test_a_cursor_does_not_carry_an_exact_search_past_the_check(world):
    """The check runs on the first page; a later page with an exact term matches nothing."""
    from dangjian.members.selectors import encode_cursor

    first = Member.objects.filter(org_path__startswith=world.b1.path).order_by("org_path", "id").first()
    resp = api_as(world.users["committee"]).get(reverse(API_LIST), {"q": world.m_member.phone, "cursor": encode_cursor(first)})
    assert resp.status_code == 200 and rows(resp) == []


# -- roles with reveal -----------------------------------------------------------------------------

def test_secretary_finds_a_member_by_phone_and_the_search_is_audited(world, login):
    sec = world.users["secretary"]
    body = login(sec).get(reverse(ROSTER), {"q": world.m_member.phone}).content.decode()
    assert world.m_member.name in body and world.m_secretary.name not in body
    assert rows(api_as(sec).get(reverse(API_LIST), {"q": world.m_member.id_number})) == [world.m_member.pk]
    web, api = audit_rows(sec, "member.search_exact")
    assert (web.data["field"], web.data["via"], api.data["field"], api.data["via"]) == ("phone", "web", "id_number", "api")
    assert web.data["term"] == world.m_member.phone[:3] + "****" + world.m_member.phone[-4:]
    assert api.data["term"] == world.m_member.id_number[:4] + "*" * 14


def test_an_exact_search_matches_only_members_the_user_may_reveal(world):
    """Committee member in 东村 (view, no reveal) and secretary in 西村 (reveal): the exact search
    runs, but over 西村 only; 东村's members are found by name, not by phone."""
    u = get_user_model().objects.create_user(username="two_hats", password="x" * 20)
    org_services.grant_role(actor=None, user=u, org=world.b1, role="committee")
    org_services.grant_role(actor=None, user=u, org=world.b2, role="secretary")
    c = api_as(u)
    assert rows(c.get(reverse(API_LIST), {"q": world.m_member.phone})) == []
    assert world.m_member.pk in rows(c.get(reverse(API_LIST), {"q": world.m_member.name}))
    assert rows(c.get(reverse(API_LIST), {"q": world.m_b2[0].phone})) == [world.m_b2[0].pk]


def test_exact_searches_are_rate_limited_and_a_burst_alerts_the_security_admin(world, login, settings):
    settings.DANGJIAN_EXACT_SEARCH = {"per_window": 3, "window_minutes": 10, "burst": 4}
    sec = world.users["secretary"]
    web, api = login(sec), api_as(sec)
    for m in (world.m_member, world.m_committee, world.m_secretary):
        assert m.name in web.get(reverse(ROSTER), {"q": m.phone}).content.decode()
    assert not InboxMessage.objects.filter(kind="members.exact_search_burst").exists()
    refused = web.get(reverse(ROSTER), {"q": world.m_group.phone})
    assert refused.status_code == 429 and 'data-code="exact_search_rate_limited"' in refused.content.decode()
    assert world.m_group.name not in refused.content.decode()
    resp = api.get(reverse(API_LIST), {"q": world.m_group.phone})
    assert resp.status_code == 429 and resp.json()["code"] == "exact_search_rate_limited"
    assert len(audit_rows(sec, "member.search_exact")) == 3
    assert len(audit_rows(sec, "member.search_exact_refused")) == 2
    # the 4th attempt of the window alerted the county's security admin, once
    [alert] = InboxMessage.objects.filter(kind="members.exact_search_burst")
    assert alert.user == world.users["security_admin"] and "secretary" in alert.body
    [burst] = audit_rows(sec, "member.search_exact_burst")
    assert burst.data["alerted"] == [world.users["security_admin"].pk]
    # another user's budget is their own
    assert world.m_group.name in login(world.users["town_admin"], c=None).get(reverse(ROSTER), {"q": world.m_group.phone}).content.decode()


def test_the_window_passes(world, login, settings):
    settings.DANGJIAN_EXACT_SEARCH = {"per_window": 1, "window_minutes": 10, "burst": 99}
    sec = world.users["secretary"]
    c = login(sec)
    assert c.get(reverse(ROSTER), {"q": world.m_member.phone}).status_code == 200
    assert c.get(reverse(ROSTER), {"q": world.m_member.phone}).status_code == 429
    later = timezone.now() + dt.timedelta(minutes=11)  # audit rows are append-only: move the clock instead
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert c.get(reverse(ROSTER), {"q": world.m_member.phone}).status_code == 200


# -- duplicates of an ID number the user cannot see --------------------------------------------------

def _new_member_body(org, **over):
    d = member_data(name="新党员", **over)
    body = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in d.items() if v is not None}
    return {**body, "org": org.pk}


def test_a_duplicate_id_in_another_town_is_routed_without_naming_where(world):
    """西村's secretary (东镇) types the ID number of a member of 南村 (南镇): refused with
    ``id_duplicate_routed``; nothing names 南村 or the member; C县委's org admin is told."""
    other = world.m_b3[0]
    body = _new_member_body(world.b2, birth_date=other.birth_date, gender=other.gender)
    body["id_number"] = other.id_number
    before = Member.objects.count()
    resp = api_as(world.users["secretary2"]).post(reverse(API_LIST), body, format="json")
    assert resp.status_code == 400
    assert [e.code for e in resp.data["id_number"]] == ["id_duplicate_routed"]
    text = resp.content.decode()
    assert "already on record" not in text and world.b3.name not in text and other.name not in text
    assert Member.objects.count() == before
    [ev] = audit_rows(world.users["secretary2"], "member.duplicate_routed")
    assert ev.data["existing_org"] == world.b3.pk and ev.data["target_org"] == world.b2.pk and other.id_number not in str(ev.data)
    [msg] = InboxMessage.objects.filter(kind="members.duplicate_routed")
    assert msg.user == world.users["county_admin"]  # C县委: the organization department above both towns
    assert world.b3.name in msg.body and world.b2.name in msg.body


def test_a_duplicate_id_in_another_town_is_routed_on_the_web_form_too(world, login):
    other = world.m_b3[1]
    data = member_data(name="新党员", birth_date=other.birth_date, gender=other.gender)
    data.update(id_number=other.id_number, org=world.b2.pk)
    form = {k: (v.isoformat() if isinstance(v, dt.date) else ("" if v is None else v)) for k, v in data.items()}
    resp = login(world.users["secretary2"]).post(reverse("member-add"), form)
    text = resp.content.decode()
    assert resp.status_code == 200 and not Member.objects.filter(name="新党员").exists()
    assert world.b3.name not in text and other.name not in text and "已有使用该身份证号登记的党员" not in text
    assert len(audit_rows(world.users["secretary2"], "member.duplicate_routed")) == 1


def test_editing_to_an_id_number_of_another_town_is_routed(world):
    other, mine = world.m_b3[2], world.m_b2[0]
    resp = api_as(world.users["secretary2"]).patch(
        reverse("api-member-detail", kwargs={"pk": mine.pk}),
        {"id_number": other.id_number, "birth_date": other.birth_date.isoformat(), "gender": other.gender}, format="json")
    assert resp.status_code == 400 and [e.code for e in resp.data["id_number"]] == ["id_duplicate_routed"]
    assert other.name not in resp.content.decode()
    assert Member.objects.get(pk=mine.pk).id_number == mine.id_number
    assert len(audit_rows(world.users["secretary2"], "member.duplicate_routed")) == 1


def test_a_duplicate_the_user_can_see_is_named_as_such(world):
    body = _new_member_body(world.b1, birth_date=world.m_member.birth_date, gender="F")
    body["id_number"] = world.m_member.id_number
    resp = api_as(world.users["secretary"]).post(reverse(API_LIST), body, format="json")
    assert resp.status_code == 400 and [e.code for e in resp.data["id_number"]] == ["id_duplicate"]
    assert not AuditEvent.objects.filter(action="member.duplicate_routed").exists()


def test_opening_a_development_case_does_not_tell_who_is_a_member_elsewhere(world):
    """A committee member of 东村 (manages development cases, no reveal) types the ID number of a
    member of 南村: not "already on the member roll" (a Party-membership oracle) but routed."""
    from dangjian.development import services as dev_services
    from dangjian.development.models import DevelopmentCase
    from tests.development.helpers import applicant

    other = world.m_b3[0]
    data = applicant(id_number=other.id_number, birth_date=other.birth_date, gender=other.gender, name="申请人")
    with pytest.raises(ValidationError) as ei:
        dev_services.open_case(actor=world.users["committee"], org=world.b1, data=data, application_date=dt.date(2026, 3, 2))
    errs = ei.value.error_dict["id_number"]
    assert [e.code for e in errs] == ["id_duplicate_routed"]
    assert other.name not in str(ei.value.messages) and world.b3.name not in str(ei.value.messages)
    assert not DevelopmentCase.objects.filter(name="申请人").exists()
    [ev] = audit_rows(world.users["committee"], "member.duplicate_routed")
    assert ev.data["via"] == "development" and ev.data["existing_org"] == world.b3.pk


def test_a_transfer_in_from_outside_with_an_id_number_recorded_elsewhere_is_routed_and_the_routing_kept(world):
    from dangjian.transfers import services as transfer_services
    from dangjian.transfers.models import Transfer

    other = world.m_b3[1]
    data = member_data(name="外来党员", birth_date=other.birth_date, gender=other.gender)
    data["id_number"] = other.id_number
    with pytest.raises(ValidationError) as ei:
        transfer_services.register_incoming(actor=world.users["town_admin"], org=world.b1, member_data=data,
                                            from_name="外省某支部", external_letter_no="A-0002")
    assert [e.code for e in ei.value.error_dict["id_number"]] == ["id_duplicate_routed"]
    assert not Transfer.objects.filter(member_name="外来党员").exists() and not Member.objects.filter(name="外来党员").exists()
    [ev] = audit_rows(world.users["town_admin"], "member.duplicate_routed")
    assert ev.data["via"] == "transfer_in"
    assert InboxMessage.objects.filter(kind="members.duplicate_routed", user=world.users["county_admin"]).count() == 1


def test_opening_a_development_case_does_not_tell_who_applies_elsewhere(world):
    from dangjian.development import services as dev_services
    from dangjian.development.models import DevelopmentCase
    from tests.development.helpers import applicant

    data = applicant(name="南村申请人")
    dev_services.open_case(actor=world.users["town2_admin"], org=world.b3, data=data, application_date=dt.date(2026, 3, 2))
    with pytest.raises(ValidationError) as ei:
        dev_services.open_case(actor=world.users["secretary2"], org=world.b2, data={**data, "name": "西村申请人"},
                               application_date=dt.date(2026, 3, 2))
    assert [e.code for e in ei.value.error_dict["id_number"]] == ["id_duplicate_routed"]
    assert world.b3.name not in str(ei.value.messages)
    assert not DevelopmentCase.objects.filter(name="西村申请人").exists()
    [ev] = audit_rows(world.users["secretary2"], "member.duplicate_routed")
    assert ev.object_type == "development.developmentcase" and ev.data["via"] == "development"
    assert InboxMessage.objects.filter(kind="members.duplicate_routed", user=world.users["county_admin"]).count() == 1


def test_a_burst_of_routed_duplicates_alerts_the_security_admin(world, settings):
    """Probing which ID numbers are on the platform by adding members: the burst-th routed
    duplicate in a window alerts the security admin, like a burst of exact searches."""
    settings.DANGJIAN_EXACT_SEARCH = {"per_window": 20, "window_minutes": 10, "burst": 2}
    c = api_as(world.users["secretary2"])
    for other in world.m_b3[:2]:
        body = _new_member_body(world.b2, birth_date=other.birth_date, gender=other.gender)
        body["id_number"] = other.id_number
        assert c.post(reverse(API_LIST), body, format="json").status_code == 400
    [alert] = InboxMessage.objects.filter(kind="members.exact_search_burst")
    assert alert.user == world.users["security_admin"]
    [burst] = audit_rows(world.users["secretary2"], "member.search_exact_burst")
    assert burst.data["field"] == "duplicate"
