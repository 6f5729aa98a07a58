"""Authentication: tokens through django-axes, one answer for every failed sign-in, no data to
anonymous callers, the schema document."""
from __future__ import annotations

import json

import pytest
import yaml

from dangjian.accounts.models import ApiToken
from dangjian.accounts.tokens import digest
from tests.conftest import PASSWORD

from .conftest import url

TOKEN = "api-auth-token"


def obtain(client, username, password=PASSWORD):
    return client.post(url(TOKEN), {"username": username, "password": password}, format="json")


@pytest.mark.parametrize(
    ("_case", "method", "name", "pk"),
    [
        ("member list", "get", "api-member-list", None),
        ("member detail", "get", "api-member-detail", "m_member"),
        ("organization list", "get", "api-organization-list", None),
        ("organization subtree", "get", "api-organization-subtree", "county"),
        ("schema", "get", "api-schema", None),
        ("reveal", "post", "api-member-reveal", "m_member"),
        ("create member", "post", "api-member-list", None),
    ],
)
def test_anonymous_gets_401_and_no_data(world, anon, _case, method, name, pk):
    target = getattr(world, pk).pk if pk else None
    link = url(name, target) + ("?format=json" if name == "api-schema" else "")
    resp = anon.post(link, {}, format="json") if method == "post" else anon.get(link)
    assert resp.status_code == 401
    assert resp["WWW-Authenticate"] == "Token"
    assert set(resp.json()) == {"detail", "code"}  # the documented error body (dangjian.api.base.api_exception_handler)
    assert resp.json()["code"] == "not_authenticated"
    assert "赵党员" not in resp.content.decode()


def test_token_signs_in_and_scopes_like_the_user(world, anon):
    resp = obtain(anon, "member")
    assert resp.status_code == 200
    assert resp["Cache-Control"] == "no-store"
    token = resp.json()["token"]
    assert ApiToken.objects.get(user=world.users["member"]).digest == digest(token)

    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listing = anon.get(url("api-member-list"))
    assert listing.status_code == 200
    assert [m["id"] for m in listing.json()["results"]] == [world.m_member.pk]


def test_each_sign_in_issues_a_new_token_and_delete_revokes_the_one_in_use(world, anon):
    first = obtain(anon, "secretary").json()["token"]
    second = obtain(anon, "secretary").json()["token"]
    assert second != first

    anon.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert anon.delete(url(TOKEN)).status_code == 204
    assert ApiToken.objects.get(digest=digest(first)).revoked_at is not None
    assert anon.get(url("api-member-list")).status_code == 401
    anon.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert anon.get(url("api-member-list")).status_code == 200


def test_unknown_user_wrong_password_and_inactive_user_get_one_identical_answer(world, anon):
    inactive = world.users["committee"]
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    wrong = obtain(anon, "secretary", "not-the-password-at-all")
    unknown = obtain(anon, "nobody-by-this-name")
    deactivated = obtain(anon, "committee")

    assert wrong.status_code == unknown.status_code == deactivated.status_code == 400
    assert wrong.content == unknown.content == deactivated.content
    assert wrong.json() == {"non_field_errors": [wrong.json()["non_field_errors"][0]], "codes": {"non_field_errors": ["authorization"]}}
    assert ApiToken.objects.count() == 0


def test_missing_fields_are_a_400(world, anon):
    resp = anon.post(url(TOKEN), {"username": "secretary"}, format="json")
    assert resp.status_code == 400
    assert resp.json() == {"password": [resp.json()["password"][0]], "codes": {"password": ["required"]}}


def test_axes_lockout_refuses_the_right_password(world, anon):
    statuses = [obtain(anon, "secretary", "wrong-password-123").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]  # the fifth failure locks
    locked = obtain(anon, "secretary")
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("Too many failed sign-in attempts. Try again later.")
    assert set(locked.json()) == {"detail", "code"} and locked.json()["code"] == "throttled"
    assert locked["Retry-After"] == "1800"
    assert ApiToken.objects.filter(user=world.users["secretary"]).exists() is False
    # another account from the same address is not locked (lockout is per username + IP)
    assert obtain(anon, "secretary2").status_code == 200


def test_deactivated_user_is_refused_on_the_next_request(world, anon):
    token = obtain(anon, "town_admin").json()["token"]
    anon.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon.get(url("api-member-list")).status_code == 200
    user = world.users["town_admin"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    resp = anon.get(url("api-member-list"))
    assert resp.status_code == 401
    assert "results" not in resp.json()


def test_token_endpoint_is_rate_limited(world, anon):
    statuses = [obtain(anon, f"guess-{i}", "x-password-guess").status_code for i in range(11)]
    assert statuses == [400] * 10 + [429]
    assert obtain(anon, "secretary").status_code == 429


def test_session_authentication_works_too(world, client, login):
    login(world.users["secretary2"])
    resp = client.get(url("api-member-list"))
    assert resp.status_code == 200
    assert sorted(m["id"] for m in resp.json()["results"]) == sorted(m.pk for m in world.m_b2)


def test_schema_is_openapi_json_and_yaml(world, as_user):
    c = as_user("member")
    as_json = c.get(url("api-schema") + "?format=json")
    assert as_json.status_code == 200
    doc = json.loads(as_json.content)
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/members/{id}/reveal/" in doc["paths"]

    as_yaml = c.get(url("api-schema"))
    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content)["paths"].keys() == doc["paths"].keys()


def test_unknown_usernames_lock_out_alike(world, anon):
    known = [obtain(anon, "secretary", "wrong-password-123") for _ in range(5)]
    unknown = [obtain(anon, "no-such-person", "wrong-password-123") for _ in range(5)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert known[-1].content == unknown[-1].content
