"""Cache of the public pages, keyed by organization + board + page + language + generation.

A publish or withdraw bumps the generation of the notice's organization and of each of its
ancestors (a village's board shows its whole subtree), plus the global generation (index and
honour roll), so a newly published notice appears at once and a withdrawn one disappears at once.
"""
from __future__ import annotations

from django.core.cache import cache

TIMEOUT = 300
GLOBAL = "publicity:gen:all"


def _gen_key(org_id) -> str:
    return f"publicity:gen:org:{org_id}"


def generation(org_id=None) -> str:
    keys = [GLOBAL] + ([_gen_key(org_id)] if org_id is not None else [])
    got = cache.get_many(keys)
    return ".".join(str(got.get(k, 0)) for k in keys)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, None)


def invalidate(org=None) -> None:
    """Called after publish / withdraw / honour changes (on transaction commit)."""
    _bump(GLOBAL)
    if org is not None:
        from dangjian.core.models import Organization

        ids = list(Organization.objects.filter(path__in=org.ancestor_paths()).values_list("pk", flat=True))
        for pk in set(ids) | {org.pk}:
            _bump(_gen_key(pk))


def page_key(kind: str, *parts) -> str:
    return "publicity:page:" + kind + ":" + ":".join(str(p) for p in parts)
