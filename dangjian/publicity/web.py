"""Decorators of publicity pages.

* :func:`public_page` — ``@public`` + a per-IP rate limit (django_ratelimit); over the limit
  the visitor gets a friendly 429 page. The rate is ``settings.PUBLICITY_PUBLIC_RATE``
  (default "120/m" per IP).
"""
from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.decorators import ratelimit

from dangjian.core.web import public


def public_rate(group, request) -> str:
    return getattr(settings, "PUBLICITY_PUBLIC_RATE", "120/m")


def public_page(view):
    @ratelimit(group="publicity-public", key="ip", rate=public_rate, block=False)
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if getattr(request, "limited", False):
            resp = render(request, "publicity/public/429.html", status=429)
            resp["Retry-After"] = "60"
            return resp
        return view(request, *args, **kwargs)

    return public(guarded)
