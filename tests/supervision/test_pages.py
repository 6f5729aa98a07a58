"""Supervision pages as users see them: the calendar with its legend, the subtree overview and
its drill-down, the lists, the bulletin pages; configurable colours; never colour alone."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.supervision.conftest import at, meeting

pytestmark = pytest.mark.django_db


def cell_status(html: str, testid: str) -> str:
    m = re.search(rf'data-testid="{re.escape(testid)}" data-status="(\w+)"', html)
    assert m, testid
    return m.group(1)


def test_calendar_shows_status_icon_and_word(world, login, frozen):
    frozen(2026, 10, 20, 10, 0)
    m = meeting(world.b1, "theme_day", at(2026, 9, 8), title="九月主题党日")
    c = login(world.users["town_admin"])
    r = c.get(reverse("supervision-calendar", kwargs={"pk": world.b1.pk}), {"year": "2026"}, HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert r.status_code == 200
    assert cell_status(html, "cell-theme_day-2026-09") == "done"
    assert cell_status(html, "cell-theme_day-2026-10") == "due"
    assert cell_status(html, "cell-theme_day-2026-08") == "overdue"
    assert cell_status(html, "cell-theme_day-2026-11") == "not_yet"
    assert cell_status(html, "cell-committee_meeting-na") == "na"
    assert 'colspan="3" class="sv-cell sv-overdue" data-testid="cell-general_meeting-2026-Q3"' in html
    assert 'colspan="12" class="sv-cell sv-due" data-testid="cell-appraisal-2026"' in html
    assert "九月主题党日" in html and reverse("orglife-meeting-detail", kwargs={"pk": m.pk}) in html  # counted, linked
    # the legend: every status has an icon and a word; the default Hejian colours
    for status, word in (("done", "Done"), ("due", "Due"), ("overdue", "Overdue")):
        assert f'data-testid="legend-{status}"' in html and word in html
    assert ".sv-done{background:#d63939" in html and ".sv-due{background:#f7d154" in html and ".sv-overdue{background:#8a8f98" in html
    assert "td.sv-done," in html  # beats Bootstrap's table-cell background
    assert "✔" in html and "✖" in html and "◔" in html


def test_colours_are_configurable(world, login, settings):
    settings.DANGJIAN_COMPLETION_COLOURS = {"done": "green", "overdue": "#112233", "due": "javascript:alert(1)"}
    html = login(world.users["secretary"]).get(reverse("supervision-calendar", kwargs={"pk": world.b1.pk})).content.decode()
    assert ".sv-done{background:#2fb344" in html and ".sv-overdue{background:#112233!important;color:#ffffff" in html
    assert "javascript" not in html and ".sv-due{background:#f7d154" in html  # an invalid value falls back


def test_year_is_selectable_and_validated(world, login):
    c = login(world.users["secretary"])
    url = reverse("supervision-calendar", kwargs={"pk": world.b1.pk})
    assert 'data-year="2025"' in c.get(url, {"year": "2025"}).content.decode()
    for bad in ("abc", "1800", "99999"):
        assert c.get(url, {"year": bad}).status_code == 200


def test_town_page_redirects_to_the_overview(world, login):
    r = login(world.users["town_admin"]).get(reverse("supervision-calendar", kwargs={"pk": world.t1.pk}))
    assert r.status_code == 302 and r["Location"] == reverse("supervision-overview", kwargs={"pk": world.t1.pk})


def test_overview_counts_and_drill_down(world, login, frozen):
    frozen(2026, 11, 3, 9, 0)
    meeting(world.b1, "theme_day", at(2026, 10, 8))
    c = login(world.users["county_admin"])
    html = c.get(reverse("supervision-overview", kwargs={"pk": world.county.pk}), {"year": 2026}).content.decode()
    m = re.search(r'data-testid="agg-theme_day-2026-10"\s+data-done="(\d+)" data-due="(\d+)" data-overdue="(\d+)"', html)
    assert m and m.groups() == ("1", "0", "2")
    from dangjian.orglife.models import MeetingType

    t = MeetingType.objects.get(code="theme_day", owner_path="")
    r = c.get(reverse("supervision-drill", kwargs={"pk": world.county.pk}), {"type": t.pk, "period": "2026-10", "state": "overdue"})
    body = r.content.decode()
    assert body.count('data-testid="drill-row"') == 2 and world.b2.name in body and world.b3.name in body
    assert world.b1.name not in body.split('data-testid="drill-list"')[1]
    # defaults for an empty query, nonsense input
    assert c.get(reverse("supervision-drill", kwargs={"pk": world.county.pk})).status_code == 200
    assert c.get(reverse("supervision-drill", kwargs={"pk": world.county.pk}), {"type": "x", "period": "2026-99", "state": "zzz", "page": "-3"}).status_code == 200


def test_drill_down_is_paginated(world, login, frozen):
    from dangjian.core import services as org_services

    frozen(2026, 11, 3, 9, 0)
    for i in range(55):
        org_services.create_organization(actor=None, parent=world.t2, name=f"南镇第{i}支部", kind="branch")
    c = login(world.users["town2_admin"])
    url = reverse("supervision-drill", kwargs={"pk": world.t2.pk})
    from dangjian.orglife.models import MeetingType

    t = MeetingType.objects.get(code="theme_day", owner_path="")
    first = c.get(url, {"type": t.pk, "period": "2026-10", "state": "overdue"}).content.decode()
    second = c.get(url, {"type": t.pk, "period": "2026-10", "state": "overdue", "page": 2}).content.decode()
    assert first.count('data-testid="drill-row"') == 50 and second.count('data-testid="drill-row"') == 6


def test_lists_page(world, login, frozen):
    frozen(2026, 11, 3, 9, 0)
    b3 = world.m_b3
    meeting(world.b3, "theme_day", at(2026, 10, 9), title="低参会", attendance={b3[0]: "present", b3[1]: "absent", b3[2]: "absent"})
    c = login(world.users["county_admin"])
    url = reverse("supervision-lists", kwargs={"pk": world.county.pk})
    html = c.get(url, {"list": "no_life", "month": "2026-10"}).content.decode()
    assert html.count('data-testid="list-row"') == 2 and world.b1.name in html and world.b2.name in html
    html = c.get(url, {"list": "low_attendance", "month": "2026-10"}).content.decode()
    assert html.count('data-testid="list-row"') == 1 and "低参会" in html and "33.3" in html
    for which in ("absent", "lapse", "nonsense"):
        assert c.get(url, {"list": which, "month": "bad"}).status_code == 200
    assert c.get(url).status_code == 200


def test_bulletin_pages(world, login):
    from dangjian.supervision import services

    b, _ = services.generate_bulletin(publisher=world.t1, month=__import__("datetime").date(2026, 10, 1), now=at(2026, 11, 1, 2))
    c = login(world.users["town_admin"])
    html = c.get(reverse("supervision-bulletins", kwargs={"pk": world.t1.pk})).content.decode()
    assert 'data-testid="generate-form"' in html and html.count('data-testid="bulletin-row"') == 1
    d = c.get(reverse("supervision-bulletin", kwargs={"pk": b.pk}), {"grade": "D"}).content.decode()
    assert d.count('data-testid="bulletin-line"') == 2 and "⚠" in d
    assert c.get(reverse("supervision-bulletin", kwargs={"pk": b.pk}), {"grade": "A"}).content.decode().count('data-testid="bulletin-line"') == 0
    # the county admin sees the town's bulletin; the other town does not
    assert login(world.users["county_admin"]).get(reverse("supervision-bulletin", kwargs={"pk": b.pk})).status_code == 200
    assert login(world.users["town2_admin"]).get(reverse("supervision-bulletin", kwargs={"pk": b.pk})).status_code == 404
    # a committee member may view but not export
    assert login(world.users["committee"]).get(reverse("supervision-bulletin-xlsx", kwargs={"pk": b.pk})).status_code == 404


def test_home_redirects_to_the_users_organization(world, login):
    r = login(world.users["town_admin"]).get(reverse("supervision-home"))
    assert r.status_code == 302 and r["Location"] == reverse("supervision-overview", kwargs={"pk": world.t1.pk})
    r = login(world.users["secretary"]).get(reverse("supervision-home"))
    assert r["Location"] == reverse("supervision-calendar", kwargs={"pk": world.b1.pk})
    assert login(world.users["member"]).get(reverse("supervision-home")).status_code == 403
