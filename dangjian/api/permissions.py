"""The one DRF permission class of the API: it reads :mod:`dangjian.api.registry`.

View-level part of the rule (registry docstring): authentication, the method being listed, and —
for collection routes — that the caller has some reach for the POLICY row. Object-level checks
(404 vs 403) run in :class:`dangjian.api.base.ScopedAPIView`.
"""
from __future__ import annotations

from rest_framework.exceptions import MethodNotAllowed, PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from dangjian.core.policy import scope_of

from .registry import API_POLICY, AUTHENTICATED, DEVICE, PUBLIC, Rule


def policy_method(request) -> str:
    return "GET" if request.method == "HEAD" else request.method


def url_name_of(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.url_name if match else None


def rule_for(request) -> Rule:
    """The registry entry for this request; unknown routes are denied, unlisted methods 405."""
    entry = API_POLICY.get(url_name_of(request) or "")
    if entry is None:
        raise PermissionDenied  # fail closed: a route missing from the registry serves nothing
    method = policy_method(request)
    if method not in entry:
        raise MethodNotAllowed(request.method)
    return entry[method]


def is_object_route(view) -> bool:
    return "pk" in getattr(view, "kwargs", {})


class ApiPolicyPermission(BasePermission):
    """Allow a request only as far as its API_POLICY entry does (default deny)."""

    def has_permission(self, request, view) -> bool:
        rule = rule_for(request)
        if rule in (PUBLIC, DEVICE):
            return True  # DEVICE: the view authenticates the device itself (registry docstring)
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if rule == AUTHENTICATED:
            return True
        resource, action = rule
        check_token_for_action(request, action)
        if is_object_route(view):
            return True  # the object check (404/403) runs when the view loads the object
        return scope_of(request).has_any(resource, action)


def check_token_for_action(request, action: str) -> None:
    """A reveal or an export by API token needs a token issued with a fresh second factor
    (:func:`dangjian.accounts.tokens.check_privileged_action`); refused with 401
    ``fresh_second_factor_required``."""
    from dangjian.accounts import api as tokens
    from dangjian.accounts.api import ApiToken

    from .tokenauth import refused

    if isinstance(request.auth, ApiToken):
        try:
            tokens.check_privileged_action(request.auth, action)
        except tokens.TokenRefused as exc:
            raise refused(exc) from None


class TokenObtainThrottle(SimpleRateThrottle):
    """10 token requests a minute per client address (on top of django-axes' lockout)."""

    scope = "auth_token"
    rate = "10/min"

    def get_cache_key(self, request, view):
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
