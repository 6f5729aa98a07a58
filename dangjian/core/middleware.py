"""Session expiry (SECURITY.md: idle 30 min, absolute 12 h) and the client address for audit rows.

Idle: the session row (and cookie) expire ``SESSION_COOKIE_AGE`` after they were last saved.
The row is not rewritten on every request (``SESSION_SAVE_EVERY_REQUEST`` is off: a write per
page, per htmx poll, per sign-in): a signed-in request saves it only when the recorded activity
``_dj_seen_at`` is ``DANGJIAN_SESSION_ACTIVITY_STEP_SECONDS`` (60) old or more. A session
therefore ends between 29 and 30 minutes after the last request — to the minute, never later.
Absolute: 12 h after sign-in (``_dj_login_at``), checked here."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.utils.functional import empty

from . import config
from .audit import current_ip

ACTIVITY_KEY = "_dj_seen_at"


class SessionExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(request.META.get("REMOTE_ADDR", ""))
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                started = request.session.get("_dj_login_at")
                now = int(time.time())
                if started is None:
                    request.session["_dj_login_at"] = now
                elif now - started > config.value("SESSION_ABSOLUTE_SECONDS"):
                    logout(request)
                    if request.path.startswith("/api/"):
                        return self.get_response(request)
                    return redirect(f"/accounts/login/?next={request.path}")
                seen = request.session.get(ACTIVITY_KEY)
                if seen is None or now - seen >= config.value("SESSION_ACTIVITY_STEP_SECONDS"):
                    request.session[ACTIVITY_KEY] = now  # modified: saved, expiry and cookie renewed
            return self.get_response(request)
        finally:
            current_ip.reset(token)


@receiver(user_logged_in)
def stamp_login_time(sender, request, user, **kwargs):
    """The absolute session limit counts from this login (a re-login restarts it)."""
    if request is not None and hasattr(request, "session"):
        request.session["_dj_login_at"] = request.session[ACTIVITY_KEY] = int(time.time())


class NoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every response to a signed-in user (web session or
    API token) — pages of member data must not stay in a browser's or a proxy's cache (SECURITY.md
    "field privacy"; OWASP ASVS 5.0 V14.3). A response that already says ``no-store`` keeps its
    header; anonymous requests (public pages, the login page) are not touched. Put it after
    AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", ""):
            return response
        # Only requests that can carry a user: without a session cookie or an Authorization
        # header nobody is signed in, and request.user is not even looked at (no "Vary: Cookie").
        carries_user = settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META
        if not carries_user and not _user_loaded(request):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


def _user_loaded(request) -> bool:
    """Whether request.user was already resolved (e.g. a login in this very request)."""
    user = request.__dict__.get("user")
    return user is not None and getattr(user, "_wrapped", None) is not empty
