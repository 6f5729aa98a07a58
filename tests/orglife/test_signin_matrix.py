"""The QR sign-in link is the one orglife URL the generic authz matrix cannot open (it needs a
live, rotating token), so it has its own matrix here: every persona of the generic matrix, with
a fresh token of an open 主题党日 of b1, GET (confirm page) and POST (sign in).

Expected: invited members of b1 sign in (one attendance row, method "qr"); staff without a member
record in b1, members of another branch and outsiders are refused with 403 and nothing written;
an anonymous phone is sent to log in first (no row)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dangjian.orglife import services, tokens
from dangjian.orglife.models import Attendance

from .conftest import NOW

EXPECTED = {  # persona -> (GET status, POST status, signs in)
    "secretary": (200, 200, True),
    "committee": (200, 200, True),
    "member": (200, 200, True),
    "secretary2": (403, 403, False),  # a member of b2
    "town_admin": (403, 403, False),
    "county_admin": (403, 403, False),
    "audit_admin": (403, 403, False),
    "security_admin": (403, 403, False),
    "outsider": (403, 403, False),
}


@pytest.fixture
def open_theme_day(world, plan, clock):
    return services.open_signin(actor=world.users["secretary"], meeting=plan(starts_at=NOW + dt.timedelta(minutes=20)))


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_qr_signin_matrix(world, login, open_theme_day, persona):
    get_status, post_status, signs = EXPECTED[persona]
    user = world.users[persona]
    url = reverse("orglife-qr-signin", kwargs={"token": tokens.make_token(open_theme_day)})
    before = set(Attendance.objects.filter(meeting=open_theme_day, status="present").values_list("member_id", flat=True))
    c = login(user)
    assert c.get(url).status_code == get_status
    assert c.post(url).status_code == post_status
    after = set(Attendance.objects.filter(meeting=open_theme_day, status="present").values_list("member_id", flat=True))
    if signs:
        (new,) = after - before
        row = Attendance.objects.get(meeting=open_theme_day, member_id=new)
        assert row.member.user == user and row.method == "qr"
    else:
        assert after == before


def test_qr_signin_anonymous_is_sent_to_log_in(world, client, open_theme_day):
    url = reverse("orglife-qr-signin", kwargs={"token": tokens.make_token(open_theme_day)})
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("login") + "?next=")
    assert client.post(url).status_code == 302
    assert not Attendance.objects.filter(meeting=open_theme_day, status="present").exists()
