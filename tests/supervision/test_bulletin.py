"""The monthly tiered bulletin (分级分档, seed 003): grading at the threshold edges, the job's
idempotency, exports, and who is told (never siblings)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.supervision import services
from dangjian.supervision.models import Bulletin, BulletinRow
from tests.supervision.conftest import at, meeting

pytestmark = pytest.mark.django_db
OCT = dt.date(2026, 10, 1)
NOW = at(2026, 11, 1, 2, 0)


@pytest.mark.parametrize("held,comp,att,expected", [
    (False, 100.0, 100.0, "D"),
    (True, 100.0, 90.0, "A"),
    (True, 100.0, 89.9, "B"),
    (True, 99.9, 95.0, "B"),
    (True, 80.0, 80.0, "B"),
    (True, 79.9, 95.0, "C"),
    (True, 100.0, 79.9, "C"),
    (True, 100.0, None, "C"),
    (True, None, 95.0, "A"),
])
def test_grade_edges(held, comp, att, expected):
    assert services.grade(held_any=held, completion=comp, attendance=att) == expected


def test_grade_thresholds_are_configurable(settings):
    settings.DANGJIAN_BULLETIN_GRADES = {"A": {"attendance": 95}}
    assert services.grade(held_any=True, completion=100, attendance=94) == "B"
    assert services.grade(held_any=True, completion=100, attendance=95) == "A"


def october(world):
    """b1: everything required held, all present → A; b2: nothing → D; b3: held, 1 of 3 present → C."""
    everyone = {world.m_secretary: "present", world.m_committee: "present", world.m_member: "present", world.m_probationary: "present"}
    meeting(world.b1, "theme_day", at(2026, 10, 8), attendance=everyone)
    meeting(world.g1, "group_meeting", at(2026, 10, 12), attendance={world.m_group: "present"})
    b3 = world.m_b3
    meeting(world.b3, "theme_day", at(2026, 10, 9), attendance={b3[0]: "present", b3[1]: "absent", b3[2]: "absent"})


def test_rows_of_a_month(world):
    october(world)
    rows = {r["org_id"]: r for r in services.compute_rows(world.county, OCT, NOW)}
    assert set(rows) == {world.b1.pk, world.b2.pk, world.b3.pk}
    a, d, c = rows[world.b1.pk], rows[world.b2.pk], rows[world.b3.pk]
    assert (a["grade"], a["required_count"], a["done_count"], a["completion"], a["attendance"], a["warned"]) == ("A", 2, 2, 100.0, 100.0, False)
    assert (d["grade"], d["meetings_held"], d["warned"]) == ("D", 0, True)
    assert set(d["overdue"]) == {"主题党日"}
    assert (c["grade"], c["attendance"], c["warned"]) == ("C", 33.3, False)


def test_quarter_end_months_include_quarterly_types(world):
    meeting(world.b1, "theme_day", at(2026, 9, 8))
    rows = {r["org_id"]: r for r in services.compute_rows(world.t1, dt.date(2026, 9, 1), at(2026, 10, 1, 2))}
    r = rows[world.b1.pk]
    assert r["required_count"] == 4  # theme day, group meeting, general meeting Q3, Party lecture Q3
    assert r["done_count"] == 1 and r["grade"] == "C"  # held, but no attendance recorded
    assert set(r["overdue"]) == {"党小组会", "支部党员大会", "党课"}


def test_generate_stores_and_is_idempotent(world):
    from dangjian.notify.models import InboxMessage

    october(world)
    b, written = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    assert written and b.totals == {"branches": 2, "warned": 1, "A": 1, "B": 0, "C": 0, "D": 1}
    assert b.rule_version and b.thresholds["A"]["attendance"] == 90
    n_msgs = InboxMessage.objects.count()
    again, written2 = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    assert again.pk == b.pk and not written2
    assert Bulletin.objects.count() == 1 and BulletinRow.objects.count() == 2
    assert InboxMessage.objects.count() == n_msgs  # nothing sent twice


def test_the_job_runs_every_publisher_once(world):
    october(world)
    assert services.run_monthly(now=NOW) == 5  # counties C, D and towns t1, t2, t3
    assert services.run_monthly(now=NOW) == 0
    assert Bulletin.objects.count() == 5
    assert set(Bulletin.objects.values_list("period", flat=True)) == {OCT}
    county = Bulletin.objects.get(org=world.county)
    assert county.totals["branches"] == 3


def test_the_periodic_job_is_registered_and_grades_last_month(world, frozen):
    from dangjian.jobs.api import PERIODIC
    from dangjian.supervision import tasks

    assert PERIODIC["supervision.monthly_bulletin"] is tasks.monthly_bulletin
    frozen(2026, 11, 1, 2, 0)
    october(world)
    assert tasks.monthly_bulletin.call_local() == 5
    assert set(Bulletin.objects.values_list("period", flat=True)) == {OCT}
    assert tasks.monthly_bulletin.call_local() == 0


def test_refuses_a_running_month_and_a_branch(world):
    with pytest.raises(ValidationError) as e:
        services.generate_bulletin(publisher=world.t1, month=dt.date(2026, 11, 1), now=NOW)
    assert e.value.code == "month_not_over"
    with pytest.raises(ValidationError) as e:
        services.generate_bulletin(publisher=world.b1, month=OCT, now=NOW)
    assert e.value.code == "not_publisher"
    assert not Bulletin.objects.exists()


def test_force_recomputes_in_place(world):
    b, _ = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    assert b.totals["D"] == 2
    october(world)
    b2, written = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW, force=True)
    assert written and b2.pk == b.pk and b2.revision == 2 and b2.totals["A"] == 1
    assert BulletinRow.objects.filter(bulletin=b).count() == 2


def _inbox(user):
    from dangjian.notify.models import InboxMessage

    return sorted(InboxMessage.objects.filter(user=user).values_list("kind", flat=True))


def test_notifications_reach_the_right_people_only(world):
    october(world)
    services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    u = world.users
    assert _inbox(u["town_admin"]) == ["supervision.bulletin", "supervision.warning"]  # b2's warning
    assert _inbox(u["secretary"]) == ["supervision.grade"]  # b1: A
    assert _inbox(u["secretary2"]) == ["supervision.warning"]  # b2: D
    for other in ("town2_admin", "county_admin", "city_admin", "committee", "member", "outsider"):
        assert _inbox(u[other]) == [], other
    # the county's bulletin: the county admin hears of it; branches under a town are told by their town
    services.generate_bulletin(publisher=world.county, month=OCT, now=NOW)
    assert _inbox(u["county_admin"]) == ["supervision.bulletin"]
    assert _inbox(u["secretary2"]) == ["supervision.warning"]
    assert _inbox(u["town2_admin"]) == []


def test_warning_text_names_the_missing_meetings(world):
    from dangjian.notify.models import InboxMessage

    services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    msg = InboxMessage.objects.get(user=world.users["secretary2"])
    assert "主题党日" in msg.body and "D" in msg.title
    assert msg.link == f"/supervision/org/{world.b2.pk}/"


def test_excel_export(world, login):
    from openpyxl import load_workbook

    october(world)
    b, _ = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    r = login(world.users["town_admin"]).get(reverse("supervision-bulletin-xlsx", kwargs={"pk": b.pk}))
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    names = {row[0]: row[1] for row in values[3:]}
    assert names == {world.b1.name: "A", world.b2.name: "D"}


def test_pdf_export(world, login):
    october(world)
    b, _ = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    r = login(world.users["town_admin"]).get(reverse("supervision-bulletin-pdf", kwargs={"pk": b.pk}))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_generate_button(world, login, frozen):
    frozen(2026, 11, 5, 9, 0)
    october(world)
    url = reverse("supervision-bulletin-generate", kwargs={"pk": world.t1.pk})
    assert login(world.users["secretary"]).post(url).status_code == 404  # t1 is above the secretary
    c = login(world.users["town_admin"])
    r = c.post(url, {"month": "2026-10"})
    b = Bulletin.objects.get(org=world.t1)
    assert r.status_code == 302 and r["Location"] == reverse("supervision-bulletin", kwargs={"pk": b.pk})
    page = c.get(r["Location"])
    assert page.status_code == 200 and page.content.count(b'data-testid="bulletin-line"') == 2
    r = c.post(url, {"month": "2026-11"}, follow=True)  # the running month: refused, nothing written
    assert Bulletin.objects.count() == 1 and b"alert-danger" in r.content
    bad = login(world.users["town_admin"]).post(reverse("supervision-bulletin-generate", kwargs={"pk": world.b1.pk}), follow=True)
    assert Bulletin.objects.count() == 1 and b"alert-danger" in bad.content


def test_secretary_sees_own_grade_not_the_towns_bulletin(world, login):
    october(world)
    b, _ = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    c = login(world.users["secretary"])
    assert c.get(reverse("supervision-bulletin", kwargs={"pk": b.pk})).status_code == 404
    page = c.get(reverse("supervision-calendar", kwargs={"pk": world.b1.pk}), {"year": 2026})
    assert b'data-testid="grade-history"' in page.content and world.b2.name.encode() not in page.content


def test_demo_seed_creates_last_months_bulletin(world):
    from types import SimpleNamespace

    from dangjian.supervision import demo

    october(world)
    ctx = SimpleNamespace(today=dt.date(2026, 11, 20), orgs={"county": world.county, "town": world.t1}, say=lambda s: None)
    demo.seed(ctx)
    assert set(Bulletin.objects.values_list("org_id", "period")) == {(world.county.pk, OCT), (world.t1.pk, OCT)}


def test_a_public_draft_without_personal_data(world):
    from dangjian.publicity.api import notices_for_source

    october(world)
    b, _ = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    notices = list(notices_for_source(f"supervision:bulletin:{b.pk}"))
    assert len(notices) == 1 and notices[0].status == "draft" and notices[0].board == "supervision"
    text = notices[0].latest.title + notices[0].latest.body
    assert "2026-10" in text
    for m in (world.m_secretary, world.m_member, world.m_b3[0]):
        assert m.name not in text
    services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW, force=True)
    assert len(list(notices_for_source(f"supervision:bulletin:{b.pk}"))) == 1  # updated, not duplicated


def test_member_warnings_go_to_the_branch_secretary_only(world):
    from dangjian.notify.models import InboxMessage

    for month in range(5, 11):  # 6 months absent without leave
        meeting(world.b1, "theme_day", at(2026, month, 10), attendance={world.m_member: "absent", world.m_secretary: "present"})
    for month in range(8, 11):  # 3 months
        meeting(world.b2, "theme_day", at(2026, month, 10), attendance={world.m_b2[0]: "absent", world.m_b2[1]: "present"})
    services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    msg = InboxMessage.objects.get(user=world.users["secretary"], kind="supervision.members")
    assert world.m_member.name in msg.body and "（6）" in msg.body and world.m_b2[0].name not in msg.body
    msg2 = InboxMessage.objects.get(user=world.users["secretary2"], kind="supervision.members")
    assert world.m_b2[0].name in msg2.body and "（3）" in msg2.body and world.m_member.name not in msg2.body
    assert msg.link == f"/supervision/org/{world.b1.pk}/lists/?list=absent&month=2026-10"
    for other in ("town_admin", "county_admin", "town2_admin", "member", "committee"):
        assert not InboxMessage.objects.filter(user=world.users[other], kind="supervision.members").exists()
    world.m_member.refresh_from_db()
    assert world.m_member.state == "active"


def test_excel_cells_cannot_carry_formulas(world):
    from openpyxl import load_workbook

    from dangjian.supervision import exports

    world.b2.name = "=HYPERLINK(\"http://evil\")"
    world.b2.save(update_fields=["name"])
    b, _ = services.generate_bulletin(publisher=world.t1, month=OCT, now=NOW)
    ws = load_workbook(io.BytesIO(exports.bulletin_xlsx(b))).active
    names = [row[0].value for row in ws.iter_rows(min_row=4)]
    assert "'=HYPERLINK(\"http://evil\")" in names and not any(str(n).startswith("=") for n in names)
