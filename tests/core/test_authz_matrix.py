"""The authz matrix of SECURITY.md for every web URL: role × own / child / sibling / parent.

Expected answers are computed from ``dangjian.core.policy.POLICY`` (the one table) with the
reach semantics re-implemented here independently of ``Scope``:
not viewable → 404; viewable but the action is not allowed → 403; allowed → 200, or 302 where
the view sends the persona on (``REDIRECTS``, ``REDIRECTS_IF``: one answer per row, read in the views).
A URL whose view declares no policy fails ``test_every_url_declares_a_policy``.

Object routes of other models (meetings, cases, transfers...) are checked with the organization
relations (own / child / sibling / parent, plus ``self`` when the model's Resource has a
self_field): each app's ``tests/<app>/matrix.py`` defines ``TARGETS = {"ModelName": make}`` where
``make(world, org, member)`` creates an instance inside ``org`` (``member``: a Member of that
organization, or None; for ``self`` the persona's own record). A routed model without a target
maker fails ``test_every_object_model_has_a_matrix_target``.
"""
from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dangjian.core.policy import DESCENDANTS, OWN, POLICY, SELF, SUBTREE

PERSONAS = {  # persona -> (role, world attribute of the assigned org)
    "county_admin": ("org_admin", "county"),
    "town_admin": ("org_admin", "t1"),
    "secretary": ("secretary", "b1"),
    "committee": ("committee", "b1"),
    "member": ("member", "b1"),
    "audit_admin": ("audit_admin", "county"),
    "security_admin": ("security_admin", "county"),
    "outsider": (None, None),
}
# relation -> for each assigned org, the world attribute of the target organization
ORG_RELATIONS = {
    "own": {"county": "county", "t1": "t1", "b1": "b1"},
    "child": {"county": "t1", "t1": "b1", "b1": "g1"},
    "sibling": {"county": "county2", "t1": "t2", "b1": "b2"},
    "parent": {"county": "city", "t1": "county", "b1": "t1"},
}
# member targets: a member inside the assigned subtree, in a sibling's subtree, the user's own record
MEMBER_RELATIONS = {
    "inside": {"county": "m_member", "t1": "m_member", "b1": "m_probationary"},
    "sibling": {"county": ("m_b4", 0), "t1": ("m_b3", 0), "b1": ("m_b2", 0)},
    "self": "self",
}
POST_ONLY = {"member-reveal", "audit-verify", "job-retry"}
# Apps add their own POST-only URL names and extra kwargs in tests/<app>/matrix.py
# (POST_ONLY = {...}, EXTRA_KWARGS = {...}); they are merged below.
EXTRA_KWARGS = {"member-reveal": {"field": "id_number"}, "job-detail": {"pk": 1}, "job-download": {"pk": 1}, "job-retry": {"pk": 1}}
# the body a POST-only URL needs to succeed where the table allows it (a reveal states its purpose)
POST_DATA = {"member-reveal": {"purpose": "verification"}}
# Owner-only pages (a user's own jobs): the matrix opens one the persona owns (others get 404:
# tests/jobs/test_pages.py).
OWNED = {"job-detail", "job-download", "job-retry"}
# Allowed requests the view answers with a redirect (never to the login page), for the request the
# matrix sends — a GET, or an empty POST for POST_ONLY — on a freshly made target:
REDIRECTS = {
    # POST-only actions done (or refused with a message) and back to their page; a GET of the
    # inbox actions changes nothing and returns to the inbox
    "development-calendar-delete", "dues-publish", "inbox-read", "inbox-read-all", "minutes-attachment-delete", "minutes-sign",
    "minutes-start", "minutes-vote-delete", "orglife-device-deactivate", "orglife-exemption-end", "orglife-leave-decide",
    "orglife-meeting-close", "orglife-meeting-open", "publicity-approve", "publicity-submit", "supervision-bulletin-generate",
    # the form needs a ?member=: without one, back to the branch page
    "dues-hardship-new", "dues-pay", "dues-profile-edit",
    # the target's state: a fresh round is at no voting/mutual/grading stage, a fresh record is not a
    # draft of a voting meeting, a fresh transfer has no letter, a fresh job is not done, no import
    # is pending, the persona has no confirmed TOTP device yet
    "appraisal-grades", "appraisal-mutual", "appraisal-paper-ballot", "appraisal-paper-voters", "appraisal-vote",
    "minutes-edit", "minutes-upload", "minutes-vote-add", "transfers-letter", "job-download", "job-retry",
    "member-roster-import-confirm", "member-roster-import-errors", "otp-verify",
    # every persona of the world has one root organization: straight to its calendar / overview
    "supervision-home",
}


def _not_branch_like(org) -> bool:
    from dangjian.core.models import OrgKind
    from dangjian.supervision.completion import BRANCH_LIKE

    return org.kind not in BRANCH_LIKE and org.kind != OrgKind.PARTY_GROUP


# name -> (persona, target or None) -> redirects?
REDIRECTS_IF = {
    # a committee's calendar is its overview (supervision.views.calendar)
    "supervision-calendar": lambda persona, target: _not_branch_like(target),
    # dues.views.branch: no organization to show (a member's SELF reach) → "my dues"; a committee
    # above the branches → its summary
    "dues-branch": lambda persona, target: persona not in ("secretary", "committee"),
    # dues.views.summary / arrears: no organization to show for a member → "my dues"
    "dues-summary": lambda persona, target: persona == "member",
    "dues-arrears": lambda persona, target: persona == "member",
}


def allowed_answer(world, name, persona, rel) -> int:
    """The one status of an allowed request: 200, or 302 where the view redirects."""
    if name in REDIRECTS:
        return 302
    if name in REDIRECTS_IF:
        anchor = PERSONAS[persona][1] or "b1"
        target = getattr(world, ORG_RELATIONS[rel][anchor]) if rel in ORG_RELATIONS else None
        return 302 if REDIRECTS_IF[name](persona, target) else 200
    return 200


def _app_matrix_modules():
    import importlib
    import pkgutil

    import tests

    out = []
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                out.append(importlib.import_module(f"tests.{info.name}.matrix"))
            except ModuleNotFoundError as e:
                if e.name != f"tests.{info.name}.matrix":
                    raise
    return out


TARGETS: dict = {}
for _mod in _app_matrix_modules():
    TARGETS.update(getattr(_mod, "TARGETS", {}))
    POST_ONLY |= set(getattr(_mod, "POST_ONLY", ()))
    EXTRA_KWARGS.update(getattr(_mod, "EXTRA_KWARGS", {}))


def _relations(model) -> dict:
    from dangjian.core.policy import RESOURCES

    if model.__name__ == "Organization":
        return ORG_RELATIONS
    if model.__name__ == "Member":
        return MEMBER_RELATIONS
    rels = dict(ORG_RELATIONS)
    if RESOURCES[model].self_field:
        rels["self"] = "self"
    return rels


def _resolve(obj, dotted: str):
    for part in dotted.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _own_member(world, persona):
    from dangjian.members.models import Member

    return Member.objects.filter(user=world.users[persona]).first() or world.m_member


def _make_target(world, model, persona, rel):
    from dangjian.members.models import Member

    anchor = PERSONAS[persona][1] or "b1"
    if rel == "self":
        member = _own_member(world, persona)
        org = member.org
    else:
        org = getattr(world, ORG_RELATIONS[rel][anchor])
        member = Member.objects.filter(org=org).order_by("id").first()
    return TARGETS[model.__name__](world, org, member)


def _owned_kwargs(name, user):
    from dangjian.jobs.models import Job

    return {"pk": Job.objects.create(kind="matrix", actor=user, title="matrix").pk}


def web_patterns():
    """(name, callback) for every named URL outside /api/ and /i18n/."""
    out = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = prefix + str(p.pattern)
                if route.startswith(("api/", "i18n/")):
                    continue
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                out.append((p.name, p.callback, prefix + str(p.pattern)))

    walk(get_resolver().url_patterns)
    return out


def reach_allows(reach: str, assigned_path: str, target_path: str, is_self: bool) -> bool:
    if reach == SUBTREE:
        return target_path.startswith(assigned_path)
    if reach == DESCENDANTS:
        return target_path.startswith(assigned_path) and target_path != assigned_path
    if reach == OWN:
        return target_path == assigned_path
    if reach == SELF:
        return is_self
    raise AssertionError(reach)


def allowed(role, assigned_path, resource, action, target_path, is_self=False) -> bool:
    if role is None:
        return False
    reach = POLICY[resource][action].get(role)
    return reach is not None and reach_allows(reach, assigned_path, target_path, is_self)


def test_every_url_declares_a_policy():
    missing = [name or route for name, cb, route in web_patterns() if not hasattr(cb, "policy")]
    assert not missing, f"URLs without a declared policy (add one via core.web): {missing}"
    for name, cb, _route in web_patterns():
        resource, action, _model = cb.policy
        if resource not in ("public", "authenticated"):
            assert action in POLICY[resource], (name, resource, action)


def test_every_object_model_has_a_matrix_target():
    models = {cb.policy[2] for _n, cb, _r in web_patterns() if getattr(cb, "policy", (None,) * 3)[2] is not None}
    models |= {m for m in (_api_model(n) for n, _r in api_patterns()) if m is not None}
    missing = [m.__name__ for m in models if m.__name__ not in ("Organization", "Member") and m.__name__ not in TARGETS]
    assert not missing, f"add TARGETS makers in tests/<app>/matrix.py for: {missing}"


def _cases():
    cases = []
    for name, cb, _route in web_patterns():
        resource, action, model = getattr(cb, "policy", (None, None, None))
        if resource in (None, "public"):
            continue
        for persona in PERSONAS:
            if model is None:
                cases.append((name, persona, None))
            else:
                for rel in _relations(model):
                    cases.append((name, persona, rel))
    return cases


def _target(world, model, persona, rel):
    role, assigned = PERSONAS[persona]
    anchor = assigned or "b1"
    model_name = model.__name__
    if model_name not in ("Organization", "Member"):
        return _make_target(world, model, persona, rel)
    if model_name == "Organization":
        return getattr(world, ORG_RELATIONS[rel][anchor])
    if rel == "self":
        from dangjian.members.models import Member

        return Member.objects.filter(user=world.users[persona]).first() or world.m_member
    spec = MEMBER_RELATIONS[rel][anchor]
    return getattr(world, spec[0])[spec[1]] if isinstance(spec, tuple) else getattr(world, spec)


def expected_statuses(world, persona, resource, action, model, rel, ok):
    """What the table says a persona gets: (expected statuses, target pk or None).

    Collection (no target): ``ok`` if the role has any reach for the row, else 403.
    Object: 404 if not viewable, 403 if viewable but the action is not allowed, else ``ok``.
    """
    role, assigned = PERSONAS[persona]
    if rel is None:
        has_any = role is not None and role in POLICY[resource][action]
        return (ok if has_any else {403}), None
    from dangjian.core.policy import RESOURCES

    user = world.users[persona]
    assigned_path = getattr(world, assigned).path if assigned else "~"
    target = _target(world, model, persona, rel)
    res = RESOURCES[type(target)]
    path = getattr(target, res.path_field)
    self_obj = _resolve(target, res.self_field) if res.self_field else None
    is_self = self_obj is not None and getattr(self_obj, "pk", self_obj) == user.pk
    if not allowed(role, assigned_path, resource, "view", path, is_self):
        return {404}, target.pk
    if not allowed(role, assigned_path, resource, action, path, is_self):
        return {403}, target.pk
    return ok, target.pk


@pytest.mark.parametrize("name,persona,rel", _cases())
def test_web_matrix(world, login, name, persona, rel):
    cb = dict((n, c) for n, c, _r in web_patterns())[name]
    resource, action, model = cb.policy
    user = world.users[persona]
    c = login(user)
    kwargs = dict(EXTRA_KWARGS.get(name, {}))
    ok = {allowed_answer(world, name, persona, rel)}
    if resource == "authenticated":
        expected = ok
        if name in OWNED:
            kwargs.update(_owned_kwargs(name, user))
    else:
        expected, pk = expected_statuses(world, persona, resource, action, model, rel, ok)
        if pk is not None:
            kwargs["pk"] = pk
    url = reverse(name, kwargs=kwargs)
    r = c.post(url, POST_DATA.get(name, {})) if name in POST_ONLY else c.get(url)
    (want,) = expected
    assert r.status_code == want, f"{persona} {name} [{rel}] -> {r.status_code}, expected {want}"
    if want == 302:
        assert "/accounts/login/" not in r["Location"], (persona, name, rel, r["Location"])


def test_anonymous_is_sent_to_login(world, client):
    for name, cb, _route in web_patterns():
        resource = cb.policy[0]
        if resource == "public":
            continue
        kwargs = dict(EXTRA_KWARGS.get(name, {}))
        model = cb.policy[2]
        if model is not None:
            if model.__name__ == "Organization":
                kwargs["pk"] = world.b1.pk
            elif model.__name__ == "Member":
                kwargs["pk"] = world.m_member.pk
            else:
                kwargs["pk"] = _make_target(world, model, "secretary", "own").pk
        url = reverse(name, kwargs=kwargs)
        r = client.post(url) if name in POST_ONLY else client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], (name, r.status_code)


# -- REST API: the same table, through dangjian.api.registry.API_POLICY --------------------------

def api_patterns():
    from django.urls import get_resolver

    out = []
    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and str(p.pattern).startswith("api/"):
            for sub in p.url_patterns:
                out.append((sub.name, str(sub.pattern)))
    return out


def _api_callbacks():
    from django.urls import get_resolver

    for p in get_resolver().url_patterns:
        if isinstance(p, URLResolver) and str(p.pattern).startswith("api/"):
            return {sub.name: sub.callback for sub in p.url_patterns}
    return {}


def _api_model(name):
    """The model an API object route loads: the view's ``subject_model``, else the one model
    registered for the route's resource."""
    from dangjian.api.registry import API_POLICY
    from dangjian.core.policy import RESOURCES

    routes = dict(api_patterns())
    if "<int:pk>" not in routes.get(name, ""):
        return None
    cls = getattr(_api_callbacks()[name], "cls", None)
    model = getattr(cls, "subject_model", None)
    if model is not None:
        return model
    resources = {r[0] for r in API_POLICY[name].values() if isinstance(r, tuple)}
    models = [m for m, res in RESOURCES.items() if res.name in resources]
    return models[0] if len(models) == 1 else None


def test_every_api_route_is_in_the_policy_table():
    from dangjian.api.registry import API_POLICY, AUTHENTICATED, DEVICE, PUBLIC

    names = [n for n, _r in api_patterns()]
    assert None not in names, "every API route needs a name"
    missing = [n for n in names if n not in API_POLICY]
    assert not missing, f"API routes missing from API_POLICY: {missing}"
    for name, methods in API_POLICY.items():
        assert name in names, f"API_POLICY lists {name}, which is not routed"
        for rule in methods.values():
            if rule not in (PUBLIC, AUTHENTICATED, DEVICE):
                resource, action = rule
                assert action in POLICY[resource], (name, rule)


def _api_cases():
    from dangjian.api.registry import API_POLICY, AUTHENTICATED, DEVICE, PUBLIC

    routes = dict(api_patterns())
    cases = []
    for name, methods in API_POLICY.items():
        for method, rule in methods.items():
            if rule in (PUBLIC, AUTHENTICATED, DEVICE):
                continue
            if "<int:pk>" in routes[name]:
                model = _api_model(name)
                assert model is not None, f"{name}: set subject_model on the view"
                rels = _relations(model)
                cases += [(name, method, persona, rel) for persona in PERSONAS for rel in rels]
            else:
                cases += [(name, method, persona, None) for persona in PERSONAS]
    return cases


@pytest.mark.parametrize("name,method,persona,rel", _api_cases())
def test_api_matrix(world, name, method, persona, rel):
    from rest_framework.test import APIClient

    from dangjian.api.registry import API_POLICY

    resource, action = API_POLICY[name][method]
    user = world.users[persona]
    c = APIClient()
    c.force_authenticate(user)
    # a GET reads; an empty PATCH changes nothing and answers 200; an empty POST of an action
    # (move, merge, dissolve, reveal...) lacks its required fields: 400
    ok = {200} if method in ("GET", "PATCH") else {400}
    model = _api_model(name)
    expected, pk = expected_statuses(world, persona, resource, action, model, rel, ok)
    kwargs = {} if pk is None else {"pk": pk}
    url = reverse(name, kwargs=kwargs)
    r = getattr(c, method.lower())(url, {}, format="json") if method != "GET" else c.get(url)
    (want,) = expected
    assert r.status_code == want, f"{persona} {method} {name} [{rel}] -> {r.status_code} {r.content[:200]!r}, expected {want}"


def test_api_refuses_anonymous(world):
    from rest_framework.test import APIClient

    from dangjian.api.registry import API_POLICY, PUBLIC

    routes = dict(api_patterns())
    c = APIClient()
    for name, methods in API_POLICY.items():
        for method, rule in methods.items():
            if rule == PUBLIC:
                continue
            kwargs = {"pk": world.b1.pk} if "<int:pk>" in routes[name] else {}
            r = getattr(c, method.lower())(reverse(name, kwargs=kwargs))
            assert r.status_code == 401, (name, method, r.status_code)  # token authentication: 401 with WWW-Authenticate
            assert b"results" not in r.content
