"""Issue 10 item 6: the QR login-first grace (``?g=``) is bound to the browser session that
scanned the code and lasts 1 minute — a relayed link does not sign in someone who is absent.

Family: authentication & sessions (../shared/SECURITY.md)."""
from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.orglife import tokens
from dangjian.orglife.models import PRESENT_STATUSES, Attendance
from tests.orglife.conftest import NOW, clock, open_meeting, plan  # noqa: F401  (fixtures)


def _scan_logged_out(browser: Client, meeting) -> str:
    """A signed-out phone scans the venue's code; returns the address it comes back to after the login."""
    r = browser.get(reverse("orglife-qr-signin", kwargs={"token": tokens.make_token(meeting)}))
    assert r.status_code == 302
    nxt = parse_qs(urlparse(r["Location"]).query)["next"][0]
    assert "?g=" in nxt
    return nxt


def _present(meeting, member) -> bool:
    return Attendance.objects.filter(meeting=meeting, member=member, status__in=PRESENT_STATUSES).exists()


@pytest.mark.parametrize("relay_to", ["member", "committee"])
def test_relayed_grace_link_is_refused_in_another_session(world, login, open_meeting, clock, relay_to):  # noqa: F811
    """The scanner forwards the return address; whoever opens it elsewhere — even the scanner's own
    account on another phone — is refused with ``other_session`` and nobody is signed in."""
    nxt = _scan_logged_out(Client(), open_meeting)
    clock.move_to(NOW + dt.timedelta(seconds=20))
    elsewhere = login(world.users[relay_to], Client())
    r = elsewhere.get(nxt)
    assert r.status_code == 403
    assert r.context["code"] == "other_session"
    r = elsewhere.post(nxt, {"c": "x"})
    assert r.status_code == 403 and r.context["code"] == "other_session"
    member = world.m_member if relay_to == "member" else world.m_committee
    assert not _present(open_meeting, member)


def test_grace_works_in_the_scanning_session(world, login, open_meeting, clock):  # noqa: F811
    phone = Client()
    clock.move_to(NOW + dt.timedelta(seconds=29))  # the last second of the code's window
    nxt = _scan_logged_out(phone, open_meeting)
    clock.move_to(NOW + dt.timedelta(seconds=29 + 55))  # the code itself has expired meanwhile
    login(world.users["member"], phone)
    r = phone.get(nxt)
    assert r.status_code == 200 and r.context["c"]
    assert phone.post(nxt, {"c": r.context["c"]}).status_code == 200
    assert _present(open_meeting, world.m_member)


def test_grace_lasts_one_minute(world, login, open_meeting, clock):  # noqa: F811
    phone = Client()
    clock.move_to(NOW + dt.timedelta(seconds=29))
    nxt = _scan_logged_out(phone, open_meeting)
    clock.move_to(NOW + dt.timedelta(seconds=29 + 61))
    login(world.users["member"], phone)
    r = phone.get(nxt)
    assert r.status_code == 410 and r.context["code"] == "expired"
    assert not _present(open_meeting, world.m_member)


def test_grace_of_a_logged_out_browser_is_gone(world, login, open_meeting, clock):  # noqa: F811
    """Logging out ends the session that scanned: a second person logging in on the same
    browser afterwards does not inherit the first one's grace."""
    phone = Client()
    nxt = _scan_logged_out(phone, open_meeting)
    login(world.users["member"], phone)
    phone.post(reverse("logout"))
    login(world.users["committee"], phone)
    r = phone.get(nxt)
    assert r.status_code == 403 and r.context["code"] == "other_session"
    assert not _present(open_meeting, world.m_committee)
