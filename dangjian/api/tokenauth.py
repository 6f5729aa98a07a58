"""``Authorization: Token <key>`` against :class:`dangjian.accounts.models.ApiToken`.

Every request re-checks the token (:func:`dangjian.accounts.tokens.authenticate_key`): expiry,
revocation, the holder being active, their two-factor devices and their roles unchanged since
issue. A refused token answers 401 with ``{"detail": ..., "code": ...}`` (the codes of
:class:`dangjian.accounts.tokens.TokenRefused`). ``request.auth`` is the token row.
"""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, ErrorDetail

from dangjian.accounts import api as tokens

KEYWORD = "Token"


def refused(exc: tokens.TokenRefused) -> AuthenticationFailed:
    return AuthenticationFailed({"detail": ErrorDetail(str(exc.message), code=exc.code), "code": exc.code}, code=exc.code)


class ApiTokenAuthentication(BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        if len(auth) != 2:
            raise refused(tokens.TokenRefused("invalid"))
        try:
            key = auth[1].decode()
        except UnicodeError:
            raise refused(tokens.TokenRefused("invalid")) from None
        try:
            token = tokens.authenticate_key(key)
        except tokens.TokenRefused as exc:
            raise refused(exc) from None
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of :class:`ApiTokenAuthentication` (``tokenAuth``, as before)."""

    target_class = "dangjian.api.tokenauth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": 'Token-based authentication with required prefix "Token"'}
