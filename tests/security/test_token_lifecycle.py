"""Token lifecycle (SECURITY.md family "token lifecycle"; issue 10 item 4): an expired, revoked,
pre-2FA or pre-role-change token gets 401; a reveal by token needs a fresh second factor; tokens
are listed and revoked by their holder and by the security admin, on the web and in the API."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from dangjian.accounts import services as otp_services
from dangjian.accounts.models import ApiToken
from dangjian.accounts.tokens import digest
from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent, RoleAssignment
from tests.accounts.conftest import code, confirmed_device
from tests.conftest import PASSWORD

REVEAL = {"field": "phone", "purpose": "verification"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def obtain(username: str, **extra) -> dict:
    r = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(reverse("api-auth-token"), {"username": username, "password": PASSWORD, **extra},
                                                  format="json")
    assert r.status_code == 200, r.content
    return r.json()


def bearer(key: str) -> APIClient:
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c


def members(c: APIClient):
    return c.get(reverse("api-member-list"))


def assert_refused(resp, code_: str):
    assert resp.status_code == 401, resp.content
    assert resp.json()["code"] == code_
    assert "results" not in resp.json()


def test_key_is_stored_only_as_a_digest_and_issue_is_audited(world):
    body = obtain("member")
    row = ApiToken.objects.get(pk=body["id"])
    assert row.digest == digest(body["token"]) and body["token"] not in (row.digest, row.prefix)
    assert AuditEvent.objects.filter(action="auth.token_issue", object_id=str(row.pk), actor=world.users["member"]).exists()


def test_tokens_expire_sooner_for_privileged_roles(world, settings):
    settings.DANGJIAN_API_TOKEN_TTL_SECONDS = 24 * 3600
    settings.DANGJIAN_API_TOKEN_PRIVILEGED_TTL_SECONDS = 900
    before = timezone.now()
    plain = ApiToken.objects.get(pk=obtain("member")["id"])
    privileged = ApiToken.objects.get(pk=obtain("town_admin")["id"])
    assert dt.timedelta(hours=23, minutes=59) < plain.expires_at - before <= dt.timedelta(hours=24, seconds=5)
    assert dt.timedelta(minutes=14) < privileged.expires_at - before <= dt.timedelta(minutes=15, seconds=5)
    assert privileged.privileged and not plain.privileged


def test_an_expired_token_gets_401(world):
    body = obtain("secretary")
    c = bearer(body["token"])
    assert members(c).status_code == 200
    ApiToken.objects.filter(pk=body["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_refused(members(c), "expired")


def test_holder_lists_and_revokes_a_token_in_the_api(world):
    first, second = obtain("secretary"), obtain("secretary")
    c = bearer(second["token"])
    listed = c.get(reverse("api-auth-token-list"))
    assert listed.status_code == 200
    assert {t["id"] for t in listed.json()} == {first["id"], second["id"]}
    assert all("token" not in t and len(t["prefix"]) == 8 for t in listed.json())
    assert c.delete(reverse("api-auth-token-detail", kwargs={"pk": first["id"]})).status_code == 204
    assert_refused(members(bearer(first["token"])), "revoked")
    assert members(c).status_code == 200
    assert AuditEvent.objects.filter(action="auth.token_revoke", object_id=str(first["id"])).exists()


def test_nobody_else_revokes_or_lists_a_token_except_the_security_admin(world):
    body = obtain("secretary")
    town = bearer(obtain("town_admin")["token"])
    # the town admin above the secretary is not the security admin: 404, and no security list
    assert town.delete(reverse("api-auth-token-detail", kwargs={"pk": body["id"]})).status_code == 404
    assert town.get(reverse("api-security-token-list")).status_code == 403
    assert members(bearer(body["token"])).status_code == 200

    sec = bearer(obtain("security_admin")["token"])
    listed = sec.get(reverse("api-security-token-list"))
    assert listed.status_code == 200
    assert body["id"] in {t["id"] for t in listed.json()}
    assert sec.delete(reverse("api-auth-token-detail", kwargs={"pk": body["id"]})).status_code == 204
    assert_refused(members(bearer(body["token"])), "revoked")
    ev = AuditEvent.objects.filter(action="auth.token_revoke", object_id=str(body["id"])).latest("seq")
    assert ev.actor_id == world.users["security_admin"].pk


def test_security_admin_does_not_reach_tokens_of_another_county(world):
    other = get_user_model().objects.create_user(username="north_secretary", password=PASSWORD)
    org_services.grant_role(actor=None, user=other, org=world.b4, role="secretary")
    body = obtain("north_secretary")
    sec = bearer(obtain("security_admin")["token"])
    assert body["id"] not in {t["id"] for t in sec.get(reverse("api-security-token-list")).json()}
    assert sec.delete(reverse("api-auth-token-detail", kwargs={"pk": body["id"]})).status_code == 404
    assert members(bearer(body["token"])).status_code == 200


def test_tokens_are_listed_and_revoked_on_the_web(world, login):
    body = obtain("secretary")
    c = login(world.users["secretary"])
    page = c.get(reverse("api-tokens"))
    assert page.status_code == 200 and f'data-testid="api-token-{body["id"]}"' in page.content.decode()
    assert c.post(reverse("api-tokens"), {"revoke": body["id"]}).status_code == 302
    assert_refused(members(bearer(body["token"])), "revoked")

    other = obtain("committee")
    sec = login(world.users["security_admin"], c.__class__())
    assert f'data-testid="api-token-{other["id"]}"' in sec.get(reverse("api-tokens-manage")).content.decode()
    sec.post(reverse("api-tokens-manage"), {"revoke": other["id"]})
    assert_refused(members(bearer(other["token"])), "revoked")
    assert login(world.users["town_admin"], c.__class__()).get(reverse("api-tokens-manage")).status_code == 403


def test_a_role_gained_or_lost_ends_the_token(world):
    member = world.users["member"]
    gained = obtain("member")
    org_services.grant_role(actor=None, user=member, org=world.b1, role="committee")
    assert_refused(members(bearer(gained["token"])), "roles_changed")

    lost = obtain("member")
    assert members(bearer(lost["token"])).status_code == 200
    ra = RoleAssignment.objects.get(user=member, role="committee", active=True)
    org_services.revoke_role(actor=None, assignment=ra)
    assert_refused(members(bearer(lost["token"])), "roles_changed")


def test_a_2fa_reset_after_issue_ends_the_token(world, settings):
    settings.DANGJIAN_OTP_ENFORCED = True
    user = world.users["secretary"]
    device = confirmed_device(user)
    body = obtain("secretary", otp=code(device))
    assert body["second_factor"] is True
    assert members(bearer(body["token"])).status_code == 200
    otp_services.reset(user, actor=world.users["security_admin"])
    assert_refused(members(bearer(body["token"])), "second_factor_changed")


def test_a_token_issued_without_2fa_stops_when_2fa_is_required(world, settings):
    settings.DANGJIAN_OTP_ENFORCED = False
    body = obtain("secretary")  # the password alone while enforcement is off
    settings.DANGJIAN_OTP_ENFORCED = True
    confirmed_device(world.users["secretary"])  # enrolling changes the 2FA state, too
    assert_refused(members(bearer(body["token"])), "second_factor_changed")

    settings.DANGJIAN_OTP_ENFORCED = False
    again = obtain("town_admin")
    settings.DANGJIAN_OTP_ENFORCED = True  # a required role, no device yet, token without a code
    assert_refused(members(bearer(again["token"])), "second_factor_required")


def test_reveal_by_token_needs_a_fresh_second_factor(world, settings):
    settings.DANGJIAN_OTP_ENFORCED = True
    settings.DANGJIAN_API_FRESH_OTP_SECONDS = 300
    device = confirmed_device(world.users["secretary"])
    body = obtain("secretary", otp=code(device))
    c = bearer(body["token"])
    link = reverse("api-member-reveal", kwargs={"pk": world.m_member.pk})
    assert c.post(link, REVEAL, format="json").status_code == 200
    ApiToken.objects.filter(pk=body["id"]).update(second_factor_at=timezone.now() - dt.timedelta(seconds=301))
    stale = c.post(link, REVEAL, format="json")
    assert_refused(stale, "fresh_second_factor_required")
    assert "value" not in stale.json()
    assert members(c).status_code == 200  # the token still reads; only the privileged action needs the step-up
    fresh = bearer(obtain("secretary", otp=code(device, 1))["token"])
    assert fresh.post(link, REVEAL, format="json").status_code == 200
