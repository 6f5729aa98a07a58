"""Cache-Control (SECURITY.md "field privacy"; issue 10 item 13): every response to a signed-in
user — web session or API token — and every reveal says ``no-store``; public pages do not."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD


def no_store(resp) -> bool:
    return "no-store" in [part.strip() for part in resp.get("Cache-Control", "").split(",")]


@pytest.mark.parametrize(
    ("name", "target"),
    [("home", None), ("org-tree", None), ("org-detail", "b1"), ("org-roles", "b1"), ("member-roster", None),
     ("member-detail", "m_member"), ("api-member-list", None), ("api-member-detail", "m_member"), ("api-tokens", None)],
)
def test_pages_of_a_signed_in_user_are_not_stored(world, login, name, target):
    c = login(world.users["town_admin"])
    link = reverse(name, kwargs={"pk": getattr(world, target).pk}) if target else reverse(name)
    resp = c.get(link)
    assert resp.status_code == 200
    assert no_store(resp), resp.get("Cache-Control")


def test_the_web_reveal_is_not_stored(world, login):
    c = login(world.users["secretary"])
    resp = c.post(reverse("member-reveal", args=[world.m_member.pk, "phone"]), {"purpose": "contact"})
    assert resp.status_code == 200 and world.m_member.phone in resp.content.decode()
    assert no_store(resp)


def test_api_by_token_is_not_stored(world):
    cache.clear()
    key = APIClient().post(reverse("api-auth-token"), {"username": "secretary", "password": PASSWORD}, format="json").json()["token"]
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for resp in (c.get(reverse("api-member-list")), c.get(reverse("api-organization-detail", args=[world.b1.pk]))):
        assert resp.status_code == 200
        assert no_store(resp)


@pytest.mark.parametrize("name", ["publicity-public-index", "healthz"])
def test_public_pages_stay_cacheable_for_the_public_only(world, login, name):
    anonymous = Client().get(reverse(name))
    assert anonymous.status_code == 200
    assert not no_store(anonymous)
    signed_in = login(world.users["member"]).get(reverse(name))
    assert signed_in.status_code == 200
    assert no_store(signed_in)
