"""Read-side helpers of the accounts pages and of the REST layer's token endpoints."""
from __future__ import annotations

from .models import ApiToken
from .tokens import own_tokens


def token_in(tokens_qs, pk: int):
    """The token ``pk`` among ``tokens_qs`` (the user's own or the managed ones), or ``None`` when
    it is not there: a token outside that list is "no such token", as a missing one."""
    return tokens_qs.filter(pk=pk).first()


def live_own_tokens(user) -> list[ApiToken]:
    """The user's tokens not yet revoked (of :func:`dangjian.accounts.tokens.own_tokens`): what signing out revokes."""
    return list(own_tokens(user).filter(revoked_at__isnull=True))


def own_tokens_listed(user):
    """:func:`own_tokens` with each token's holder loaded (the list shows the username)."""
    return own_tokens(user).select_related("user")


def token_with_holder(pk: int) -> ApiToken | None:
    """The token ``pk`` with its holder, or None (the caller checks ``may_revoke``)."""
    return ApiToken.objects.filter(pk=pk).select_related("user").first()

