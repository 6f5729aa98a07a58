"""The device sign-in API (DEVICE marker; outside the user matrix, tested here)."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.core.models import AuditEvent
from dangjian.orglife import services
from dangjian.orglife.models import Attendance, AttendanceStatus, SigninDevice

URL = "/api/v1/orglife/device-signin/"


@pytest.fixture
def device(world):
    cache.clear()
    dev, key = services.create_device(actor=world.users["secretary"], org=world.b1, name="会议室人脸终端")
    return dev, key


def call(key, body, scheme="Device"):
    c = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"{scheme} {key}"} if key is not None else {}
    return c.post(URL, body, format="json", **headers)


def test_route_is_declared_as_device():
    from dangjian.api.registry import API_POLICY, DEVICE

    assert reverse("api-orglife-device-signin") == URL
    assert API_POLICY["api-orglife-device-signin"] == {"POST": DEVICE}


def test_key_is_stored_hashed(device):
    dev, key = device
    assert key not in (dev.key_hash, dev.key_prefix) and len(dev.key_hash) == 64 and key.startswith(dev.key_prefix + ".")


def test_device_signs_in_and_is_idempotent(world, device, open_meeting):
    _dev, key = device
    r = call(key, {"meeting": open_meeting.pk, "member": world.m_member.pk})
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "present" and r.json()["method"] == "device" and r.json()["created"] is True
    r = call(key, {"meeting": open_meeting.pk, "member": world.m_member.pk})
    assert r.status_code == 200 and r.json()["created"] is False
    assert Attendance.objects.filter(meeting=open_meeting, status=AttendanceStatus.PRESENT).count() == 1
    ev = AuditEvent.objects.get(action="orglife.sign_in")
    assert ev.data["device"] == _dev.pk and ev.actor is None
    assert SigninDevice.objects.get(pk=_dev.pk).last_used_at is not None


@pytest.mark.parametrize("key", [None, "", "nonsense", "abcdef12.wrong-secret"])
def test_bad_key_is_401(world, device, open_meeting, key):
    r = call(key, {"meeting": open_meeting.pk, "member": world.m_member.pk})
    assert r.status_code == 401 and "Device" in r["WWW-Authenticate"]
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()


def test_wrong_scheme_and_switched_off_device_are_401(world, device, open_meeting):
    dev, key = device
    assert call(key, {"meeting": open_meeting.pk, "member": world.m_member.pk}, scheme="Token").status_code == 401
    services.deactivate_device(actor=world.users["secretary"], device=dev)
    assert call(key, {"meeting": open_meeting.pk, "member": world.m_member.pk}).status_code == 401


def test_meeting_of_another_org_is_404(world, device, plan, clock):
    import datetime as dt

    from .conftest import NOW

    _dev, key = device
    other = plan(org=world.b2, starts_at=NOW + dt.timedelta(minutes=20), host=world.m_b2[0], recorder=world.m_b2[1],
                 invitees=world.m_b2)
    services.open_signin(actor=world.users["secretary2"], meeting=other)
    r = call(key, {"meeting": other.pk, "member": world.m_b2[0].pk})
    assert r.status_code == 404
    assert call(key, {"meeting": 10**12, "member": world.m_b2[0].pk}).status_code == 404
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()


def test_refusals_are_409(world, device, plan, open_meeting, clock):
    _dev, key = device
    r = call(key, {"meeting": open_meeting.pk, "member": world.m_b2[0].pk})  # not invited
    assert r.status_code == 409 and r.json()["code"] == "not_invited"
    assert call(key, {"meeting": open_meeting.pk, "member": 10**12}).status_code == 409
    planned = plan(title="还没开始")
    r = call(key, {"meeting": planned.pk, "member": world.m_member.pk})
    assert r.status_code == 409 and r.json()["code"] == "not_open"


@pytest.mark.parametrize("body", [[], "x", None, {}, {"meeting": "a", "member": 1}, {"meeting": 2**80, "member": 1},
                                  {"meeting": -1, "member": 1}, {"meeting": 1}, {"meeting": "\x00", "member": 1}])
def test_bad_bodies_are_400(world, device, body):
    _dev, key = device
    r = call(key, body)
    assert r.status_code == 400


def test_throttled(world, device, open_meeting, settings):
    settings.DANGJIAN_ORGLIFE_DEVICE_RATE = "3/min"
    _dev, key = device
    codes = [call(key, {"meeting": open_meeting.pk, "member": world.m_member.pk}).status_code for _ in range(5)]
    assert codes[:3] == [201, 200, 200] and codes[3:] == [429, 429]
    cache.clear()


def test_device_pages(world, login):
    c = login(world.users["secretary"])
    r = c.post(reverse("orglife-device-add"), {"org": world.b1.pk, "name": "大门签到机"})
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    key = r.context["key"]
    dev = SigninDevice.objects.get(name="大门签到机")
    assert services.authenticate_device(key) == dev
    r = c.get(reverse("orglife-devices"))
    assert "大门签到机" in r.content.decode() and key not in r.content.decode()  # shown once only
    assert c.post(reverse("orglife-device-deactivate", kwargs={"pk": dev.pk})).status_code == 302
    assert services.authenticate_device(key) is None
    assert login(world.users["committee"], c.__class__()).get(reverse("orglife-devices")).status_code == 403
