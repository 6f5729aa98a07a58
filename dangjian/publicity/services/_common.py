"""What the notices and the honour roll share: the version of the rules P1–P6, H1–H2 (recorded
when a notice is published) and the invalidation of the public pages' cache (``publicity.cache``:
a publish or withdrawal shows at once)."""
from __future__ import annotations

from django.db import transaction

from .. import cache as pcache

RULE_VERSION = "publicity-2026.11.2"  # .2: P6 personal data, H2 honour eligibility


def _invalidate(org) -> None:
    pcache.invalidate(org)
    transaction.on_commit(lambda: pcache.invalidate(org))
