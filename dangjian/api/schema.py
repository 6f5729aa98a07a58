"""OpenAPI generation: every operation states the policy row it enforces.

The description of each operation ends with its access rule, and the ``x-dangjian-policy``
extension carries it in machine-readable form (read by the fuzzing and matrix tests), both
taken from :mod:`dangjian.api.registry` — the same entry the view enforces.
"""
from __future__ import annotations

import re

from django.urls import Resolver404, resolve
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema

from .registry import API_POLICY, API_TARGETS, AUTHENTICATED, DEVICE, PUBLIC


class PolicyAutoSchema(AutoSchema):
    def _url_name(self) -> str | None:
        try:
            return resolve(re.sub(r"\{[^}]+\}", "1", self.path)).url_name
        except Resolver404:
            return None

    def _policy(self) -> dict:
        name = self._url_name() or ""
        rule = API_POLICY.get(name, {}).get(self.method)
        if rule is None:
            return {}
        out: dict = {"route": name, "rule": rule if isinstance(rule, str) else "/".join(rule)}
        targets = API_TARGETS.get(name, {}).get(self.method, ())
        if targets:
            out["targets"] = {field: f"{resource}/{action}" for field, resource, action in targets}
        return out

    def get_description(self) -> str:
        text = super().get_description() or ""
        policy = self._policy()
        if not policy:
            return text
        if policy["rule"] == PUBLIC:
            access = "Access: public (no sign-in)."
        elif policy["rule"] == DEVICE:
            access = "Access: a registered device, authenticated by its device key (no user)."
        elif policy["rule"] == AUTHENTICATED:
            access = "Access: any signed-in user."
        else:
            access = f"Access: policy row `{policy['rule']}` (not visible → 404; visible but not allowed → 403)."
        for field, row in policy.get("targets", {}).items():
            access += f" `{field}` must name an organization you may view, with `{row}` there."
        return f"{text}\n\n{access}".strip()

    def _resolve_path_parameters(self, variables):
        """Path ids are positive bigints (``<int:pk>`` takes digits only; 0 and ids beyond the
        database's range answer 404 like a missing object)."""
        params = super()._resolve_path_parameters(variables)
        for p in params:
            if p["schema"].get("type") == "integer":
                p["schema"] = {**p["schema"], "minimum": 1, "maximum": 2**63 - 1}
        return params

    def get_operation(self, *args, **kwargs):
        """Operations that take query parameters also document 414: the server (gunicorn) refuses a
        request line over 4094 bytes before Django sees it, with no JSON body."""
        operation = super().get_operation(*args, **kwargs)
        if operation and any(p.get("in") == "query" for p in operation.get("parameters", [])):
            operation.setdefault("responses", {}).setdefault(
                "414", {"description": "The URL is longer than the server accepts (4094 bytes); answered by the server, no JSON body."})
        return operation

    def get_extensions(self) -> dict:
        ext = dict(super().get_extensions())
        policy = self._policy()
        if policy:
            ext["x-dangjian-policy"] = policy
        return ext


class ValidationErrorSchema(OpenApiSerializerExtension):
    """The 400 body: an object whose every member is a list of messages (field names vary)."""

    target_class = "dangjian.api.serializers.ValidationErrorSerializer"

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"type": "string"}, "minItems": 1}
        return {
            "type": "object",
            "description": "Messages per field (`non_field_errors` for the request as a whole); `codes` holds the stable "
                           "code of each message, by field.",
            "properties": {"codes": {"type": "object", "additionalProperties": messages, "minProperties": 1}},
            "required": ["codes"],
            "additionalProperties": messages,
            "minProperties": 2,
        }
