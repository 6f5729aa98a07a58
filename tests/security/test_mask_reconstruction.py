"""Mask reconstruction (SECURITY.md test family): a role without the reveal right combines every
field it may see of a member — masked ID number, birth date, gender, region, phone tail — over the
roster, search results, the member page, the organization page, the API and the masked Excel
export, and tries to rebuild the ID number.

The attacker model is the outside test of issue 10: a committee member (role ``committee``: views
members, no reveal) on demo-style data (ID numbers made by the demo generator, region code of the
demo county), knowing the county's region codes. For each member the attack enumerates every
GB 11643 number with a county region code, the shown birth date and a sequence of the shown
gender, keeps those consistent with every masked value seen, and then asks the only oracle the
platform offers — the exact search — about the candidates. Before the fix the masks kept the
sequence and check character, so exactly one candidate was left and the search confirmed it.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.core.privacy import id_check_char
from dangjian.demo.generator import iter_region_members
from dangjian.demo.tree import build_plan
from dangjian.members import services as member_services

TODAY = dt.date(2026, 12, 1)
SEED = 20261207
MIN_CANDIDATES = 500  # the whole 3-digit sequence unknown: 500 numbers of one gender per region and day
PHONE_MIN_CANDIDATES = 10_000
MASKED_ID = re.compile(r"(?<![0-9Xx*])[0-9Xx*]{18}(?![0-9Xx*])")
MASKED_PHONE = re.compile(r"(?<!\d)1\d{2}\*{4}\d{4}(?!\d)")


def county_region_codes() -> list[str]:
    """The region codes the demo county's ID numbers use (what an attacker of that county knows)."""
    return sorted({r.code for r in build_plan("county", SEED, TODAY).regions})


@pytest.fixture
def demo_members(world):
    """Twelve members of world.b1 with demo-generated fields (names, birth dates, ID numbers, phones)."""
    plan = build_plan("tiny", SEED, TODAY)
    out = []
    for _node, fields in iter_region_members(plan, plan.regions[0], SEED, TODAY):
        if fields["status"] != "full" or fields["joined_on"] > TODAY:
            continue
        data = {**fields, "position": "", "name": f"演示{len(out):02d}{fields['name']}"}
        out.append(member_services.create_member(actor=None, org=world.b1, data=data))
        if len(out) == 12:
            break
    return out


def _rows_of(html: str, name: str) -> list[str]:
    return [row for row in re.split(r"<tr[\s>]", html) if name in row]


def _masks(text: str) -> set[str]:
    return {t.upper() for t in MASKED_ID.findall(text) if "*" in t}


def collect(world, login, members) -> dict[int, dict]:
    """Everything a committee member sees of each member, by source."""
    cache.clear()
    web = login(world.users["committee"])
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.users["committee"])
    seen = {m.pk: {"masks": {}, "phones": set(), "birth": set(), "gender": set()} for m in members}

    def add(m, source, text):
        seen[m.pk]["masks"].setdefault(source, set()).update(_masks(text))
        seen[m.pk]["phones"].update(MASKED_PHONE.findall(text))

    # the roster, every keyset page
    url, pages = reverse("member-roster") + f"?org={world.b1.pk}", []
    while url:
        resp = web.get(url)
        assert resp.status_code == 200
        pages.append(resp.content.decode())
        nxt = re.search(r'href="(\?[^"]*after=[^"]+)"', pages[-1])
        url = reverse("member-roster") + nxt.group(1).replace("&amp;", "&") if nxt else None
    roster = "".join(pages)
    org_page = web.get(reverse("org-detail", args=[world.b1.pk])).content.decode()
    for m in members:
        for row in _rows_of(roster, m.name):
            add(m, "roster", row)
            seen[m.pk]["birth"].update(re.findall(r"\d{4}-\d{2}-\d{2}", row))
        for row in _rows_of(org_page, m.name):
            add(m, "org page", row)
        search = web.get(reverse("member-roster"), {"q": m.name}).content.decode()
        for row in _rows_of(search, m.name):
            add(m, "search by name", row)
        detail = web.get(reverse("member-detail", args=[m.pk]))
        assert detail.status_code == 200
        add(m, "member page", detail.content.decode())
        one = api.get(reverse("api-member-detail", kwargs={"pk": m.pk})).json()
        add(m, "api detail", f" {one['id_number']} {one['phone']} ")
        seen[m.pk]["birth"].add(one["birth_date"])
        seen[m.pk]["gender"].add(one["gender"])
    listing = api.get(reverse("api-member-list"), {"org": world.b1.pk, "page_size": 200}).json()["results"]
    by_pk = {r["id"]: r for r in listing}
    for m in members:
        add(m, "api list", f" {by_pk[m.pk]['id_number']} {by_pk[m.pk]['phone']} ")
    # The masked Excel export: a committee member may not export; the masked workbook a secretary
    # or org admin exports (and hands on) shows the same columns to whoever reads it.
    assert web.post(reverse("member-roster-export"), {"org": world.b1.pk}).status_code == 403
    exporter = login(world.users["town_admin"], c=None)
    resp = exporter.post(reverse("member-roster-export"), {"org": world.b1.pk})
    assert resp.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).worksheets[0]
    by_name = {r[1]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    for m in members:
        row = by_name[m.name]
        add(m, "masked export", " ".join(str(v) for v in row))
        seen[m.pk]["birth"].add(row[4].date().isoformat() if hasattr(row[4], "date") else str(row[4]))
    return seen


def id_candidates(masks: set[str], birth: dt.date, gender: str, regions: list[str]) -> list[str]:
    """Every valid ID number with a county region code, this birth date and gender, that agrees
    with every masked value seen (a ``*`` hides one character)."""
    out = []
    for region in regions:
        for seq in range(1000):
            if (seq % 2 == 1) != (gender == "M"):
                continue
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            full = first17 + id_check_char(first17)
            if all(all(c == "*" or c == f for c, f in zip(mask, full, strict=True)) for mask in masks):
                out.append(full)
    return out


def phone_candidates(masks: set[str]) -> int:
    return 10 ** min(mask.count("*") for mask in masks) if masks else 10**11


def test_a_role_without_reveal_cannot_rebuild_any_id_number(world, login, demo_members):
    regions = county_region_codes()
    assert all(m.id_number[:6] in regions for m in demo_members)  # demo-style numbers of the demo county
    seen = collect(world, login, demo_members)
    for m in demo_members:
        s = seen[m.pk]
        # the attack has what the outside test had: every source shows a masked number, the birth
        # date is shown in full and agrees everywhere, and so does the gender
        assert set(s["masks"]) == {"roster", "org page", "search by name", "member page", "api detail", "api list", "masked export"}
        assert all(s["masks"].values()), s["masks"]
        assert s["birth"] == {m.birth_date.isoformat()} and s["gender"] == {m.gender}
        masks = set().union(*s["masks"].values())
        candidates = id_candidates(masks, m.birth_date, m.gender, regions)
        assert m.id_number in candidates  # the model is right: the true number is never excluded
        assert len(candidates) >= MIN_CANDIDATES, (m.name, len(candidates), sorted(masks))
        assert phone_candidates(s["phones"]) >= PHONE_MIN_CANDIDATES, s["phones"]


def test_no_oracle_confirms_a_candidate(world, login, demo_members):
    """The attack's last step: try candidates through the exact search, the true one included.
    A role without reveal learns nothing from it: refused, and the member never listed."""
    cache.clear()
    regions = county_region_codes()
    web = login(world.users["committee"])
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(world.users["committee"])
    m = demo_members[0]
    masks = {t for t in _masks(web.get(reverse("member-detail", args=[m.pk])).content.decode())}
    candidates = id_candidates(masks, m.birth_date, m.gender, regions)
    tried = [c for c in candidates if c != m.id_number][:5] + [m.id_number]
    confirmed, statuses = [], set()
    for guess in tried:
        page = web.get(reverse("member-roster"), {"q": guess})
        if m.name in page.content.decode():
            confirmed.append(("web", guess))
        resp = api.get(reverse("api-member-list"), {"q": guess})
        if resp.status_code == 200 and any(r["id"] == m.pk for r in resp.json()["results"]):
            confirmed.append(("api", guess))
        statuses |= {page.status_code, resp.status_code}
    for guess in (m.phone, m.phone[:3] + "0000" + m.phone[-4:]):
        if m.name in web.get(reverse("member-roster"), {"q": guess}).content.decode():
            confirmed.append(("web phone", guess))
    assert confirmed == []
    assert statuses == {403}  # a coded refusal (exact_search_forbidden), not an empty answer to keep trying


def test_a_development_case_page_does_not_rebuild_the_applicant_id_number(world, login):
    """The applicant's page (birth date shown in full) as a committee member of the branch."""
    from dangjian.development import services as dev_services

    plan = build_plan("tiny", SEED, TODAY)
    fields = next(f for _n, f in iter_region_members(plan, plan.regions[0], SEED, TODAY) if f["birth_date"].year < 2000)
    data = {k: fields[k] for k in ("name", "gender", "birth_date", "ethnicity", "education", "category", "work_unit", "id_number", "phone")}
    case = dev_services.open_case(actor=world.users["secretary"], org=world.b1, data=data, application_date=dt.date(2026, 3, 2))
    html = login(world.users["committee"]).get(reverse("development-case-detail", args=[case.pk])).content.decode()
    assert fields["birth_date"].isoformat() in html
    masks = _masks(html)
    assert masks
    candidates = id_candidates(masks, fields["birth_date"], fields["gender"], county_region_codes())
    assert fields["id_number"] in candidates and len(candidates) >= MIN_CANDIDATES
