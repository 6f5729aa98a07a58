"""Session expiry (SECURITY.md: idle 30 min via SESSION_COOKIE_AGE + save-every-request;
absolute 12 h here) and the client address for audit rows."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect

from .audit import current_ip


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
                elif now - started > settings.DANGJIAN_SESSION_ABSOLUTE_SECONDS:
                    logout(request)
                    if request.path.startswith("/api/"):
                        return self.get_response(request)
                    return redirect(f"/accounts/login/?next={request.path}")
            return self.get_response(request)
        finally:
            current_ip.reset(token)


@receiver(user_logged_in)
def stamp_login_time(sender, request, user, **kwargs):
    """The absolute session limit counts from this login (a re-login restarts it)."""
    if request is not None and hasattr(request, "session"):
        request.session["_dj_login_at"] = int(time.time())
