"""The two-factor pages: enrol an authenticator app (setup) and enter a code after the password
(verify). Both need a signed-in user; the gate that sends people here is
:class:`dangjian.accounts.middleware.TwoFactorMiddleware`."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dangjian.core.web import authenticated, scoped

from . import selectors, services
from .forms import SetupCodeForm, VerifyCodeForm

OTP_PREFIX = "/accounts/2fa/"


def _next_url(request) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and not nxt.startswith(OTP_PREFIX) and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return reverse("home")


def _with_next(name: str, nxt: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': nxt})}"


def _refusal(outcome) -> str:
    if outcome.locked_until is not None:
        when = formats.time_format(timezone.localtime(outcome.locked_until), "H:i:s")
        return _("Too many wrong codes. Wait until %(time)s, then enter a new code.") % {"time": when}
    return _("That code is not valid. Check the time on your phone and enter the current code.")


@authenticated
@never_cache
def otp_setup(request):
    """Show a new TOTP secret (text and QR code); a current code confirms it, then the recovery
    codes are shown once."""
    user = request.user
    nxt = _next_url(request)
    if services.has_confirmed_totp(user):
        if services.is_verified(user):
            messages.info(request, _("Two-factor sign-in is already set up for your account."))
            return redirect(nxt)
        # A password alone must not enrol a second device next to the confirmed one.
        return redirect(_with_next("otp-verify", nxt))
    device = services.pending_totp(user)
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.confirm_totp(request, device, form.cleaned_data["code"])
        if outcome.ok:
            return render(request, "accounts/otp_recovery_codes.html", {"codes": outcome.recovery_codes, "next": nxt})
        form.add_error("code", _refusal(outcome))
    ctx = {"form": form, "secret": services.secret_text(device), "qr": services.qr_data_uri(device), "next": nxt,
           "required": services.requires_otp(user)}
    return render(request, "accounts/otp_setup.html", ctx)


@authenticated
@never_cache
def otp_verify(request):
    """Ask for the current TOTP code (or a recovery code) after the password."""
    user = request.user
    nxt = _next_url(request)
    if services.is_verified(user):
        return redirect(nxt)
    if not services.has_confirmed_totp(user):
        return redirect(_with_next("otp-setup", nxt))
    form = VerifyCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.verify(request, form.cleaned_data["code"])
        if outcome.ok:
            if outcome.method == "recovery":
                left = services.remaining_recovery_codes(user)
                messages.warning(request, _("You signed in with a recovery code; %(n)d left. Each code works once.") % {"n": left})
            return redirect(nxt)
        form.add_error("code", _refusal(outcome))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": nxt})


# -- API tokens (dangjian.accounts.tokens) ------------------------------------------------------

def _revoke_posted(request, scope, tokens_qs) -> None:
    from django.core.exceptions import ValidationError

    from . import tokens

    raw = request.POST.get("revoke", "")
    token = selectors.token_in(tokens_qs, int(raw)) if raw.isdigit() else None
    if token is None:
        messages.error(request, _("No such token."))
        return
    try:
        tokens.revoke_token(actor=request.user, token=token, scope=scope)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Token revoked: it no longer works."))


@authenticated
@never_cache
def api_tokens(request):
    """The signed-in user's API tokens: when issued, until when, with or without a second factor;
    each can be revoked here."""
    from dangjian.core.policy import scope_of

    from . import tokens

    scope = scope_of(request)
    if request.method == "POST":
        _revoke_posted(request, scope, tokens.own_tokens(request.user))
        return redirect("api-tokens")
    ctx = {"tokens": tokens.own_tokens(request.user), "now": timezone.now(), "can_manage": scope.has_any("api_token", "manage")}
    return render(request, "accounts/api_tokens.html", ctx)


@scoped("api_token", "manage")
@never_cache
def api_tokens_manage(request, scope):
    """The security admin's list of live API tokens of the users holding roles in their subtree;
    any can be revoked (audited)."""
    from . import tokens

    if request.method == "POST":
        _revoke_posted(request, scope, tokens.managed_tokens(scope))
        return redirect("api-tokens-manage")
    return render(request, "accounts/api_tokens.html", {"tokens": tokens.managed_tokens(scope), "now": timezone.now(), "managed": True})
