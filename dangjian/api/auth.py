"""Token authentication and the OpenAPI schema.

``POST /api/v1/auth/token/`` signs in through ``django.contrib.auth.authenticate`` with the real
request, so django-axes (the first backend) counts failures and enforces its lockout exactly as
on the web login (SECURITY.md: 5 failures → 30 min per username + IP; the right password is
refused while locked). Unknown user, wrong password and inactive account get one identical
answer. The endpoint is also rate-limited per client address.

Two-factor sign-in (SECURITY.md): a user who must use a second factor
(:func:`dangjian.accounts.services.needs_second_factor`) also sends ``otp``, the current code of their
confirmed authenticator device; a missing or wrong code gets the same answer as a wrong password.

Each call issues a new token (:mod:`dangjian.accounts.tokens`): it expires, stops working when the
holder's 2FA devices or roles change, and a reveal or export by token needs one issued with a
fresh code. ``GET /auth/tokens/`` lists the caller's tokens, ``DELETE /auth/tokens/{id}/`` revokes
one (the holder's, or — for a security admin — one of a user holding a role in their subtree),
``GET /security/tokens/`` is the security admin's list.
"""
from __future__ import annotations

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ErrorDetail, NotFound, Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from dangjian.accounts import api as otp_services
from dangjian.accounts import api as tokens
from dangjian.accounts.api import ApiToken

from .base import ScopedAPIView, api_exception_handler, error_responses
from .permissions import ApiPolicyPermission, TokenObtainThrottle
from .serializers import StrictCharField, TokenRequestSerializer
from .tokenauth import ApiTokenAuthentication

TAG = ["auth"]
BAD_CREDENTIALS = _("Unable to log in with provided credentials.")
LOCKED_OUT = _("Too many failed sign-in attempts. Try again later.")


class TokenObtainSerializer(TokenRequestSerializer):
    otp = StrictCharField(
        required=False, allow_blank=True, max_length=32,
        help_text="The current six-digit code of the account's authenticator app. Required for roles that must "
                  "use two-factor sign-in (set it up on the web first); a missing or wrong code is refused like a "
                  "wrong password. A token obtained with a code may reveal or export for a few minutes.",
    )


class IssuedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="The key (shown once): send `Authorization: Token <key>`.")
    id = serializers.IntegerField(read_only=True, min_value=1)
    expires_at = serializers.DateTimeField(read_only=True)
    second_factor = serializers.BooleanField(read_only=True, help_text="Whether a two-factor code was verified for this token.")


class ApiTokenSerializer(serializers.Serializer):
    """One token as listed (never its key)."""

    id = serializers.IntegerField(read_only=True, min_value=1)
    username = serializers.CharField(read_only=True, source="user.username")
    prefix = serializers.CharField(read_only=True, min_length=8, max_length=8, help_text="The first 8 characters of the key.")
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    last_used_at = serializers.DateTimeField(read_only=True, allow_null=True)
    second_factor_at = serializers.DateTimeField(read_only=True, allow_null=True)
    privileged = serializers.BooleanField(read_only=True)
    revoked_at = serializers.DateTimeField(read_only=True, allow_null=True)
    active = serializers.BooleanField(read_only=True, source="is_active")


class AuthTokenApi(ScopedAPIView):
    """API tokens: obtain with username and password, plus a TOTP code where two-factor sign-in
    is required (axes lockout applies), revoke the one in use."""

    throttle_classes = [TokenObtainThrottle]

    @extend_schema(tags=TAG, operation_id="auth_token_create", summary="Exchange username and password (and a TOTP code) for an API token",
                   request=TokenObtainSerializer, auth=[], responses={200: IssuedTokenSerializer, **error_responses(400, 429)})
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
        second_factor = False
        if user is not None and otp_services.needs_second_factor(user):
            second_factor = otp_services.verify_api_otp(user, ser.validated_data.get("otp"))
            if not second_factor:
                user = None  # the second factor failed: the same answer as a wrong password
        if user is None:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [ErrorDetail(str(BAD_CREDENTIALS), code="authorization")]})
        token, key = tokens.issue_token(actor=user, second_factor=second_factor)
        body = {"token": key, "id": token.pk, "expires_at": token.expires_at, "second_factor": second_factor}
        return Response(IssuedTokenSerializer(body).data, headers={"Cache-Control": "no-store"})

    @extend_schema(tags=TAG, operation_id="auth_token_destroy", summary="Revoke the API token of this request (signed in by session: all of yours)",
                   request=None, responses={204: OpenApiResponse(description="Revoked."), **error_responses(401)})
    def delete(self, request):
        current = request.auth if isinstance(request.auth, ApiToken) else None
        mine = [current] if current is not None else tokens.live_own_tokens(request.user)
        for token in mine:
            tokens.revoke_token(actor=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OwnTokenListApi(ScopedAPIView):
    """The caller's API tokens (live ones and those ended in the last 30 days)."""

    serializer_class = ApiTokenSerializer

    @extend_schema(tags=TAG, operation_id="auth_tokens_list", summary="Your API tokens", responses={200: ApiTokenSerializer(many=True), **error_responses(401)})
    def get(self, request):
        return Response(ApiTokenSerializer(tokens.own_tokens_listed(request.user), many=True).data)


class TokenRevokeApi(ScopedAPIView):
    """Revoke one token: your own, or (security admin) one of a user holding a role in your subtree."""

    @extend_schema(tags=TAG, operation_id="auth_tokens_destroy", summary="Revoke an API token", request=None,
                   responses={204: OpenApiResponse(description="Revoked."), **error_responses(401, 404)})
    def delete(self, request, pk: int):
        token = tokens.token_with_holder(pk) if 0 < pk < 2**63 else None
        if token is None or not tokens.may_revoke(self.scope, token):
            raise NotFound  # missing and not yours look alike
        tokens.revoke_token(actor=request.user, token=token, scope=self.scope)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ManagedTokenListApi(ScopedAPIView):
    """The security admin's list: live tokens of the users holding a role in their subtree."""

    serializer_class = ApiTokenSerializer

    @extend_schema(tags=TAG, operation_id="security_tokens_list", summary="Live API tokens of the users in your subtree (security admin)",
                   responses={200: ApiTokenSerializer(many=True), **error_responses(401, 403)})
    def get(self, request):
        self.list_action()
        return Response(ApiTokenSerializer(tokens.managed_tokens(self.scope), many=True).data)


class SchemaApi(SpectacularAPIView):
    """The OpenAPI 3 document (``?format=json`` or YAML by default); signed-in users only."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [ApiPolicyPermission]
    metadata_class = None

    def get_exception_handler(self):
        return api_exception_handler
