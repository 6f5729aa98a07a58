"""The hourly SMS limit holds when two sends to the same recipient race (PostgreSQL)."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import override_settings

from dangjian.notify.api import notify
from dangjian.notify.models import Delivery

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers; the race needs PostgreSQL")


@override_settings(DANGJIAN_NOTIFY={"sms_per_hour": 1})
def test_two_racing_sends_queue_exactly_one_sms(live_world, monkeypatch):
    monkeypatch.setattr("dangjian.notify.services._outbox_put", lambda **kw: None)
    user = live_world.users["member"]
    barrier = threading.Barrier(4)
    errors = []

    def send():
        try:
            barrier.wait()
            notify(recipients=[user], kind="notice", context={"title": "通知", "text": "开会"}, channels=("sms",))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    sms = Delivery.objects.filter(channel="sms", recipient=f"member:{live_world.m_member.pk}")
    assert sms.exclude(status="skipped").count() == 1
    assert sms.filter(status="skipped", reason="rate_limited").count() == 3
