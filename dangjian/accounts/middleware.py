"""Two-factor gate: a signed-in user who must use a second factor and has not passed it in this
session reaches only the 2FA pages, logout and the language switch.

Web pages redirect to the verify page (or to setup when the user has no confirmed TOTP device
yet), keeping the requested page as ``next``; /api/ requests on such a session answer 403 JSON.
Must come after django-otp's OTPMiddleware (which sets ``request.user.is_verified()``). Does
nothing while ``DANGJIAN_OTP_ENFORCED`` is off.
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services

EXEMPT_URL_NAMES = frozenset({"otp-setup", "otp-verify", "logout", "set_language", "healthz"})


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not services.enforced():
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = getattr(request, "resolver_match", None)
        if (match is not None and match.url_name in EXEMPT_URL_NAMES) or request.path.startswith(settings.STATIC_URL):
            return None
        if services.is_verified(user) or not services.needs_second_factor(user):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Two-factor verification required: complete it on the sign-in page.")}, status=403)
        target = "otp-verify" if services.has_confirmed_totp(user) else "otp-setup"
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)  # htmx follows redirects inside the XHR: ask for a page load
            response["HX-Redirect"] = url
            return response
        return redirect(url)
