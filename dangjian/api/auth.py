"""Token authentication and the OpenAPI schema.

``POST /api/v1/auth/token/`` signs in through ``django.contrib.auth.authenticate`` with the real
request, so django-axes (the first backend) counts failures and enforces its lockout exactly as
on the web login (SECURITY.md: 5 failures → 30 min per username + IP; the right password is
refused while locked). Unknown user, wrong password and inactive account get one identical
answer. The endpoint is also rate-limited per client address.

Two-factor sign-in (SECURITY.md): a user who must use a second factor
(:func:`dangjian.accounts.services.needs_second_factor`) also sends ``otp``, the current code of their
confirmed authenticator device; a missing or wrong code gets the same answer as a wrong password.
"""
from __future__ import annotations

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ErrorDetail, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from dangjian.accounts import services as otp_services

from .base import ScopedAPIView, error_responses
from .permissions import ApiPolicyPermission, TokenObtainThrottle
from .serializers import TokenRequestSerializer, TokenResponseSerializer

TAG = ["auth"]
BAD_CREDENTIALS = _("Unable to log in with provided credentials.")
LOCKED_OUT = _("Too many failed sign-in attempts. Try again later.")


class TokenObtainSerializer(TokenRequestSerializer):
    otp = serializers.CharField(
        required=False, allow_blank=True, max_length=32,
        help_text="The current six-digit code of the account's authenticator app. Required for roles that must "
                  "use two-factor sign-in (set it up on the web first); a missing or wrong code is refused like a "
                  "wrong password.",
    )


class AuthTokenApi(ScopedAPIView):
    """API tokens: obtain with username and password, plus a TOTP code where two-factor sign-in
    is required (axes lockout applies), revoke your own."""

    throttle_classes = [TokenObtainThrottle]

    @extend_schema(tags=TAG, operation_id="auth_token_create", summary="Exchange username and password (and a TOTP code) for an API token", request=TokenObtainSerializer,
                   auth=[], responses={200: TokenResponseSerializer, **error_responses(400, 429)})
    def post(self, request):
        ser = TokenObtainSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper: axes flags a lockout on it for its middleware.
        user = authenticate(request=request._request, username=ser.validated_data["username"],
                            password=ser.validated_data["password"])
        if user is None and getattr(request._request, "axes_locked_out", False):
            # Locked by axes (unknown and known usernames alike). Answer in JSON rather than
            # axes' HTML page; the lockout itself is axes' and stays in force.
            request._request.axes_locked_out = False
            cool_off = get_cool_off(request._request)
            raise Throttled(wait=cool_off.total_seconds() if cool_off else None, detail=str(LOCKED_OUT))
        if user is not None and otp_services.needs_second_factor(user) and not otp_services.verify_api_otp(user, ser.validated_data.get("otp")):
            user = None  # the second factor failed: the same answer as a wrong password
        if user is None:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(str(BAD_CREDENTIALS), code="authorization")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, headers={"Cache-Control": "no-store"})

    @extend_schema(tags=TAG, operation_id="auth_token_destroy", summary="Revoke your API token", request=None,
                   responses={204: OpenApiResponse(description="Revoked."), **error_responses(401)})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class SchemaApi(SpectacularAPIView):
    """The OpenAPI 3 document (``?format=json`` or YAML by default); signed-in users only."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [ApiPolicyPermission]
    metadata_class = None
