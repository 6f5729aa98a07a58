"""The navigation bar and the organization page's work links are registries the apps fill
(issue 9 item 6): base.html and core name no app's URL, and what users see is unchanged."""
from __future__ import annotations

from pathlib import Path

from django.urls import reverse

from dangjian.core import navigation, orglinks

ROOT = Path(__file__).resolve().parents[2] / "dangjian"


def test_base_template_and_the_org_page_name_no_apps_url():
    base = (ROOT / "templates" / "base.html").read_text()
    urls = [t.split("'")[1] for t in base.split("{% url ")[1:]]
    assert sorted(set(urls)) == ["home", "logout", "set_language"]
    assert "reverse(\"" not in (ROOT / "core" / "orglinks.py").read_text()


def test_every_app_registered_its_links_in_the_order_of_the_page():
    names = [item.url_name for item in orglinks.registered()]
    assert names[:3] == ["orglife-meetings", "orglife-meeting-plan", "minutes-list"]
    assert names[-1] == "publicity-org" and len(names) == len(set(names)) == 19
    assert [str(g) for g in orglinks.GROUPS] == sorted({str(i.group) for i in orglinks.registered()}, key=[str(g) for g in orglinks.GROUPS].index)


def test_a_second_app_cannot_take_a_registered_link_or_nav_key():
    taken = orglinks.registered()[0]
    other = orglinks.link(orglinks.PUBLIC, "x", taken.url_name, "meeting", "view")
    try:
        orglinks.register(other)
    except ValueError:
        pass
    else:  # pragma: no cover - the assertion below fails
        raise AssertionError("a duplicate organization-page link was accepted")
    try:
        navigation.register(navigation.NavItem("nav-orgs", "x", "home", "staff"))
    except ValueError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a duplicate navigation key was accepted")


def test_the_bar_by_audience(world, login, client):
    r = client.get(reverse("publicity-public-index"))
    assert b'data-testid="nav-public-boards"' in r.content and b'data-testid="nav-orgs"' not in r.content
    staff = login(world.users["town_admin"]).get(reverse("org-tree")).content.decode()
    order = [staff.index(f'data-testid="{k}"') for k in ("nav-orgs", "nav-members", "nav-meetings", "nav-supervision",
                                                           "nav-development", "nav-dues", "nav-publicity")]
    assert order == sorted(order)
    assert 'data-testid="nav-my-dues"' not in staff and 'data-testid="inbox-unread"' in staff
    member = login(world.m_member.user, client.__class__()).get(reverse("home"), follow=True).content.decode()
    assert 'data-testid="nav-my-meetings"' in member and 'data-testid="nav-dues"' not in member


# --- message kinds: one way to declare them (issue 9 item 6) -----------------------------------

APPS = Path(__file__).resolve().parents[2] / "dangjian"


def test_message_kinds_are_declared_only_in_each_apps_messages_table():
    """Nobody calls register_kind but the kernel's register_kinds: an app's kinds are its
    ``messages.KINDS`` table, registered from its ready()."""
    import ast

    offenders = []
    for p in APPS.rglob("*.py"):
        if "migrations" in p.parts or p == APPS / "core" / "messages.py":
            continue
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Call):
                f = node.func
                if (f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")) == "register_kind":
                    offenders.append(f"{p.relative_to(APPS)}:{node.lineno}")
    assert offenders == []


def test_every_registered_kind_comes_from_an_apps_table_and_its_link_resolves():
    import importlib

    from django.apps import apps
    from django.urls import resolve

    from dangjian.core import messages

    declared = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("dangjian.") or config.label == "core":  # core.messages is the registry itself
            continue
        try:
            table = importlib.import_module(f"{config.name}.messages").KINDS
        except ModuleNotFoundError:
            continue
        for kind in table:
            assert kind not in declared, f"{kind} declared by {declared.get(kind)} and {config.label}"
            declared[kind] = config.label
    assert set(declared) == set(messages.KINDS)
    assert len(declared) > 40
    for kind, k in messages.KINDS.items():
        if k.link:
            filled = k.link.format_map({n: "1" for n in messages.placeholders_of(kind, k.link)})
            path = filled.split("#")[0].split("?")[0]
            resolve(path)  # raises Resolver404 for a link to no page


def test_a_table_entry_with_an_unknown_key_is_refused():
    import pytest

    from dangjian.core import messages

    with pytest.raises(messages.TemplateError):
        messages.register_kinds({"x.y": {"title": {"en": "t"}, "body": {"en": "b"}, "url": "/"}})
