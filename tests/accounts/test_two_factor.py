"""Two-factor sign-in (SECURITY.md: TOTP for admins, org-department staff and secretaries;
等保 "two or more authentication factors").

A required-role user is forced through setup, then verify on every later sign-in; a member is not
asked; wrong codes are refused, throttled and audited; a recovery code works once; the API token
needs a TOTP code; with ``DANGJIAN_OTP_ENFORCED`` off nothing changes.
"""
from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts import services
from dangjian.core.models import AuditEvent
from tests.conftest import PASSWORD

from .conftest import code, confirmed_device, password_login, wrong_code

SETUP, VERIFY = "/accounts/2fa/setup/", "/accounts/2fa/verify/"


def audits(action: str, user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, actor=user).order_by("seq"))


def unthrottle(device) -> None:
    """Let django-otp's back-off delay pass (1, 2, 4 … s after consecutive wrong codes)."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1))


# -- the web flow --------------------------------------------------------------------------------


def test_required_role_is_forced_through_setup_then_verify(world, enforced):
    user = world.users["town_admin"]
    c = password_login("town_admin")

    # every page leads to setup until a device is confirmed, keeping the page asked for
    r = c.get("/orgs/")
    assert r.status_code == 302 and r["Location"] == f"{SETUP}?next=%2Forgs%2F"
    assert c.get("/").status_code == 302
    assert c.get(f"/orgs/{world.t1.pk}/").status_code == 302

    page = c.get(r["Location"])
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    html = page.content.decode()
    shown = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert shown == base64.b32encode(device.bin_key).decode().rstrip("=")
    assert 'src="data:image/svg+xml;base64,' in html
    assert "otpauth://" not in html  # the QR carries it; no link to an outside service

    # a wrong code does not confirm (and is audited)
    r = c.post(SETUP, {"code": wrong_code(device), "next": "/orgs/"})
    assert r.status_code == 200 and "not valid" in r.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert [e.data["stage"] for e in audits("auth.2fa_fail", user)] == ["setup"]
    unthrottle(device)

    # the current code confirms it: recovery codes are shown once, the session is verified
    r = c.post(SETUP, {"code": code(device), "next": "/orgs/"})
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    shown_codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>", r.content.decode())
    assert len(shown_codes) == 8 and len(set(shown_codes)) == 8
    assert StaticToken.objects.filter(device__user=user).count() == 8
    assert 'href="/orgs/"' in r.content.decode()
    device.refresh_from_db()
    assert device.confirmed is True
    (setup_row,) = audits("auth.2fa_setup", user)
    assert setup_row.org_path == world.t1.path
    assert setup_row.object_type == "auth.user" and setup_row.object_id == str(user.pk)
    assert c.get("/orgs/").status_code == 200
    assert c.get(SETUP).status_code == 302  # already set up: nothing to do

    # the next sign-in asks for a code, not for a new device
    c.post("/accounts/logout/")
    c = password_login("town_admin")
    r = c.get("/orgs/")
    assert r.status_code == 302 and r["Location"] == f"{VERIFY}?next=%2Forgs%2F"
    r = c.get(SETUP + "?next=/orgs/")
    assert r.status_code == 302 and r["Location"].startswith(VERIFY), "a password alone must not enrol a new device"
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert c.get(VERIFY).status_code == 200

    r = c.post(VERIFY, {"code": code(device, 1), "next": "/orgs/"})  # the next step: the last one is used up
    assert r.status_code == 302 and r["Location"] == "/orgs/"
    assert c.get("/orgs/").status_code == 200
    assert c.get(f"/orgs/{world.t1.pk}/").status_code == 200
    (verify_row,) = audits("auth.2fa_verify", user)
    assert verify_row.org_path == world.t1.path and verify_row.data["method"] == "totp"


@pytest.mark.parametrize("persona", ["county_admin", "secretary", "audit_admin", "security_admin"])
def test_every_required_role_is_asked(world, enforced, persona):
    c = password_login(persona)
    assert c.get("/").status_code == 302
    confirmed_device(world.users[persona])
    assert c.get("/")["Location"].startswith(VERIFY)


@pytest.mark.parametrize("persona,orgs_page", [("member", 200), ("committee", 200), ("outsider", 403)])
def test_other_roles_are_not_asked(world, enforced, persona, orgs_page):
    c = password_login(persona)
    assert c.get("/").status_code == 200
    assert c.get("/orgs/").status_code == orgs_page
    assert not TOTPDevice.objects.filter(user=world.users[persona]).exists()


def test_required_roles_are_a_setting(world, enforced):
    enforced.DANGJIAN_OTP_REQUIRED_ROLES = ["member"]
    assert password_login("member").get("/").status_code == 302
    assert password_login("town_admin").get("/").status_code == 200


def test_a_revoked_role_no_longer_requires_it(world, enforced):
    from dangjian.core.models import RoleAssignment

    RoleAssignment.objects.filter(user=world.users["secretary2"]).update(active=False)
    assert password_login("secretary2").get("/").status_code == 200


def test_a_role_granted_mid_session_requires_it_on_the_next_request(world, enforced):
    from dangjian.core import services as org_services

    c = password_login("member")
    assert c.get("/").status_code == 200
    org_services.grant_role(actor=None, user=world.users["member"], org=world.b1, role="secretary")
    assert c.get("/")["Location"].startswith(SETUP)


def test_wrong_code_is_refused_throttled_and_audited(world, enforced):
    user = world.users["secretary"]
    device = confirmed_device(user)
    c = password_login("secretary")

    r = c.post(VERIFY, {"code": wrong_code(device), "next": "/orgs/"})
    assert r.status_code == 200
    assert "not valid" in r.content.decode()
    assert c.get("/orgs/")["Location"].startswith(VERIFY)
    (fail,) = audits("auth.2fa_fail", user)
    assert fail.org_path == world.b1.path
    assert fail.data == {"channel": "web", "stage": "sign-in", "method": "totp", "throttled": False}
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    # django-otp's back-off: straight after a failure even the right code is refused
    r = c.post(VERIFY, {"code": code(device)})
    assert r.status_code == 200 and "Too many wrong codes" in r.content.decode()
    assert audits("auth.2fa_fail", user)[-1].data["throttled"] is True
    assert c.get("/orgs/").status_code == 302

    unthrottle(device)
    r = c.post(VERIFY, {"code": code(device)})
    assert r.status_code == 302
    assert c.get("/orgs/").status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert len(audits("auth.2fa_verify", user)) == 1


def test_a_code_is_accepted_once(world, enforced):
    device = confirmed_device(world.users["secretary"])
    the_code = code(device)
    assert password_login("secretary").post(VERIFY, {"code": the_code}).status_code == 302
    second = password_login("secretary")
    r = second.post(VERIFY, {"code": the_code})
    assert r.status_code == 200, "a replayed code must be refused"
    assert second.get("/")["Location"].startswith(VERIFY)


def test_recovery_code_works_once(world, enforced):
    user = world.users["county_admin"]
    confirmed_device(user)
    codes = services.issue_recovery_codes(user)
    assert len(codes) == 8

    c = password_login("county_admin")
    r = c.post(VERIFY, {"code": codes[0].upper(), "next": "/orgs/"})  # case and dashes do not matter
    assert r.status_code == 302 and r["Location"] == "/orgs/"
    landed = c.get("/orgs/")
    assert landed.status_code == 200
    assert "recovery code; 7 left" in landed.content.decode()
    assert StaticToken.objects.filter(device__user=user).count() == 7
    assert audits("auth.2fa_verify", user)[-1].data["method"] == "recovery"
    assert audits("auth.2fa_verify", user)[-1].data["recovery_codes_left"] == 7

    c.post("/accounts/logout/")
    c = password_login("county_admin")
    r = c.post(VERIFY, {"code": codes[0]})
    assert r.status_code == 200, "a recovery code works once"
    assert c.get("/orgs/").status_code == 302
    assert audits("auth.2fa_fail", user)[-1].data["method"] == "recovery"
    unthrottle(StaticDevice.objects.get(user=user))
    assert c.post(VERIFY, {"code": codes[1].replace("-", " ")}).status_code == 302
    assert c.get("/orgs/").status_code == 200


def test_logout_and_language_switch_work_before_verification(world, enforced):
    confirmed_device(world.users["secretary"])
    c = password_login("secretary")
    r = c.post("/i18n/setlang/", {"language": "en", "next": VERIFY})
    assert r.status_code == 302 and r["Location"] == VERIFY
    r = c.post("/accounts/logout/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert "_auth_user_id" not in c.session
    assert c.get("/healthz").status_code == 200


def test_htmx_requests_get_a_page_redirect(world, enforced):
    confirmed_device(world.users["secretary"])
    c = password_login("secretary")
    r = c.get(f"/orgs/{world.b1.pk}/children/", HTTP_HX_REQUEST="true")
    assert r.status_code == 204
    assert r["HX-Redirect"].startswith(VERIFY)


def test_api_session_before_verification_gets_403_json(world, enforced):
    device = confirmed_device(world.users["town_admin"])
    c = password_login("town_admin")
    r = c.get("/api/v1/organizations/")
    assert r.status_code == 403
    assert r["Content-Type"] == "application/json"
    assert set(r.json()) == {"detail"}
    assert "东镇" not in r.content.decode()
    c.post(VERIFY, {"code": code(device)})
    assert c.get("/api/v1/organizations/").status_code == 200


@pytest.mark.parametrize("nxt", ["https://evil.example/", "//evil.example/x", VERIFY, "/accounts/2fa/setup/"])
def test_next_stays_on_site_and_off_the_2fa_pages(world, enforced, nxt):
    device = confirmed_device(world.users["secretary"])
    c = password_login("secretary")
    r = c.post(VERIFY, {"code": code(device), "next": nxt})
    assert r.status_code == 302 and r["Location"] == "/"


def test_the_2fa_pages_need_a_signed_in_user(world, enforced, client):
    for url in (SETUP, VERIFY):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_verify_without_a_device_leads_to_setup(world, enforced):
    c = password_login("secretary")
    r = c.get(VERIFY + "?next=/orgs/")
    assert r.status_code == 302 and r["Location"] == f"{SETUP}?next=%2Forgs%2F"


def test_setup_page_keeps_one_pending_key(world, enforced):
    c = password_login("secretary")
    first = re.search(r'data-testid="otp-secret">([^<]+)<', c.get(SETUP).content.decode()).group(1)
    again = re.search(r'data-testid="otp-secret">([^<]+)<', c.get(SETUP).content.decode()).group(1)
    assert first == again
    assert TOTPDevice.objects.filter(user=world.users["secretary"]).count() == 1


def test_reset_command_makes_the_user_enrol_again(world, enforced):
    user = world.users["secretary"]
    device = confirmed_device(user)
    services.issue_recovery_codes(user)
    call_command("otp_reset", "secretary", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    (row,) = AuditEvent.objects.filter(action="auth.2fa_reset")
    assert row.object_id == str(user.pk) and row.org_path == world.b1.path
    assert password_login("secretary").get("/")["Location"].startswith(SETUP)


# -- the API token -------------------------------------------------------------------------------


def token(username: str, **extra):
    body = {"username": username, "password": extra.pop("password", PASSWORD), **extra}
    return Client(HTTP_ACCEPT_LANGUAGE="en").post("/api/v1/auth/token/", body, content_type="application/json")


def test_api_token_needs_a_totp_code(world, enforced):
    user = world.users["secretary"]
    device = confirmed_device(user)
    wrong_password = token("secretary", password="not-the-password-at-all")
    missing = token("secretary")
    blank = token("secretary", otp="")
    assert wrong_password.status_code == missing.status_code == blank.status_code == 400
    assert missing.content == wrong_password.content == blank.content, "do not reveal which part failed"
    assert audits("auth.2fa_fail", user)[-1].data == {"channel": "api", "method": "totp", "reason": "missing", "throttled": False}

    good = token("secretary", otp=code(device))
    assert good.status_code == 200
    assert "token" in good.json()
    assert audits("auth.2fa_verify", user)[-1].data == {"channel": "api", "method": "totp"}

    replay = token("secretary", otp=code(device))
    wrong = token("secretary", otp=wrong_code(device))
    assert replay.status_code == wrong.status_code == 400
    assert replay.content == wrong.content == wrong_password.content
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the replay; the next try came inside the back-off
    assert [e.data["throttled"] for e in audits("auth.2fa_fail", user)[-2:]] == [False, True]


def test_api_token_for_a_required_role_without_a_device_is_refused(world, enforced):
    r = token("town_admin", otp="123456")
    assert r.status_code == 400
    assert audits("auth.2fa_fail", world.users["town_admin"])[-1].data["reason"] == "no_device"


def test_recovery_codes_are_not_api_codes(world, enforced):
    user = world.users["secretary"]
    confirmed_device(user)
    codes = services.issue_recovery_codes(user)
    assert token("secretary", otp=codes[0]).status_code == 400
    assert StaticToken.objects.filter(device__user=user).count() == 8


def test_api_token_for_a_member_needs_no_code(world, enforced):
    assert token("member").status_code == 200


# -- enforcement off -----------------------------------------------------------------------------


def test_with_enforcement_off_nothing_changes(world, settings):
    settings.DANGJIAN_OTP_ENFORCED = False
    confirmed_device(world.users["town_admin"])
    c = password_login("town_admin")
    assert c.get("/orgs/").status_code == 200
    assert c.get("/api/v1/organizations/").status_code == 200
    assert token("town_admin").status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="auth.2fa").exists()


def test_production_enforces_and_the_demo_does_not():
    import ast
    from pathlib import Path

    settings_dir = Path(services.__file__).resolve().parents[1] / "settings"

    def assigned(name: str) -> dict:
        tree = ast.parse((settings_dir / f"{name}.py").read_text())
        return {t.id: ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name) and t.id.startswith("DANGJIAN_OTP")
                and isinstance(node.value, ast.Constant | ast.List)}

    base = assigned("base")
    assert base["DANGJIAN_OTP_ENFORCED"] is True
    assert set(base["DANGJIAN_OTP_REQUIRED_ROLES"]) == {"org_admin", "secretary", "audit_admin", "security_admin"}
    assert assigned("production").get("DANGJIAN_OTP_ENFORCED", True) is True
    assert assigned("dev")["DANGJIAN_OTP_ENFORCED"] is False


def test_the_pages_speak_chinese(world, enforced):
    c = password_login("secretary", Client(HTTP_ACCEPT_LANGUAGE="zh-hans"))
    html = c.get(SETUP).content.decode()
    assert "设置双因素登录" in html and "扫描此二维码" in html
    confirmed_device(world.users["secretary2"])
    html = password_login("secretary2", Client(HTTP_ACCEPT_LANGUAGE="zh-hans")).get(VERIFY).content.decode()
    assert "双因素登录" in html and "恢复码" in html


def test_a_member_who_set_it_up_voluntarily_is_asked_too(world, enforced):
    c = password_login("member")
    assert c.get("/").status_code == 200
    assert c.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=world.users["member"])
    assert c.post(SETUP, {"code": code(device)}).status_code == 200
    assert c.get("/").status_code == 200
    again = password_login("member")
    assert again.get("/")["Location"].startswith(VERIFY)
    assert token("member").status_code == 400
    assert token("member", otp=code(device, 1)).status_code == 200
