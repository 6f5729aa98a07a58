"""Fixtures for the notify tests: a recording outbox, frozen clocks and scratch message kinds."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import pytest

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


class RecordingOutbox:
    """Stands in for dangjian.jobs.api.outbox_put (the jobs app is built in parallel)."""

    def __init__(self):
        self.rows: list[SimpleNamespace] = []
        self.by_key: dict[str, SimpleNamespace] = {}

    def put(self, *, channel, to, payload, dedup_key=None):
        if dedup_key and dedup_key in self.by_key:
            return self.by_key[dedup_key]
        row = SimpleNamespace(id=1000 + len(self.rows), pk=1000 + len(self.rows), channel=channel, to=to, payload=payload, dedup_key=dedup_key)
        self.rows.append(row)
        if dedup_key:
            self.by_key[dedup_key] = row
        return row

    def of(self, channel):
        return [r for r in self.rows if r.channel == channel]


@pytest.fixture
def outbox(monkeypatch):
    box = RecordingOutbox()
    monkeypatch.setattr("dangjian.notify.services._outbox_put", box.put)
    return box


@contextmanager
def frozen(local: dt.datetime):
    """Freeze django.utils.timezone.now at a Beijing-time wall clock."""
    at = local.replace(tzinfo=SH) if local.tzinfo is None else local
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield at


@pytest.fixture
def scratch_kinds():
    """Register kinds freely inside a test; the registry is restored afterwards."""
    from dangjian.core import messages as kinds

    saved = dict(kinds.KINDS)
    yield kinds
    kinds.KINDS.clear()
    kinds.KINDS.update(saved)


@pytest.fixture
def reminder(scratch_kinds):
    scratch_kinds.register_kind(
        "test.reminder",
        title={"zh-hans": "会议提醒：{meeting}", "en": "Meeting reminder: {meeting}"},
        body={"zh-hans": "{name}同志，请于{when}参加{meeting}。", "en": "Comrade {name}, please attend {meeting} at {when}."},
        link="/orgs/{org_id}/",
    )
    return "test.reminder"


@pytest.fixture
def ctx(world):
    return {"meeting": "支部党员大会", "name": "李书记", "when": "周五下午3点", "org_id": world.b1.pk}


DAYTIME = dt.datetime(2026, 5, 12, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def daytime():
    """Every notify test runs at 10:00 Beijing time unless it freezes another moment itself."""
    with frozen(DAYTIME) as at:
        yield at
