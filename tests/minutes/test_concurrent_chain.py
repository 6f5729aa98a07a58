"""Two records of one organization closed at the same moment still form one chain (PostgreSQL):
the organization row is locked while a record is appended, so chain_seq never repeats and each
prev_hash is the previous record's hash."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from dangjian.minutes import services
from dangjian.minutes.models import MeetingRecord

from .conftest import complete, make_meeting

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers; the race needs PostgreSQL")


def test_racing_sign_offs_chain_in_order(live_world):
    w = live_world
    records = []
    for days in (3, 2, 1):
        r = complete(services.start_record(actor=w.users["secretary"], meeting=make_meeting(w, days_ago=days)), w)
        records.append(services.sign(actor=w.users["secretary"], record=r))
    barrier = threading.Barrier(len(records))
    errors = []

    def close(rec):
        try:
            barrier.wait()
            services.sign(actor=w.users["committee"], record=rec)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close, args=(r,)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    chain = list(MeetingRecord.objects.filter(org=w.b1).order_by("chain_seq"))
    assert [r.chain_seq for r in chain] == [1, 2, 3]
    assert all(b.prev_hash == a.content_hash for a, b in zip(chain, chain[1:], strict=False))
    assert services.verify_chain(w.b1).ok
