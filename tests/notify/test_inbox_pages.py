"""The inbox pages: own messages only, filters, paging, mark read (plain and htmx), header badge."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.notify.api import notify
from dangjian.notify.models import InboxMessage, NotificationPreference

pytestmark = pytest.mark.django_db


def give(world, who="member", n=1, kind="notice", **ctx):
    for i in range(n):
        notify(recipients=[world.users[who]], kind=kind, context={"title": ctx.get("title", f"通知{i}"), "text": ctx.get("text", "正文")})


def badge(html: str) -> str:
    m = re.search(r'data-testid="inbox-unread" class="([^"]*)">([^<]*)<', html)
    assert m, "no unread badge in the header"
    return "" if "d-none" in m.group(1) else m.group(2)


def test_empty_state(world, login):
    r = login(world.users["member"]).get(reverse("inbox"))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="inbox-empty"' in body and 'data-testid="inbox-link"' in body
    assert badge(body) == ""


def test_lists_only_my_messages(world, login):
    give(world, "member", title="给党员的通知")
    give(world, "committee", title="给委员的通知")
    body = login(world.users["member"]).get(reverse("inbox")).content.decode()
    assert "给党员的通知" in body and "给委员的通知" not in body
    assert badge(body) == "1"


def test_unread_filter_kind_filter_and_paging(world, login, scratch_kinds):
    scratch_kinds.register_kind("test.other", title={"zh-hans": "其他{x}"}, body={"zh-hans": ""})
    give(world, n=25)
    notify(recipients=[world.users["member"]], kind="test.other", context={"x": "甲"})
    first = InboxMessage.objects.filter(user=world.users["member"], kind="notice").order_by("id").first()
    first.read_at = first.created_at
    first.save()
    c = login(world.users["member"])
    page1 = c.get(reverse("inbox")).content.decode()
    assert page1.count('data-testid="inbox-message"') == 20 and "?page=2" in page1
    page2 = c.get(reverse("inbox") + "?page=2").content.decode()
    assert page2.count('data-testid="inbox-message"') == 6
    unread = c.get(reverse("inbox") + "?show=unread&page=2").content.decode()
    assert unread.count('data-testid="inbox-message"') == 5
    other = c.get(reverse("inbox") + "?kind=test.other").content.decode()
    assert other.count('data-testid="inbox-message"') == 1 and "其他甲" in other


def test_mark_one_read_plain_and_htmx(world, login):
    give(world, n=2)
    a, b = InboxMessage.objects.filter(user=world.users["member"]).order_by("id")
    c = login(world.users["member"])
    r = c.post(reverse("inbox-read"), {"id": a.pk})
    assert r.status_code == 302 and r["Location"] == reverse("inbox")
    a.refresh_from_db()
    assert a.read_at is not None
    r = c.post(reverse("inbox-read"), {"id": b.pk}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="inbox-list"' in body and 'hx-swap-oob="true"' in body and "<html" not in body
    assert badge(body) == ""


def test_mark_all_read(world, login):
    give(world, n=3)
    c = login(world.users["member"])
    assert c.post(reverse("inbox-read-all")).status_code == 302
    assert not InboxMessage.objects.filter(user=world.users["member"], read_at__isnull=True).exists()


def test_someone_elses_message_is_404_and_unchanged(world, login):
    give(world, "committee")
    theirs = InboxMessage.objects.get(user=world.users["committee"])
    c = login(world.users["member"])
    assert c.post(reverse("inbox-read"), {"id": theirs.pk}).status_code == 404
    assert c.post(reverse("inbox-read"), {"id": theirs.pk, "open": "1"}).status_code == 404
    assert c.post(reverse("inbox-read"), {"id": "999999999"}).status_code == 404
    assert c.post(reverse("inbox-read"), {"id": "abc"}).status_code == 404
    c.post(reverse("inbox-read-all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_open_goes_to_the_target_page_and_marks_read(world, login, reminder, ctx):
    notify(recipients=[world.users["secretary"]], kind=reminder, context=ctx)
    msg = InboxMessage.objects.get(user=world.users["secretary"])
    c = login(world.users["secretary"])
    r = c.post(reverse("inbox-read"), {"id": msg.pk, "open": "1"})
    assert r.status_code == 302 and r["Location"] == f"/orgs/{world.b1.pk}/"
    assert c.get(r["Location"]).status_code == 200
    msg.refresh_from_db()
    assert msg.read_at is not None


def test_next_parameter_cannot_leave_the_site(world, login):
    give(world)
    msg = InboxMessage.objects.get(user=world.users["member"])
    r = login(world.users["member"]).post(reverse("inbox-read"), {"id": msg.pk, "next": "//evil.example/"})
    assert r["Location"] == reverse("inbox")


def test_get_on_post_endpoints_changes_nothing(world, login):
    give(world)
    c = login(world.users["member"])
    for name in ("inbox-read", "inbox-read-all"):
        assert c.get(reverse(name)).status_code == 302
    assert InboxMessage.objects.filter(read_at__isnull=True).count() == 1


def test_header_badge_costs_one_query(world, login):
    give(world, n=3)
    c = login(world.users["member"])
    assert badge(c.get(reverse("home")).content.decode()) == "3"
    from django.test import RequestFactory

    from dangjian.notify.context_processors import inbox

    req = RequestFactory().get("/")
    req.user = world.users["member"]
    with CaptureQueriesContext(connection) as q:
        ctx = inbox(req)
        assert int(str(ctx["inbox_unread"])) == 3
    assert len(q.captured_queries) == 1
    assert c.get(reverse("inbox-unread")).content == b"3"


def test_messages_are_escaped(world, login):
    give(world, title="<script>alert(1)</script>", text="<b>x</b>")
    body = login(world.users["member"]).get(reverse("inbox")).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_preferences_page(world, login):
    c = login(world.users["member"])
    assert c.get(reverse("inbox-preferences")).status_code == 200
    r = c.post(reverse("inbox-preferences"), {"email": "on", "quiet_start": "21:30", "quiet_end": "06:30", "language": "en"})
    assert r.status_code == 302
    row = NotificationPreference.objects.get(user=world.users["member"], kind="*")
    assert (row.sms, row.email, str(row.quiet_start), row.language) == (False, True, "21:30:00", "en")
    r = c.post(reverse("inbox-preferences"), {"quiet_start": "21:30"})
    assert r.status_code == 200 and "form-errors" in r.content.decode()


def test_anonymous_goes_to_login(client):
    for name in ("inbox", "inbox-read", "inbox-read-all", "inbox-unread", "inbox-preferences"):
        r = client.get(reverse(name))
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
