"""The scoped base view every /api/v1/ endpoint derives from.

It resolves the caller's :class:`~dangjian.core.policy.Scope` once per request, loads objects
through the apps' scoped selectors (404 alike for missing and out-of-scope), answers 403 for a
viewable object the action does not reach, resolves organizations named in the request through
the scope as well (never ``Organization.objects.get`` on raw input), and turns the services'
``django.core.exceptions.ValidationError`` into DRF 400 responses. It queries nothing itself
(tests/test_thin_views.py): the reads are the apps' selectors, reached through their ``api``.

Every check is driven by the route's entries in :mod:`dangjian.api.registry`; a successful
response for which the view did not run the checks its entry asks for is a programming error
and is refused (``ImproperlyConfigured``), so a handler cannot silently skip its policy.
"""
from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, ErrorDetail, ParseError, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from dangjian.core import api as org_reads
from dangjian.core.models import Organization
from dangjian.core.policy import RESOURCES, Scope, scope_of

from .permissions import ApiPolicyPermission, is_object_route, policy_method, rule_for, url_name_of
from .registry import API_FIELD_POLICY, API_TARGETS
from .schema import PolicyAutoSchema
from .tokenauth import ApiTokenAuthentication


def drf_errors(exc: DjangoValidationError) -> dict[str, list[ErrorDetail]]:
    """``{field: [ErrorDetail(message, code)]}`` from a Django ValidationError (codes kept)."""

    def details(errors) -> list[ErrorDetail]:
        out = []
        for e in errors:
            for msg in e:  # iterating a single ValidationError yields its formatted message
                out.append(ErrorDetail(str(msg), code=e.code or "invalid"))
        return out

    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): details(errors)
            for field, errors in exc.error_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: details(exc.error_list)}


CODES_KEY = "codes"  # the 400 body's machine-readable part: {"<field>": ["code", ...]} (no request field is named so)
INVALID_ID = _("A valid integer is required.")
MAX_DB_INT = 2**63 - 1
NUL_CHARACTER = _("Null characters are not allowed.")


def _flat_codes(codes) -> list[str]:
    if isinstance(codes, dict):
        return [c for v in codes.values() for c in _flat_codes(v)]
    if isinstance(codes, list | tuple):
        return [c for v in codes for c in _flat_codes(v)]
    return [str(codes)]


def api_exception_handler(exc, context):
    """DRF's handler, with the error bodies the schema documents (``error_responses``): every 400
    is ``{"<field>": ["message", ...], "codes": {"<field>": ["code", ...]}}`` (a malformed JSON
    body too, under ``non_field_errors``, code ``parse_error``), every other error
    ``{"detail": "...", "code": "..."}``."""
    if isinstance(exc, ParseError):
        exc = ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(str(exc.detail), code="parse_error")]})
    response = exception_handler(exc, context)
    if response is None or not isinstance(response.data, dict):
        return response
    if response.status_code == 400:
        if isinstance(exc, ValidationError) and CODES_KEY not in response.data:
            codes = exc.get_codes()
            codes = codes if isinstance(codes, dict) else {api_settings.NON_FIELD_ERRORS_KEY: codes}
            response.data[CODES_KEY] = {field: _flat_codes(c) for field, c in codes.items()}
        return response
    if "detail" in response.data and "code" not in response.data:
        if isinstance(exc, Http404):
            code = "not_found"
        elif isinstance(exc, APIException):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else exc.default_code
        else:  # django.core.exceptions.PermissionDenied
            code = PermissionDenied.default_code
        response.data["code"] = code
    return response


class ScopedAPIView(GenericAPIView):
    """Base of every API view: registry-driven permission, scope, 404/403 object checks."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]  # token first: 401 + WWW-Authenticate
    permission_classes = [ApiPolicyPermission]
    parser_classes = [JSONParser]  # JSON bodies only: the schema's types are JSON types (serializers.Strict*Field)
    metadata_class = None  # OPTIONS answers 405: no unlisted method serves anything
    schema = PolicyAutoSchema()
    filter_backends: list = []
    pagination_class = None

    def initial(self, request, *args, **kwargs):
        self._checks_done: set[str] = set()
        super().initial(request, *args, **kwargs)
        for key, values in request.query_params.lists():
            if any("\x00" in v for v in values) or "\x00" in key:
                # PostgreSQL refuses NUL in text: answer 400 here rather than 500 in a query
                raise ValidationError({key.replace("\x00", ""): [ErrorDetail(str(NUL_CHARACTER), code="null_characters_not_allowed")]})

    # -- what the registry says ---------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        return scope_of(self.request)

    @property
    def rule(self) -> tuple[str, str]:
        rule = rule_for(self.request)
        if not isinstance(rule, tuple):
            raise ImproperlyConfigured(f"{type(self).__name__}: {url_name_of(self.request)} has no POLICY row")
        return rule

    def _targets(self) -> tuple[tuple[str, str, str], ...]:
        return API_TARGETS.get(url_name_of(self.request) or "", {}).get(policy_method(self.request), ())

    def may_see(self, field: str, obj) -> bool:
        """Whether an optional response field (API_FIELD_POLICY) is shown for ``obj``."""
        resource, action = API_FIELD_POLICY[RESOURCES[type(obj)].name][field]
        return self.scope.path_allows(resource, action, getattr(obj, RESOURCES[type(obj)].path_field))

    # -- checks -------------------------------------------------------------------------------
    def get_subject(self, load: Callable[[Scope, int], object], pk: int):
        """The URL's object: 404 unless viewable, 403 unless the route's action reaches it.
        ``load(scope, pk)`` is the app's selector that reads one object the scope may view
        (404 otherwise), e.g. ``dangjian.core.api.visible_org``."""
        resource, action = self.rule
        obj = load(self.scope, pk)
        if RESOURCES[type(obj)].name != resource:
            raise ImproperlyConfigured(f"{type(self).__name__} loads {type(obj).__name__} for a {resource} rule")
        if action != "view" and not self.scope.can(action, obj):
            raise PermissionDenied
        self._checks_done.add("subject")
        return obj

    def list_action(self) -> str:
        """The action of a collection GET, for the selector that reads its rows and applies the
        scope itself (``visible_orgs(scope, action)``, ``member_page(..., action=...)``)."""
        self._checks_done.add("subject")
        return self.rule[1]

    def get_targets(self, params) -> dict[str, Organization | None]:
        """Organizations named in the request (API_TARGETS), each checked through the scope."""
        out: dict[str, Organization | None] = {}
        for field, resource, action in self._targets():
            raw = params.get(field)
            if raw in (None, ""):
                out[field] = None
                continue
            try:
                pk = int(raw)
            except (TypeError, ValueError):
                raise ValidationError({field: [ErrorDetail(str(INVALID_ID), code="invalid")]}) from None
            if not 0 < pk <= MAX_DB_INT:
                raise Http404
            org = org_reads.visible_org(self.scope, pk)
            if not self.scope.path_allows(resource, action, org.path):
                raise PermissionDenied
            out[field] = org
        self._checks_done.add("targets")
        return out

    # -- plumbing -----------------------------------------------------------------------------
    def get_exception_handler(self):
        return api_exception_handler

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(drf_errors(exc))
        elif isinstance(exc, Http404):
            exc = Http404()  # one body for "missing" and "not yours"
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        if 200 <= response.status_code < 300 and isinstance(rule_for_or_none(request), tuple):
            missing = []
            if is_object_route(self) or policy_method(request) == "GET":
                if "subject" not in self._checks_done:
                    missing.append("subject")
            if self._targets() and "targets" not in self._checks_done:
                missing.append("targets")
            if not is_object_route(self) and policy_method(request) != "GET" and not self._targets():
                missing.append("a target for the collection write")
            if missing:
                raise ImproperlyConfigured(f"{type(self).__name__} answered without checking: {', '.join(missing)}")
        return super().finalize_response(request, response, *args, **kwargs)


def rule_for_or_none(request):
    try:
        return rule_for(request)
    except APIException:  # unlisted route or method: there is no successful answer to vet
        return None


ERROR_TEXTS = {
    400: "Invalid input: messages per field (``non_field_errors`` for the whole request), and their codes under `codes` "
         "(e.g. `invalid_choice`, `max_length`, `required`, `id_duplicate`). Input the schema allows can "
         "still be refused here by a rule it cannot state (an ID number's check digit, dates in order, a duplicate).",
    401: "Not signed in, or the token is refused (`code`: `not_authenticated`, `authentication_failed`, `expired`, "
         "`revoked`, `fresh_second_factor_required`, ...); no data is returned.",
    403: "The object is visible to you but the action is not allowed (`code`: `permission_denied`, or a specific refusal).",
    404: "No such object in your scope (missing and out-of-scope look alike; `code`: `not_found`).",
    409: "The request conflicts with the object's state (`code` names the conflict).",
    429: "Too many requests (`code`: `throttled`, or a specific limit); `Retry-After` may say when to retry.",
}


def error_responses(*codes: int) -> dict:
    """OpenAPI entries for the error statuses an operation can answer, with their bodies
    (:func:`api_exception_handler`)."""
    from drf_spectacular.utils import OpenApiResponse

    from .serializers import ErrorSerializer, ValidationErrorSerializer

    return {code: OpenApiResponse(response=ValidationErrorSerializer if code == 400 else ErrorSerializer, description=ERROR_TEXTS[code])
            for code in codes}
