"""API test helpers: DRF clients signed in as the standard personas (tests/conftest.py)."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.core.privacy import id_check_char


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    """The token endpoint's rate limit lives in the cache; each test starts with none used."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def client_en() -> APIClient:
    """Messages are compared verbatim: ask for English (the msgids), whatever the site default."""
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def anon():
    return client_en()


@pytest.fixture
def as_user(world):
    """``as_user("town_admin")`` → an APIClient authenticated as that persona."""

    def _as(name: str) -> APIClient:
        c = client_en()
        c.force_authenticate(world.users[name])
        return c

    return _as


def url(name: str, pk: int | None = None) -> str:
    return reverse(name, kwargs={"pk": pk}) if pk is not None else reverse(name)


# Own serials (region 110105, a range no other test uses): tests.factories.make_id_number cycles
# through 50 sequence numbers per birth date, so drawing from it here would shift which numbers
# later test modules get and could make them collide with the session-wide world's members.
_api_serial = itertools.count(1)
_api_phone = itertools.count(50000000)


def api_id_number(birth: dt.date, sex: str = "M") -> str:
    n = next(_api_serial) % 500
    seq = n * 2 + (1 if sex == "M" else 0)
    first17 = f"110105{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def api_member_data(name: str, birth: dt.date = dt.date(1985, 7, 9), sex: str = "M", **over) -> dict:
    """A valid member field set (same shape as tests.factories.member_data)."""
    data = {
        "name": name,
        "gender": sex,
        "ethnicity": "汉族",
        "birth_date": birth,
        "id_number": api_id_number(birth, sex),
        "phone": f"137{next(_api_phone):08d}",
        "address": "山东省潍坊市某县东镇东村12号",
        "education": "senior",
        "joined_on": birth.replace(year=birth.year + 25),
        "full_member_on": birth.replace(year=birth.year + 26),
        "status": "full",
        "category": "farmer",
        "work_unit": "东村村委会",
        "position": "",
    }
    data.update(over)
    return data


def messages(resp) -> dict:
    """A 400 body's messages by field, without its ``codes`` part (dangjian.api.base.api_exception_handler)."""
    body = resp.json()
    assert set(body["codes"]) == set(body) - {"codes"}  # every field with a message has its codes
    return {k: v for k, v in body.items() if k != "codes"}
