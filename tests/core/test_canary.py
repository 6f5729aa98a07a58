"""Canary leak scan (SECURITY.md): markers planted in a sibling town, the parent county and
another county never appear in anything the first town's admin can reach — pages, partials,
search results, API responses — and the totals shown equal the totals of the permitted subtree.
"""
from __future__ import annotations

import re
from collections import deque

import pytest
from django.urls import reverse

from dangjian.core import services as org_services
from dangjian.members import services as member_services
from tests.factories import member_data

MARKERS = ("CANARY-SIB", "CANARY-PARENT", "CANARY-OTHER")
LINK_RE = re.compile(r'(?:href|hx-get)="(/[^"#]*)"')
# The public publicity boards list every village's *published* notices to anyone, by design
# (三务公开); tests/publicity/ checks that no draft of any village shows there.
SKIP = ("/accounts/logout", "/i18n/", "/static/", "/publicity/public/")


@pytest.fixture
def planted(world):
    org_services.update_organization(actor=None, org=world.t2, name="南镇党委 CANARY-SIB")
    org_services.update_organization(actor=None, org=world.b3, name="南村党支部 CANARY-SIB")
    member_services.create_member(actor=None, org=world.b3, data=member_data(
        name="CANARY-SIB-张", work_unit="CANARY-SIB 单位", address="CANARY-SIB 地址"))
    org_services.update_organization(actor=None, org=world.county, name="C县委 CANARY-PARENT")
    org_services.update_organization(actor=None, org=world.county2, name="D县委 CANARY-OTHER")
    member_services.create_member(actor=None, org=world.b4, data=member_data(name="CANARY-OTHER-王"))
    return world


def crawl(client, start_urls, limit=400):
    seen, queue, bodies = set(), deque(start_urls), {}
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP):
            continue
        seen.add(url)
        r = client.get(url, HTTP_HX_REQUEST="true") if "/children/" in url else client.get(url)
        if r.status_code != 200:
            continue
        body = r.content.decode("utf-8", "replace")
        bodies[url] = body
        for link in LINK_RE.findall(body):
            link = link.replace("&amp;", "&")
            if link not in seen:
                queue.append(link)
    return bodies


def assert_no_markers(bodies):
    for url, body in bodies.items():
        for marker in MARKERS:
            assert marker not in body, f"{marker} leaked at {url}"


def test_town_admin_crawl_shows_no_sibling_parent_or_other_county_data(planted, login):
    c = login(planted.users["town_admin"])
    start = ["/", reverse("org-tree"), reverse("member-roster"), f"{reverse('member-roster')}?org={planted.t1.pk}"]
    bodies = crawl(c, start)
    assert len(bodies) > 15  # the crawl really walked the town's pages
    assert any(planted.b1.name in b for b in bodies.values())
    assert_no_markers(bodies)


@pytest.mark.parametrize("persona", ["secretary2", "secretary", "member", "committee"])
def test_branch_personas_crawl(planted, login, persona):
    c = login(planted.users[persona])
    bodies = crawl(c, ["/", reverse("org-tree"), reverse("member-roster")])
    assert_no_markers(bodies)


def roster_rows(body: str) -> str:
    """The result rows only (the page echoes the search term in its form)."""
    return body.split('id="roster-body"', 1)[1].split("</tbody>", 1)[0]


def test_search_never_returns_out_of_scope_rows(planted, login):
    c = login(planted.users["town_admin"])
    for q in ("CANARY", "CANARY-SIB-张", "南村"):
        body = c.get(reverse("member-roster"), {"q": q}).content.decode()
        assert_no_markers({q: roster_rows(body)})
        assert 'data-testid="roster-empty"' in body
    # even the exact ID number of a sibling town's member finds nothing
    from dangjian.members.models import Member

    sib = Member.objects.get(name="CANARY-SIB-张")
    body = c.get(reverse("member-roster"), {"q": sib.id_number}).content.decode()
    assert "CANARY" not in roster_rows(body) and 'data-testid="roster-empty"' in body


def test_totals_equal_the_permitted_subtree(planted, login):
    from dangjian.members.models import Member

    c = login(planted.users["town_admin"])
    body = c.get("/").content.decode()
    expected = Member.objects.filter(org_path__startswith=planted.t1.path, state="active").count()
    assert re.search(rf'data-testid="subtree-total">{expected}<', body)
    body = c.get(reverse("member-roster"), {"org": planted.t1.pk}).content.decode()
    assert re.search(rf'data-testid="roster-total">{expected}\b', body)
