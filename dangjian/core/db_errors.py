"""A friendly answer when the database is down, full or read-only (SECURITY.md "DB outage and
disk full": friendly error, 0 partial writes, recovery without restart).

Django turns every uncaught exception — raised in a view or in a middleware (the session and the
user are loaded lazily, inside the middleware chain) — into a call of ``handler500``.
``server_error`` is that handler (``dangjian/urls.py``; ``bad_request``, ``handler400``, catches a
session save the database refused): when the exception is a database
``OperationalError`` / ``InterfaceError`` (connection refused or lost, "database or disk is full",
"attempt to write a readonly database", "database is locked") it answers **503** with
``Retry-After`` and a translated page (JSON ``{"code": "db_unavailable"}`` under ``/api/``) instead
of a 500; any other exception keeps Django's 500 page. The page is rendered without the request's
context processors, which would query the database again.

Nothing is half-written: every service writes in one ``transaction.atomic()`` (DESIGN.md), so the
failed statement rolls the whole write back. Recovery needs no restart: the failed connection is
marked unusable and closed when the request finishes (``close_if_unusable_or_obsolete``), and the
next request opens a new one (PostgreSQL: ``CONN_HEALTH_CHECKS``).
"""
from __future__ import annotations

import logging
import sys

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger("dangjian.db")

RETRY_AFTER_SECONDS = 30
DB_ERRORS = (OperationalError, InterfaceError)


def is_db_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what it was raised from) says the database cannot serve now."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DB_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable_response(request) -> HttpResponse:
    """503 + Retry-After: a page for browsers, JSON for the API. Touches no database."""
    if request is not None and request.path.startswith("/api/"):
        response = JsonResponse({"code": "db_unavailable", "detail": _("The service is temporarily unavailable. Nothing was saved; please try again shortly.")},
                                status=503)
    else:
        body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None, template_name: str = "400.html"):
    """``handler400``: the session middleware turns a failed session save into ``SessionInterrupted``
    (a 400) — when that failure was the database refusing the write (read-only, full, gone), it is an
    outage, not the user's fault: 503. A session really deleted meanwhile stays a 400."""
    if is_db_unavailable(exception):
        logger.error("database unavailable (session save): %s", str(exception.__context__)[:200])
        return unavailable_response(request)
    return defaults.bad_request(request, exception, template_name=template_name)


def server_error(request, template_name: str = "500.html"):
    """``handler500``: 503 for a database outage, Django's 500 page for anything else."""
    exc = sys.exc_info()[1]
    if is_db_unavailable(exc):
        logger.error("database unavailable: %s: %s", type(exc).__name__, str(exc)[:200])
        return unavailable_response(request)
    return defaults.server_error(request, template_name=template_name)
