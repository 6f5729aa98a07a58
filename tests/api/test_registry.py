"""The registry is complete and the views enforce exactly it (SECURITY.md "One policy, default deny")."""
from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from dangjian.api.registry import API_FIELD_POLICY, API_POLICY, API_TARGETS, AUTHENTICATED, DEVICE, PUBLIC
from dangjian.core.policy import POLICY

from .conftest import url


def api_patterns():
    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and route.startswith("api/v1/"):
                yield route, p

    return list(walk(get_resolver().url_patterns))


def test_every_api_route_is_named_and_listed_and_every_entry_is_routed():
    patterns = api_patterns()
    names = [p.name for _r, p in patterns]
    assert None not in names
    assert len(names) == len(set(names))
    assert set(names) == set(API_POLICY)


def test_every_rule_is_a_row_of_the_policy_table():
    for name, entry in API_POLICY.items():
        for method, rule in entry.items():
            assert method in {"GET", "POST", "PATCH", "PUT", "DELETE"}, (name, method)
            if rule in (PUBLIC, AUTHENTICATED, DEVICE):
                continue
            resource, action = rule
            assert action in POLICY[resource], (name, method)
    for name, entry in API_TARGETS.items():
        for method, targets in entry.items():
            assert method in API_POLICY[name]
            for _field, resource, action in targets:
                assert action in POLICY[resource], (name, method)
    for fields in API_FIELD_POLICY.values():
        for resource, action in fields.values():
            assert action in POLICY[resource]


def test_views_implement_exactly_the_listed_methods():
    for _route, p in api_patterns():
        cls = p.callback.cls
        handlers = {m.upper() for m in cls.http_method_names if m not in ("head", "options") and hasattr(cls, m)}
        assert handlers == set(API_POLICY[p.name]), p.name


@pytest.mark.parametrize(
    ("_case", "method", "name", "pk"),
    [
        ("put is not listed", "put", "api-organization-detail", "b1"),
        ("delete is not listed", "delete", "api-member-detail", "m_member"),
        ("options serves no metadata", "options", "api-organization-list", None),
        ("get on an action", "get", "api-organization-move", "b1"),
    ],
)
def test_unlisted_methods_answer_405(world, as_user, _case, method, name, pk):
    target = getattr(world, pk).pk if pk else None
    resp = getattr(as_user("county_admin"), method)(url(name, target))
    assert resp.status_code == 405


def test_head_follows_get(world, as_user):
    assert as_user("secretary2").head(url("api-organization-detail", world.b1.pk)).status_code == 404
    assert as_user("secretary").head(url("api-organization-detail", world.b1.pk)).status_code == 200


def test_operations_carry_their_policy_in_the_schema(world, as_user):
    schema = as_user("member").get(url("api-schema") + "?format=json").json()
    seen = {}
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            seen[(path, method.upper())] = op["x-dangjian-policy"]
    assert seen[("/api/v1/members/{id}/reveal/", "POST")] == {"route": "api-member-reveal", "rule": "member/reveal"}
    assert seen[("/api/v1/organizations/{id}/move/", "POST")] == {
        "route": "api-organization-move", "rule": "organization/move", "targets": {"parent": "organization/add_child"},
    }
    assert seen[("/api/v1/auth/token/", "POST")]["rule"] == PUBLIC
    operations = {(name, m) for name, entry in API_POLICY.items() for m in entry if name != "api-schema"}
    assert {(v["route"], m) for (_p, m), v in seen.items()} == operations


def test_a_view_that_skips_its_checks_cannot_answer(world):
    """The base view refuses a 2xx response for which the registry's checks did not run."""
    from django.core.exceptions import ImproperlyConfigured
    from django.urls import ResolverMatch
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory, force_authenticate

    from dangjian.api.base import ScopedAPIView

    class Careless(ScopedAPIView):
        def get(self, request):
            return Response({"members": "everything"})

    view = Careless.as_view()
    request = APIRequestFactory().get("/api/v1/members/")
    request.resolver_match = ResolverMatch(view, (), {}, url_name="api-member-list")
    force_authenticate(request, world.users["county_admin"])
    with pytest.raises(ImproperlyConfigured, match="subject"):
        view(request)


def test_schema_generates_and_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/members/{id}/reveal/" in out.read_text()
