"""Read-side helpers of the accounts pages."""
from __future__ import annotations


def token_in(tokens_qs, pk: int):
    """The token ``pk`` among ``tokens_qs`` (the user's own or the managed ones), or ``None`` when
    it is not there: a token outside that list is "no such token", as a missing one."""
    return tokens_qs.filter(pk=pk).first()
