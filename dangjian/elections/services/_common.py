"""Helpers shared by the submodules of ``elections.services``: the acting user as stored (None
for the daily job and other system callers)."""
from __future__ import annotations


def _uid(actor):
    return actor if getattr(actor, "pk", None) else None
