"""The inbox pages: a user only ever sees and changes their own messages (404 for others')."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.messages import safe_link
from dangjian.core.web import authenticated

from . import selectors, services
from .forms import PreferenceForm
from .models import ALL_KINDS, InboxMessage

PAGE_SIZE = 20


def _inbox_context(request):
    show = request.GET.get("show", "all")
    if show != "unread":
        show = "all"
    kind = request.GET.get("kind", "")[:64]
    kinds = selectors.inbox_kinds(request.user)
    qs = selectors.inbox_messages(request.user, unread_only=show == "unread", kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "show": show, "kind": kind, "kinds": kinds, "unread": services.unread_count(request.user)}


@authenticated
def inbox(request):
    ctx = _inbox_context(request)
    if request.headers.get("HX-Request"):
        return render(request, "notify/_list.html", ctx)
    return render(request, "notify/inbox.html", ctx)


def _message_id(request) -> int:
    raw = request.POST.get("id", "")
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    return int(raw)


@authenticated
def mark_read(request):
    """POST ``id``: mark one of my messages read. With ``open=1`` go on to the message's page.
    A GET (nothing to change) returns to the inbox."""
    if request.method != "POST":
        return redirect("inbox")
    try:
        msg = services.mark_read(actor=request.user, message_id=_message_id(request))
    except InboxMessage.DoesNotExist:
        raise Http404 from None
    if request.POST.get("open") and msg.link and safe_link(msg.link):
        return redirect(msg.link)
    if request.headers.get("HX-Request"):
        return render(request, "notify/_list.html", {**_inbox_context(request), "oob_badge": True})
    return redirect(request.POST.get("next") if safe_link(request.POST.get("next", "")) else reverse("inbox"))


@authenticated
def mark_all_read(request):
    if request.method != "POST":
        return redirect("inbox")
    services.mark_all_read(actor=request.user, kind=request.POST.get("kind", "")[:64])
    if request.headers.get("HX-Request"):
        return render(request, "notify/_list.html", {**_inbox_context(request), "oob_badge": True})
    return redirect("inbox")


@authenticated
def unread_badge(request):
    """The header badge alone (htmx can poll it)."""
    n = services.unread_count(request.user)
    return HttpResponse(str(n) if n else "", content_type="text/plain; charset=utf-8")


@authenticated
def preferences(request):
    row = selectors.preference_row(request.user, ALL_KINDS)
    form = PreferenceForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        services.save_preferences(actor=request.user, kind=ALL_KINDS, **{f: form.cleaned_data[f] for f in PreferenceForm.Meta.fields})
        from django.contrib import messages

        messages.success(request, _("Notification settings saved."))
        return redirect("inbox-preferences")
    return render(request, "notify/preferences.html", {"form": form})
