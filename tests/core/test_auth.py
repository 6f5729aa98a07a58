"""Authentication and sessions (SECURITY.md test family "authentication & sessions").

Lockout enforced (the right password is refused while locked); the same answer for an unknown
user and a wrong password; Argon2 first; idle (30 min, to the minute) and absolute (12 h) expiry to the
second; a deactivated user is refused on the next request.
"""
from __future__ import annotations

import datetime as dt
import re
import types

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dangjian.core import middleware as session_middleware
from tests.conftest import PASSWORD

WRONG = "wrong-password-123456"
PROBE = "/healthz"  # public and cheap; the session middleware still loads request.user


def _login_url() -> str | None:
    try:
        return reverse("login")
    except NoReverseMatch:
        return None


def attempt(client: Client, username: str, password: str):
    """One sign-in attempt through the real entry point (login page; authenticate() until it exists).

    Returns (signed_in, response-or-None).
    """
    url = _login_url()
    if url is None:
        request = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1")
        return authenticate(request=request, username=username, password=password) is not None, None
    resp = client.post(url, {"username": username, "password": password})
    return "_auth_user_id" in client.session, resp


def signed_in(resp) -> bool:
    return resp.wsgi_request.user.is_authenticated


# --- lockout ------------------------------------------------------------------------------------


def test_lockout_after_five_failures_refuses_the_right_password(world, client):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _i in range(5):
        ok, _resp = attempt(client, "secretary", WRONG)
        assert not ok
    ok, resp = attempt(client, "secretary", PASSWORD)
    assert not ok, "the right password must be refused while the account is locked"
    assert resp.status_code == 429
    # and through authenticate() (any other sign-in path) as well
    request = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1")
    assert authenticate(request=request, username="secretary", password=PASSWORD) is None


def test_four_failures_do_not_lock(world, client):
    for _i in range(4):
        assert not attempt(client, "committee", WRONG)[0]
    assert attempt(client, "committee", PASSWORD)[0]


def test_lockout_is_per_username(world, client):
    for _i in range(5):
        attempt(client, "secretary", WRONG)
    assert not attempt(client, "secretary", PASSWORD)[0]
    assert attempt(Client(), "committee", PASSWORD)[0], "another user on the same address is not locked"


def test_lockout_lasts_thirty_minutes(world, client):
    from axes.models import AccessAttempt

    assert settings.AXES_COOLOFF_TIME == 0.5  # hours
    for _i in range(5):
        attempt(client, "secretary", WRONG)
    assert not attempt(client, "secretary", PASSWORD)[0]
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=29))
    assert not attempt(client, "secretary", PASSWORD)[0], "still locked after 29 minutes"
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=30, seconds=1))
    assert attempt(client, "secretary", PASSWORD)[0], "unlocked after 30 minutes"


def _normalized(resp, username: str) -> str:
    html = resp.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken" value=""', html)
    html = re.sub(r'nonce="[^"]*"', 'nonce=""', html)
    html = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)
    return html.replace(username, "USERNAME")


def test_same_answer_for_unknown_user_and_wrong_password(world):
    known, unknown = Client(), Client()
    ok1, r1 = attempt(known, "secretary", WRONG)
    ok2, r2 = attempt(unknown, "nobody-here", WRONG)
    assert not ok1 and not ok2
    if r1 is None:
        return  # authenticate() returned None for both
    assert r1.status_code == r2.status_code
    assert _normalized(r1, "secretary") == _normalized(r2, "nobody-here")
    # locked: an unknown name is locked out exactly like a real one (no user enumeration)
    for _i in range(5):
        attempt(known, "secretary", WRONG)
        attempt(unknown, "nobody-here", WRONG)
    _ok, r1 = attempt(known, "secretary", WRONG)
    _ok, r2 = attempt(unknown, "nobody-here", WRONG)
    assert r1.status_code == r2.status_code
    assert _normalized(r1, "secretary") == _normalized(r2, "nobody-here")


def test_deactivated_user_cannot_sign_in_and_gets_the_same_answer(world):
    u = world.users["committee"]
    u.is_active = False
    u.save(update_fields=["is_active"])
    ok, r1 = attempt(Client(), "committee", PASSWORD)
    assert not ok
    _ok, r2 = attempt(Client(), "nobody-here", PASSWORD)
    if r1 is not None:
        assert r1.status_code == r2.status_code
        assert _normalized(r1, "committee") == _normalized(r2, "nobody-here")


# --- passwords ----------------------------------------------------------------------------------


def test_argon2_is_the_first_hasher_in_the_base_settings():
    from dangjian.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = make_password("a long enough passphrase", hasher="argon2")
    assert encoded.startswith("argon2$") and check_password("a long enough passphrase", encoded)


def test_password_policy_in_the_base_settings():
    from dangjian.settings import base

    validators = {v["NAME"].rsplit(".", 1)[1]: v for v in base.AUTH_PASSWORD_VALIDATORS}
    assert validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 12
    assert "CommonPasswordValidator" in validators


# --- sessions -----------------------------------------------------------------------------------


def test_session_settings():
    from dangjian.settings import base

    for s in (base, settings):
        assert s.SESSION_COOKIE_AGE == 1800
        assert s.SESSION_SAVE_EVERY_REQUEST is False  # saved when the activity moved a minute (middleware)
        assert s.DANGJIAN_SESSION_ACTIVITY_STEP_SECONDS == 60
        assert s.SESSION_COOKIE_HTTPONLY is True
        assert s.DANGJIAN_SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert base.SESSION_ENGINE == "django.contrib.sessions.backends.db"  # server-side


class Clock:
    """A frozen clock for Django (sessions, axes) and the session middleware, moved by hand."""

    def __init__(self, monkeypatch):
        self.offset = 0.0
        base_now, base_time = timezone.now(), float(int(session_middleware.time.time()))
        monkeypatch.setattr(timezone, "now", lambda: base_now + dt.timedelta(seconds=self.offset))
        monkeypatch.setattr(session_middleware, "time", types.SimpleNamespace(time=lambda: base_time + self.offset))

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_idle_expiry_after_thirty_minutes(world, client, login, clock):
    login(world.users["secretary"])
    assert signed_in(client.get(PROBE))
    clock.advance(29 * 60)
    assert signed_in(client.get(PROBE)), "29 minutes idle: still signed in"
    clock.advance(29 * 60)
    assert signed_in(client.get(PROBE)), "each request restarts the idle window"
    clock.advance(30 * 60 + 1)
    assert not signed_in(client.get(PROBE)), "30 minutes and 1 second idle: signed out"


def _session_writes(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]


def test_requests_within_a_minute_do_not_rewrite_the_session_row(world, client, login, clock):
    """The session row used to be rewritten by every request (SESSION_SAVE_EVERY_REQUEST): a
    write per page, per htmx poll, per sign-in. It is now saved when the recorded activity is a
    minute old — and the idle timeout still follows the user's activity to the minute."""
    login(world.users["secretary"])
    assert signed_in(client.get(PROBE))
    for _i in range(3):
        clock.advance(15)
        with CaptureQueriesContext(connection) as q:
            r = client.get(PROBE)
        assert signed_in(r)
        assert _session_writes(q.captured_queries) == []
        assert settings.SESSION_COOKIE_NAME not in r.cookies  # no new cookie either
    clock.advance(15)  # 60 s since the activity was recorded: saved once
    with CaptureQueriesContext(connection) as q:
        r = client.get(PROBE)
    assert len(_session_writes(q.captured_queries)) == 1 and settings.SESSION_COOKIE_NAME in r.cookies
    for _i in range(50):  # a request every 40 s for 33 minutes keeps the session
        clock.advance(40)
        assert signed_in(client.get(PROBE))
    clock.advance(29 * 60)
    assert signed_in(client.get(PROBE)), "29 minutes idle: still signed in"
    clock.advance(30 * 60 + 1)
    assert not signed_in(client.get(PROBE)), "30 minutes and 1 second idle: signed out"


def test_idle_expiry_is_never_later_than_thirty_minutes_after_the_last_request(world, client, login, clock):
    """Activity is recorded at most once a minute: the session ends between 29 and 30 minutes after
    the last request (to the minute), never after 30."""
    login(world.users["secretary"])
    assert signed_in(client.get(PROBE))
    clock.advance(59)
    assert signed_in(client.get(PROBE))  # not recorded (under a minute since the sign-in)
    clock.advance(30 * 60 - 58)  # 30 min + 1 s after the recorded activity, 29 min 2 s after the last request
    assert not signed_in(client.get(PROBE))


def test_a_signed_in_get_costs_the_session_and_the_user_query_only(world, client, login, clock):
    login(world.users["secretary"])
    client.get(PROBE)
    clock.advance(5)
    with CaptureQueriesContext(connection) as q:
        assert signed_in(client.get(PROBE))
    statements = [(x["sql"].split()[0], (re.search(r'(?:FROM|UPDATE|INTO) "(\w+)"', x["sql"]) or [None, None])[1]) for x in q.captured_queries]
    assert statements == [("SELECT", "django_session"), ("SELECT", "auth_user")]


def test_absolute_expiry_after_twelve_hours(world, client, login, clock):
    login(world.users["secretary"])
    assert signed_in(client.get(PROBE))  # the first request records the sign-in time
    for _i in range(36):  # an active user: a request every 20 minutes, for 12 hours exactly
        clock.advance(20 * 60)
        assert signed_in(client.get(PROBE))
    clock.advance(1)  # 12 h + 1 s after sign-in
    resp = client.get("/orgs/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    assert not signed_in(resp)
    assert not signed_in(client.get(PROBE)), "the session is gone, not just this request"
    assert "_auth_user_id" not in client.session


def test_absolute_expiry_with_the_middleware_clock_only(world, client, login, monkeypatch):
    """The check the brief names: time.time in dangjian.core.middleware at login + 12 h + 1 s."""
    t0 = 1_900_000_000.0
    now = {"t": t0}
    monkeypatch.setattr(session_middleware, "time", types.SimpleNamespace(time=lambda: now["t"]))
    login(world.users["county_admin"])
    assert signed_in(client.get(PROBE))
    now["t"] = t0 + 12 * 3600
    assert signed_in(client.get(PROBE))
    now["t"] = t0 + 12 * 3600 + 1
    resp = client.get(PROBE)
    assert resp.status_code == 302 and not signed_in(resp)
    assert not signed_in(client.get(PROBE))


def test_api_request_after_absolute_expiry_is_anonymous(world, client, login, monkeypatch):
    t0 = 1_900_000_000.0
    now = {"t": t0}
    monkeypatch.setattr(session_middleware, "time", types.SimpleNamespace(time=lambda: now["t"]))
    login(world.users["county_admin"])
    client.get(PROBE)
    assert client.get("/api/v1/organizations/").status_code == 200  # the session works before the expiry
    now["t"] = t0 + 12 * 3600 + 1
    resp = client.get("/api/v1/organizations/")
    assert resp.status_code == 401
    assert not signed_in(resp)


def test_deactivated_user_is_refused_on_the_next_request(world, client, login):
    user = world.users["secretary"]
    login(user)
    assert signed_in(client.get(PROBE))
    user.is_active = False
    user.save(update_fields=["is_active"])
    resp = client.get("/orgs/")
    assert not signed_in(resp)
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
