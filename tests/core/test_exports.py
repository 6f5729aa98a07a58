"""The exports registry (issue 9 item 6) and the exports page (导出中心)."""
from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.core import exports


def _patterns(resolver=None):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p)
        elif isinstance(p, URLPattern):
            yield p


def _declared() -> dict[str, tuple]:
    return {p.name: getattr(p.callback, "policy", None) for p in _patterns() if p.name}


def test_every_view_that_exports_is_a_registered_export():
    declared = _declared()
    registered = {name: e for e in exports.all_exports() for name in e.files}
    exporting = {name for name, pol in declared.items() if pol and pol[1] == "export"}
    assert exporting, "no view declares an export action: the check would pass vacuously"
    assert exporting <= set(registered), f"export views missing from core.exports: {sorted(exporting - set(registered))}"
    for name, e in registered.items():
        assert declared.get(name) and declared[name][:2] == (e.resource, e.action), f"{e.key}: {name} declares {declared.get(name)}"
    assert {e.key for e in exports.all_exports()} >= {"members.roster", "dues.month", "supervision.bulletin"}


def test_every_export_starts_from_a_page_and_its_app_writes_the_audit_row_it_names():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "dangjian"
    for e in exports.all_exports():
        assert e.url_name in _declared(), e.key
        app = root / e.key.split(".")[0]
        written = any(f'action="{e.audit_action}"' in p.read_text() for p in app.rglob("*.py"))
        assert written, f"{e.key}: no audit.record(action={e.audit_action!r}) in {app.name}"


@pytest.mark.parametrize("bad", [
    dict(key="nodot"), dict(formats=("doc",)), dict(formats=()), dict(audit_action=""),
])
def test_a_bad_declaration_is_refused(bad):
    base = dict(key="x.y", label="x", description="", url_name="home", resource="member", action="export", audit_action="x.export")
    with pytest.raises(ValueError):
        exports.register(exports.Export(**{**base, **bad}))


def test_a_key_registered_twice_differently_is_refused():
    e = exports.all_exports()[0]
    exports.register(e)  # the same declaration again (a second ready()) is fine
    with pytest.raises(ValueError):
        exports.register(exports.Export(e.key, "other", "", e.url_name, e.resource, e.action, e.audit_action))


def _rows(client):
    r = client.get(reverse("exports"))
    assert r.status_code == 200
    return {row["export"].key: [link["url"] for link in row["links"]] for row in r.context["rows"]}


def test_the_secretary_sees_their_exports_with_their_own_organization(world, login):
    rows = _rows(login(world.users["secretary"]))
    assert set(rows) >= {"members.roster", "dues.month", "supervision.bulletin"}
    assert rows["supervision.bulletin"] == [reverse("supervision-bulletins", args=[world.b1.pk])]
    sibling = _rows(login(world.users["secretary2"]))
    assert sibling["supervision.bulletin"] == [reverse("supervision-bulletins", args=[world.b2.pk])]


def test_the_county_sees_its_county_and_a_member_sees_the_empty_page(world, login):
    assert _rows(login(world.users["county_admin"]))["supervision.bulletin"] == [reverse("supervision-bulletins", args=[world.county.pk])]
    c = login(world.users["member"])
    r = c.get(reverse("exports"))
    assert r.status_code == 200 and r.context["rows"] == [] and b'data-testid="exports-empty"' in r.content


def test_anonymous_is_sent_to_log_in(client, db):
    r = client.get(reverse("exports"))
    assert r.status_code == 302 and reverse("login") in r["Location"]
