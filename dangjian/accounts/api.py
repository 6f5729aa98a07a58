"""The accounts app seen from outside: API tokens and the second factor for the REST layer.

Other apps import this module only (import-linter contract ``public-api``)."""
from .models import ApiToken
from .selectors import live_own_tokens, own_tokens_listed, token_with_holder
from .services import needs_second_factor, verify_api_otp
from .tokens import (
    TokenRefused,
    authenticate_key,
    check_privileged_action,
    issue_token,
    managed_tokens,
    may_revoke,
    own_tokens,
    revoke_token,
)

__all__ = [
    "ApiToken",
    "authenticate_key",
    "check_privileged_action",
    "issue_token",
    "live_own_tokens",
    "managed_tokens",
    "may_revoke",
    "needs_second_factor",
    "own_tokens",
    "own_tokens_listed",
    "revoke_token",
    "token_with_holder",
    "TokenRefused",
    "verify_api_otp",
]
