"""Rights restrictions (留党察看, 留置) on the member page: recorded and restored by staff who may
change the member, audited, shown with text (not colour alone), following the member on a move."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone, translation

from dangjian.core.errors import REFUSAL_HEADER
from dangjian.core.models import AuditEvent
from dangjian.members import services
from dangjian.members.models import RightsRestriction


def test_secretary_records_and_restores_a_restriction(world, login):
    c = login(world.users["secretary"])
    url = reverse("member-restrict", args=[world.m_member.pk])
    with translation.override("en"):
        bad = c.post(url, {"kind": "probation", "starts_on": "2026-03-01", "ends_on": "2026-02-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and bad[REFUSAL_HEADER] == "ends_before_start"
    assert not RightsRestriction.objects.exists()

    resp = c.post(url, {"kind": "probation", "starts_on": "2026-03-01", "note": "镇纪委〔2026〕3号"})
    assert resp.status_code == 302
    r = RightsRestriction.objects.get()
    assert (r.member, r.org_path, r.ends_on) == (world.m_member, world.m_member.org_path, None)
    assert AuditEvent.objects.filter(action="member.restriction").count() == 1

    page = c.get(reverse("member-detail", args=[world.m_member.pk])).content.decode()
    assert "镇纪委〔2026〕3号" in page and "⛔" in page

    today = timezone.localdate()
    resp = c.post(reverse("member-restriction-restore", args=[r.pk]), {"ends_on": str(today - dt.timedelta(days=1))})
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.ends_on == today - dt.timedelta(days=1)
    assert AuditEvent.objects.filter(action="member.restriction_end").count() == 1
    assert services.restricted_ids([world.m_member.pk], today) == set()
    assert services.restricted_ids([world.m_member.pk], today - dt.timedelta(days=1)) == {world.m_member.pk}


def test_the_member_sees_it_but_cannot_change_it(world, login):
    r = services.add_restriction(actor=None, member=world.m_member, kind="detained", starts_on=dt.date(2026, 1, 5))
    c = login(world.users["member"])
    page = c.get(reverse("member-detail", args=[world.m_member.pk]))
    assert page.status_code == 200 and 'data-testid="restriction-row"' in page.content.decode()
    assert 'data-testid="restore-rights"' not in page.content.decode()
    assert c.post(reverse("member-restriction-restore", args=[r.pk]), {"ends_on": "2026-06-01"}).status_code == 403
    r.refresh_from_db()
    assert r.ends_on is None


def test_a_restriction_follows_its_member_to_another_branch(world, login):
    r = services.add_restriction(actor=None, member=world.m_member, kind="probation", starts_on=dt.date(2026, 1, 5))
    services.move_member(actor=None, member=world.m_member, to_org=world.b2, reason="迁居")
    r.refresh_from_db()
    assert r.org_path == world.b2.path
    # the new branch's secretary may restore it; the old one no longer sees it
    assert login(world.users["secretary2"]).get(reverse("member-restriction-restore", args=[r.pk])).status_code == 200
    assert login(world.users["secretary"]).get(reverse("member-restriction-restore", args=[r.pk])).status_code == 404


def test_restore_before_start_is_refused(world):
    import pytest
    from django.core.exceptions import ValidationError

    r = services.add_restriction(actor=None, member=world.m_member, kind="probation", starts_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError):
        services.end_restriction(actor=None, restriction=r, ends_on=dt.date(2026, 1, 4))
    r.refresh_from_db()
    assert r.ends_on is None
