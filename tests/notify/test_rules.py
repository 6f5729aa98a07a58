"""Preferences, quiet hours, rate limits and the audit summary of notify()."""
from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from dangjian.core.models import AuditEvent
from dangjian.notify.api import notify
from dangjian.notify.models import Delivery, InboxMessage
from dangjian.notify.services import quiet_until, release_deferred, save_preferences
from tests.notify.conftest import SH, frozen

pytestmark = pytest.mark.django_db
NOTICE = {"title": "通知", "text": "明天开会"}


def send(world, who="member", channels=("inbox", "sms")):
    return notify(recipients=[world.users[who]], kind="notice", context=NOTICE, channels=channels, org=world.b1)


def test_quiet_hours_defer_sms_to_their_end_and_inbox_is_immediate(world, outbox):
    with frozen(dt.datetime(2026, 5, 12, 23, 30)):
        assert send(world) == 1
    assert outbox.rows == []
    d = Delivery.objects.get(channel="sms")
    assert d.status == "deferred" and d.reason == "quiet_hours"
    assert d.send_after == dt.datetime(2026, 5, 13, 7, 0, tzinfo=SH)
    with frozen(dt.datetime(2026, 5, 13, 6, 59)):
        assert release_deferred() == 0
    with frozen(dt.datetime(2026, 5, 13, 7, 0)):
        assert release_deferred() == 1
        assert release_deferred() == 0  # released once only
    assert [r.to for r in outbox.of("sms")] == [f"member:{world.m_member.pk}"]
    assert outbox.rows[0].dedup_key == f"notify:{d.pk}"
    d.refresh_from_db()
    assert d.status == "queued" and d.outbox_id == outbox.rows[0].id and d.payload == {}


def test_quiet_hours_after_midnight_end_the_same_morning(world, outbox):
    with frozen(dt.datetime(2026, 5, 13, 2, 15)):
        send(world)
    assert Delivery.objects.get(channel="sms").send_after == dt.datetime(2026, 5, 13, 7, 0, tzinfo=SH)


def test_quiet_hours_window_edges():
    q = (dt.time(22, 0), dt.time(7, 0))
    at = lambda h, m=0: dt.datetime(2026, 5, 12, h, m, tzinfo=SH)  # noqa: E731
    assert quiet_until(at(21, 59), q) is None
    assert quiet_until(at(22, 0), q) == dt.datetime(2026, 5, 13, 7, 0, tzinfo=SH)
    assert quiet_until(at(7, 0), q) is None
    assert quiet_until(at(12, 30), (dt.time(12, 0), dt.time(14, 0))) == at(14)
    assert quiet_until(at(23, 0), (dt.time(8, 0), dt.time(8, 0))) is None  # start == end: none
    # a UTC clock is read as Beijing time: 15:00 UTC is 23:00 in Beijing
    assert quiet_until(dt.datetime(2026, 5, 12, 15, 0, tzinfo=dt.UTC), q) is not None


def test_user_quiet_hours_and_email_is_not_held(world, outbox):
    u = world.users["member"]
    u.email = "member@example.org"
    u.save(update_fields=["email"])
    save_preferences(actor=u, quiet_start=dt.time(9, 0), quiet_end=dt.time(11, 0))
    send(world, channels=("inbox", "sms", "email"))  # 10:00: inside the user's own quiet hours
    assert Delivery.objects.get(channel="sms").status == "deferred"
    assert [r.to for r in outbox.of("email")] == ["member@example.org"]


@override_settings(DANGJIAN_NOTIFY={"sms_per_hour": 2})
def test_rate_limit_skips_excess_sms_but_inbox_still_delivered(world, outbox):
    for _ in range(3):
        assert send(world) == 1
    assert len(outbox.of("sms")) == 2
    skipped = Delivery.objects.get(status="skipped")
    assert skipped.reason == "rate_limited" and skipped.recipient == f"member:{world.m_member.pk}"
    assert InboxMessage.objects.filter(user=world.users["member"]).count() == 3
    ev = AuditEvent.objects.filter(action="notify.send").order_by("-seq").first()
    assert ev.data["skipped"] == {"sms": {"rate_limited": 1}}
    # other recipients are unaffected, and an hour later the member can be texted again
    send(world, who="committee")
    assert len(outbox.of("sms")) == 3
    with frozen(dt.datetime(2026, 5, 12, 11, 0, 1)):
        send(world)
    assert len(outbox.of("sms")) == 4


@override_settings(DANGJIAN_NOTIFY={"sms_per_hour": 1})
def test_rate_limit_counts_deferred_messages_at_their_send_time(world, outbox):
    with frozen(dt.datetime(2026, 5, 12, 23, 0)):
        send(world)
    with frozen(dt.datetime(2026, 5, 13, 3, 0)):
        send(world)
    assert list(Delivery.objects.order_by("id").values_list("status", "reason")) == [("deferred", "quiet_hours"), ("skipped", "rate_limited")]


def test_preferences_per_kind_override_all_kinds(world, outbox, reminder, ctx):
    u = world.users["member"]
    save_preferences(actor=u, sms=False)
    send(world)
    assert outbox.rows == [] and Delivery.objects.get().reason == "opted_out"
    save_preferences(actor=u, kind=reminder, sms=True)
    notify(recipients=[u], kind=reminder, context=ctx, channels=("sms",))
    assert len(outbox.of("sms")) == 1


def test_inbox_opt_out_and_missing_addresses(world, outbox):
    save_preferences(actor=world.users["committee"], inbox=False)
    assert notify(recipients=[world.users["committee"]], kind="notice", context=NOTICE) == 0
    # the outsider has no member record (no phone) and no e-mail
    send(world, who="outsider", channels=("inbox", "sms", "email"))
    reasons = dict(Delivery.objects.filter(user=world.users["outsider"]).values_list("channel", "reason"))
    assert reasons == {"sms": "no_phone", "email": "no_email"}


def test_audit_summary_has_counts_not_contents(world, outbox):
    notify(recipients=[world.users["member"], world.users["committee"]], kind="notice",
           context={"title": "机密标题", "text": "机密正文"}, channels=("inbox", "sms"), org=world.b1, actor=world.users["secretary"])
    ev = AuditEvent.objects.filter(action="notify.send").order_by("-seq").first()
    assert ev.actor == world.users["secretary"] and ev.org_path == world.b1.path and ev.object_id == "notice"
    assert ev.data["recipients"] == 2 and ev.data["inbox"] == 2 and ev.data["queued"] == {"sms": 2}
    assert "机密" not in str(ev.data)


def test_unknown_channel_is_refused(world):
    with pytest.raises(ValueError, match="unknown channels"):
        send(world, channels=("pigeon",))


def test_notify_rolls_back_with_the_callers_transaction(world, outbox):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        send(world)
        raise RuntimeError("business change failed")
    assert InboxMessage.objects.count() == 0 and Delivery.objects.count() == 0


def test_release_job_is_registered_with_the_scheduler():
    from dangjian.jobs import api as jobs_api

    if not hasattr(jobs_api, "PERIODIC"):
        pytest.skip("the jobs app's scheduler has not landed yet")
    import dangjian.notify.tasks  # noqa: F401  (huey autodiscovers it; import is idempotent)

    assert "notify.release_deferred" in jobs_api.PERIODIC


def test_no_quiet_hours_when_start_equals_end(world, outbox):
    save_preferences(actor=world.users["member"], quiet_start=dt.time(0, 0), quiet_end=dt.time(0, 0))
    with frozen(dt.datetime(2026, 5, 12, 23, 30)):
        send(world)
    assert len(outbox.of("sms")) == 1
