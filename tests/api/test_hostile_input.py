"""Malformed and hostile input never produces a server error (SECURITY.md "API fuzzing": 0 5xx).

Each case targets something that once crashed or could: ids beyond the database's integers,
NUL characters (PostgreSQL refuses them in text), forged cursors, dates whose term end would
overflow year 9999, non-object JSON bodies, wrong JSON types.
"""
from __future__ import annotations

import base64

import pytest

from dangjian.core.models import Organization
from dangjian.members.models import Member

from .conftest import url

BODIES = [
    [], [1], "x", None, 1,
    {"org": []}, {"org": {"a": 1}}, {"org": True}, {"org": 2**80}, {"org": -1}, {"org": "1e3"},
    {"parent": None}, {"parent": "abc"}, {"parent": 2**70}, {"into": 2**70},
    {"field": None}, {"field": ["phone"]}, {"reason": None}, {"reason": "\x00"},
    {"name": None, "gender": None, "birth_date": "2020-13-45", "id_number": None, "status": 5, "position": None},
    {"name": "x" * 10000}, {"name": "a\x00b"}, {"birth_date": "１９８０-０１-０１"}, {"gender": True},
    {"full_member_on": None, "status": "full"}, {"unit_count": 10**9}, {"kind": None},
    {"term_started_on": "9999-12-31"}, {"term_started_on": "0001-01-01"}, {"founded_on": "2020-02-30"},
    {"joined_on": "0001-01-01", "birth_date": "0001-01-01"},
]
WRITE_ROUTES = [
    ("api-organization-list", None), ("api-organization-detail", "b2"), ("api-organization-move", "b2"),
    ("api-organization-merge", "b2"), ("api-organization-dissolve", "b2"), ("api-member-list", None),
    ("api-member-detail", "m_member"), ("api-member-move", "m_member"), ("api-member-reveal", "m_member"),
    ("api-auth-token", None),
]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


QUERIES = [
    {"org": "2" * 30}, {"org": "\x00"}, {"q": "\x00"}, {"q": "%_"}, {"gender": "\x00"}, {"kind": "\x00"},
    {"parent": "9" * 30}, {"page_size": "-1"}, {"include_left": "true"}, {"age_min": "0", "age_max": "150"},
    {"cursor": "\x00"}, {"cursor": "////"}, {"cursor": b64(b"0001|" + b"9" * 30)}, {"cursor": b64(b"00\x00|1")},
    {"cursor": b64(b"p=00%00x")}, {"cursor": b64(b"p=\x00")}, {"cursor": b64(b"o=99999999999999999999999")},
]
READ_ROUTES = [("api-member-list", None), ("api-organization-list", None), ("api-organization-subtree", "county"),
               ("api-organization-children", "t1")]


def _pk(world, attr):
    return getattr(world, attr).pk if attr else None


@pytest.mark.parametrize("persona", ["county_admin", "member"])
@pytest.mark.parametrize(("name", "attr"), WRITE_ROUTES)
def test_hostile_bodies_get_4xx(world, as_user, persona, name, attr):
    c = as_user(persona)
    link = url(name, _pk(world, attr))
    orgs, members = Organization.objects.count(), Member.objects.count()
    for body in BODIES:
        for method in ("post", "patch"):
            r = getattr(c, method)(link, body, format="json")
            assert r.status_code < 500, (method, body, r.status_code)
    assert (Organization.objects.count(), Member.objects.count()) == (orgs, members)


@pytest.mark.parametrize(("name", "attr"), READ_ROUTES)
def test_hostile_queries_get_4xx_or_an_empty_page(world, as_user, name, attr):
    c = as_user("county_admin")
    for q in QUERIES:
        r = c.get(url(name, _pk(world, attr)), q)
        assert r.status_code < 500, (q, r.status_code)


def test_term_dates_that_would_overflow_are_refused(world, as_user):
    resp = as_user("town_admin").patch(url("api-organization-detail", world.b1.pk), {"term_started_on": "9999-12-31"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"term_started_on": ["Enter a date between 1900-01-01 and 2199-12-31."], "codes": {"term_started_on": ["date_range"]}}
