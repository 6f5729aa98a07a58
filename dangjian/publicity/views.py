"""Staff pages of publicity: board management, editor, approval, withdrawal, honour roll."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.forms import apply_service_errors
from dangjian.core.models import Organization
from dangjian.core.web import scoped

from . import selectors, services
from .forms import HonourForm, NoticeForm, ReasonForm
from .models import Board, HonourEntry, HonourKind, Notice, NoticeAttachment, NoticeStatus, VersionState
from .public_views import _file_response

STATUS_TABS = ("draft", "pending", "revision", "published", "withdrawn")


def _status_label(key: str) -> str:
    if key == "revision":
        return _("Revisions of published notices")
    return NoticeStatus(key).label


@scoped("publicity", "view")
def home(request, scope):
    """Where a user starts: the organizations whose boards they manage, and the approval queue."""
    orgs = Paginator(selectors.staff_orgs(scope), 50).get_page(request.GET.get("page"))
    queue = list(selectors.approval_queue(scope)[:50])
    return render(request, "publicity/home.html", {"page": orgs, "queue": queue})


@scoped("publicity", "view", model=Organization)
def org_board(request, org, scope):
    status = request.GET.get("status") or ""
    if status not in STATUS_TABS:
        status = ""
    board = request.GET.get("board") or ""
    if board not in Board.values:
        board = ""
    counts = selectors.status_counts(scope, org)
    tabs = [(s, _status_label(s), counts.get(s, 0)) for s in STATUS_TABS]
    page = Paginator(selectors.staff_notices(scope, org, status=status, board=board), 25).get_page(request.GET.get("page"))
    return render(request, "publicity/org_board.html", {
        "org": org, "page": page, "tabs": tabs, "status": status, "board": board, "boards": Board.choices,
        "can_draft": scope.path_allows("publicity", "draft", org.path),
    })


def _intent_after_save(request, notice, scope):
    intent = request.POST.get("intent", "save")
    if intent == "publish" and scope.can("approve", notice):
        services.approve_notice(actor=request.user, notice=notice)
        return _("The notice is published.")
    if intent in ("submit", "publish"):
        services.submit_notice(actor=request.user, notice=notice)
        return _("The notice is submitted for approval.")
    return _("The draft is saved.")


@scoped("publicity", "draft", model=Organization)
def notice_create(request, org, scope):
    form = NoticeForm(request.POST or None, request.FILES or None, initial={"board": request.GET.get("board") or "party"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice = services.create_notice(org=org, board=d["board"], title=d["title"], body=d["body"],
                                            actor=request.user, attachments=d["attachments"],
                                            public_phones=d.get("public_phones", False))
            msg = _intent_after_save(request, notice, scope)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, msg)
            return redirect("publicity-notice", pk=notice.pk)
    return render(request, "publicity/editor.html", {
        "form": form, "org": org, "notice": None, "can_approve": scope.path_allows("publicity", "approve", org.path),
    })


@scoped("publicity", "view", model=Notice)
def notice_detail(request, notice, scope):
    versions = list(selectors.notice_versions(notice))
    return render(request, "publicity/notice.html", {
        "notice": notice, "versions": versions,
        "can_draft": scope.can("draft", notice) and notice.status != NoticeStatus.WITHDRAWN,
        "can_approve": scope.can("approve", notice),
        "pending": notice.latest and notice.latest.state in (VersionState.DRAFT, VersionState.PENDING),
        "submittable": notice.latest and notice.latest.state in (VersionState.DRAFT, VersionState.REJECTED) and notice.status != NoticeStatus.WITHDRAWN,
        "approvable": notice.latest and notice.latest.state != VersionState.APPROVED and notice.status != NoticeStatus.WITHDRAWN,
        "rejectable": notice.latest and notice.latest.state == VersionState.PENDING,
    })


@scoped("publicity", "draft", model=Notice)
def notice_edit(request, notice, scope):
    if notice.status == NoticeStatus.WITHDRAWN:
        messages.error(request, _("A withdrawn notice cannot be edited."))
        return redirect("publicity-notice", pk=notice.pk)
    working = notice.latest
    existing = list(working.attachments.all()) if working else []
    initial = {"title": working.title, "body": working.body, "public_phones": working.public_phones} if working else {}
    form = NoticeForm(request.POST or None, request.FILES or None, initial=initial, existing=existing, fixed_board=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.edit_notice(actor=request.user, notice=notice, title=d["title"], body=d["body"],
                                 attachments=d["attachments"], remove_attachments=[int(x) for x in d.get("remove") or ()],
                                 public_phones=d.get("public_phones", False))
            notice = selectors.reload_notice(notice.pk)
            msg = _intent_after_save(request, notice, scope)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, msg)
            return redirect("publicity-notice", pk=notice.pk)
    return render(request, "publicity/editor.html", {
        "form": form, "org": notice.org, "notice": notice, "can_approve": scope.can("approve", notice),
        "revising": notice.status == NoticeStatus.PUBLISHED,
    })


def _post_action(request, notice, call, ok_message):
    try:
        call()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise
    else:
        messages.success(request, ok_message)
    return redirect("publicity-notice", pk=notice.pk)


@require_POST
@scoped("publicity", "draft", model=Notice)
def notice_submit(request, notice, scope):
    return _post_action(request, notice, lambda: services.submit_notice(actor=request.user, notice=notice),
                        _("The notice is submitted for approval."))


@require_POST
@scoped("publicity", "approve", model=Notice)
def notice_approve(request, notice, scope):
    return _post_action(request, notice, lambda: services.approve_notice(actor=request.user, notice=notice),
                        _("Approved: the public board now shows this version."))


def _reason_page(request, notice, call, *, title, ok_message, danger=False):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, ok_message)
            return redirect("publicity-notice", pk=notice.pk)
    return render(request, "publicity/reason.html", {"form": form, "notice": notice, "title": title, "danger": danger})


@scoped("publicity", "approve", model=Notice)
def notice_reject(request, notice, scope):
    return _reason_page(request, notice, lambda r: services.reject_notice(actor=request.user, notice=notice, reason=r),
                        title=_("Return to the author"), ok_message=_("The version is returned to its author."))


@scoped("publicity", "approve", model=Notice)
def notice_withdraw(request, notice, scope):
    return _reason_page(request, notice, lambda r: services.withdraw_notice(actor=request.user, notice=notice, reason=r),
                        title=_("Withdraw the notice"), ok_message=_("The notice is withdrawn from the public board."), danger=True)


@scoped("publicity", "view", model=NoticeAttachment)
def attachment(request, att, scope):
    return _file_response(att)


# ---- honour roll ------------------------------------------------------------------------------

@scoped("honour", "view")
def honour_list(request, scope):
    years = selectors.staff_honour_years(scope)
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year - 1))
    except ValueError:
        year = timezone.localdate().year - 1
    entries = selectors.staff_honour_entries(scope, year)
    selectable = selectors.honour_selectable_orgs(scope)
    return render(request, "publicity/honours.html", {
        "year": year, "years": years, "entries": entries, "selectable": selectable,
        "can_withdraw": {e.pk for e in entries if scope.path_allows("honour", "select", e.org_path) and e.active},
    })


@scoped("honour", "select", model=Organization)
def honour_select(request, org, scope):
    members = selectors.honour_member_choices(org)
    form = HonourForm(request.POST or None, members=members, initial={"kind": HonourKind.BRANCH})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = None
        if d["kind"] == HonourKind.MEMBER and d.get("member"):
            member = selectors.honour_member(org, d["member"])
        try:
            services.select_honour(actor=request.user, year=d["year"], kind=d["kind"], org=org, member=member,
                                   citation=d["citation"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("Added to the honour roll of %(year)s.") % {"year": d["year"]})
            return redirect(reverse("publicity-honours") + f"?year={d['year']}")
    return render(request, "publicity/honour_form.html", {"form": form, "org": org})


@scoped("honour", "select", model=HonourEntry)
def honour_withdraw(request, entry, scope):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_honour(actor=request.user, entry=entry, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The entry is taken off the honour roll."))
            return redirect(reverse("publicity-honours") + f"?year={entry.year}")
    return render(request, "publicity/reason.html", {"form": form, "entry": entry, "title": _("Withdraw from the honour roll"), "danger": True})
