"""Helpers for the two-factor tests: enforcement on, real password sign-in, TOTP codes."""
from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The token endpoint's rate limit lives in the cache; each test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def enforced(settings):
    """Two-factor sign-in on (the test profile has it off so the rest of the suite can force_login)."""
    settings.DANGJIAN_OTP_ENFORCED = True
    return settings


def code(device: TOTPDevice, offset: int = 0) -> str:
    """The device's TOTP code for the current time step plus ``offset`` steps (django_otp.oath)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, offset):0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A six-digit code that matches no step inside the device's tolerance window."""
    near = {code(device, o) for o in range(-3, 4)}
    n = int(code(device))
    while f"{n:06d}" in near:
        n = (n + 1) % 1_000_000
    return f"{n:06d}"


def password_login(username: str, client: Client | None = None) -> Client:
    """Sign in through the real login form (axes, signals, session) and return the client."""
    c = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    r = c.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    assert "_auth_user_id" in c.session
    return c


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
