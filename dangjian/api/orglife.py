"""REST endpoint for sign-in devices of the org-life app (the REST layer owns the DRF code; the
app is reached through :mod:`dangjian.orglife.api` only) (issue 4 "(c) an open sign-in API other sign-in devices use").

``POST /api/v1/orglife/device-signin/`` with ``Authorization: Device <key>`` and a JSON body
``{"meeting": <id>, "member": <id>}`` (face terminals will pick the member by face later).
No user is involved: the route carries the ``DEVICE`` marker of :mod:`dangjian.api.registry`,
and this view authenticates the device itself (docs/decisions.md §13):

* 401 — no key, an unknown key or a switched-off device (``WWW-Authenticate: Device``);
* 404 — the meeting does not exist or is not in the device's organization subtree;
* 409 — ``not_open`` (sign-in not open: planned, ended, recorded, cancelled) or
  ``not_invited`` (that member is not invited, or no such member);
* 400 — a malformed body; 429 — too many requests from one device (``DANGJIAN_ORGLIFE_DEVICE_RATE``);
* 201 — signed in now (PRESENT or LATE, method ``device``); 200 — was already signed in.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle

from dangjian.core import config
from dangjian.orglife import api as orglife

from .base import ScopedAPIView, error_responses
from .serializers import StrictIntegerField

MAX_ID = 2**63 - 1


class DeviceSigninRequest(serializers.Serializer):
    meeting = StrictIntegerField(min_value=1, max_value=MAX_ID)
    member = StrictIntegerField(min_value=1, max_value=MAX_ID)


class DeviceSigninResult(serializers.Serializer):
    meeting = serializers.IntegerField()
    member = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField(help_text="present or late")
    method = serializers.CharField()
    signed_at = serializers.DateTimeField()
    created = serializers.BooleanField(help_text="false: the member had already signed in")


def device_key(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, key = header.partition(" ")
    return key.strip() if scheme == "Device" else ""


class DeviceThrottle(SimpleRateThrottle):
    """Per device key prefix (or client address without one): ``DANGJIAN_ORGLIFE_DEVICE_RATE``."""

    scope = "orglife_device"

    def get_rate(self):
        return config.value("ORGLIFE_DEVICE_RATE", "600/min")

    def get_cache_key(self, request, view):
        key = device_key(request)
        ident = f"key:{key.split('.', 1)[0][:12]}" if key else f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class DeviceSigninApi(ScopedAPIView):
    """A sign-in device signs one invited member in to an open meeting of its organization."""

    authentication_classes: list = []  # no user: the device is authenticated below
    throttle_classes = [DeviceThrottle]

    def get_authenticate_header(self, request):
        return 'Device realm="api"'

    @extend_schema(tags=["orglife"], operation_id="orglife_device_signin", auth=[],
                   summary="Sign a member in from a sign-in device (Authorization: Device <key>)",
                   request=DeviceSigninRequest,
                   responses={201: DeviceSigninResult, 200: DeviceSigninResult,
                              **error_responses(400, 401, 404, 409, 429)})
    def post(self, request):
        device = orglife.authenticate_device(device_key(request))
        if device is None:
            raise AuthenticationFailed("Unknown or inactive device key.")
        body = request.data if isinstance(request.data, dict) else {}
        ser = DeviceSigninRequest(data=body)
        ser.is_valid(raise_exception=True)
        try:
            done = orglife.device_sign_in_by_ids(device=device, meeting_id=ser.validated_data["meeting"],
                                                 member_id=ser.validated_data["member"])
        except DjangoValidationError as exc:
            code = getattr(exc, "code", None) or "refused"
            if code == "not_found":
                raise NotFound() from None
            return self._refusal(code, " ".join(exc.messages))
        return Response({"meeting": done.meeting.pk, "member": done.member.pk, "name": done.member.name,
                         "status": done.attendance.status, "method": done.attendance.method,
                         "signed_at": done.attendance.signed_at, "created": done.created},
                        status=status.HTTP_201_CREATED if done.created else status.HTTP_200_OK)

    @staticmethod
    def _refusal(code: str, detail: str) -> Response:
        return Response({"code": code, "detail": detail}, status=status.HTTP_409_CONFLICT)
