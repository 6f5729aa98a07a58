"""Concurrent duplicate sign-ins write once (PostgreSQL: real concurrent transactions)."""
from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from django.db import connections
from django.utils import timezone

PG = os.environ.get("DANGJIAN_DB") == "postgres"


def _race(n, call):
    """``call()`` from ``n`` threads released together; their results (each thread its own connection)."""
    barrier, results = threading.Barrier(n), []

    def go():
        try:
            barrier.wait()
            results.append(call())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(results) == n, "a thread failed"
    return results


def _open_theme_day(w, title):
    """A 主题党日 of b1 starting in 10 minutes, every b1 member invited, sign-in open."""
    from dangjian.orglife import selectors, services
    from dangjian.orglife.models import MeetingType

    t = MeetingType.objects.get(owner_path="", code="theme_day")
    start = timezone.now() + dt.timedelta(minutes=10)
    m = services.plan_meeting(actor=w.users["secretary"], org=w.b1, meeting_type=t, title=title, starts_at=start,
                              ends_at=start + dt.timedelta(hours=1), place="会议室", host=w.m_secretary, recorder=w.m_committee,
                              agenda="", invitees=list(selectors.default_invitees(w.b1, t)))
    return services.open_signin(actor=w.users["secretary"], meeting=m)


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG, reason="needs DANGJIAN_DB=postgres (SQLite serialises writers)")
def test_racing_duplicates_write_one_row_and_one_audit_entry(live_world):
    from dangjian.core.models import AuditEvent
    from dangjian.orglife import services
    from dangjian.orglife.models import Attendance

    w = live_world
    m = _open_theme_day(w, "并发")
    created = [c for _a, c in _race(8, lambda: services.sign_in(actor=w.users["member"], meeting=m, member=w.m_member, method="qr"))]
    assert sorted(created) == [False] * 7 + [True]
    assert Attendance.objects.filter(meeting=m, member=w.m_member, status="present").count() == 1
    assert AuditEvent.objects.filter(action="orglife.sign_in").count() == 1


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG, reason="needs DANGJIAN_DB=postgres (SQLite serialises writers)")
def test_racing_taps_in_one_statement_write_one_row_and_one_audit_entry(live_world):
    """The one-statement sign-in (services.sign_in_confirmed): of 8 concurrent taps of one member,
    one signs in; the others either see it signed in or decline (their UPDATE re-checked the row
    a concurrent tap committed), and the full path then answers "already"."""
    from dangjian.core.models import AuditEvent
    from dangjian.orglife import services
    from dangjian.orglife.models import Attendance

    w = live_world
    m = _open_theme_day(w, "并发确认")
    done = _race(8, lambda: services.sign_in_confirmed(actor=w.users["member"], meeting_id=m.pk, method="qr"))
    outcomes = [None if d is None else d[1] for d in done]
    assert outcomes.count(True) == 1 and len(outcomes) == 8
    assert Attendance.objects.filter(meeting=m, member=w.m_member, status="present").count() == 1
    assert AuditEvent.objects.filter(action="orglife.sign_in").count() == 1
