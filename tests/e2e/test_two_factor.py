"""Browser: a town admin's first sign-in with 2FA enforced — password, authenticator set-up,
recovery codes — then a second sign-in where a wrong code is refused and a recovery code works."""
from __future__ import annotations

import base64

import pytest
from django_otp.oath import totp

from dangjian.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e


def password_step(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "town_admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_first_sign_in_sets_up_totp_then_recovery_code_works(live_server, page, live_world, settings):
    settings.DANGJIAN_OTP_ENFORCED = True
    base = live_server.url
    password_step(page, base)
    page.wait_for_url("**/accounts/2fa/setup/**")
    assert page.locator("[data-testid=otp-qr]").count() == 1
    secret = page.inner_text("[data-testid=otp-secret]").replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    # every page insists on the second factor until it is set up
    page.goto(f"{base}/members/")
    page.wait_for_url("**/accounts/2fa/setup/**")

    page.fill("input[name=code]", f"{totp(key):06d}")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=recovery-codes]")
    codes = [c.strip() for c in page.inner_text("[data-testid=recovery-codes]").split("\n") if c.strip()]
    assert len(codes) >= 5
    page.click("[data-testid=otp-continue]")
    page.wait_for_selector("[data-testid=whoami]")
    assert "东镇党委" in page.content()

    page.click("text=" + page.inner_text("form[action='/accounts/logout/'] button"))
    password_step(page, base)
    page.wait_for_url("**/accounts/2fa/verify/**")
    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    page.wait_for_selector(".invalid-feedback, .alert-danger")
    assert "/accounts/2fa/verify/" in page.url
    page.fill("input[name=code]", codes[0])
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]")
    assert "东镇党委" in page.content()
    actions = set(AuditEvent.objects.filter(actor=live_world.users["town_admin"]).values_list("action", flat=True))
    assert {"auth.2fa_setup", "auth.2fa_fail", "auth.2fa_verify"} <= actions
