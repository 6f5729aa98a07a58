"""Minutes pages: thin views over minutes.selectors and minutes.services."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import uploads
from dangjian.core.pdf import pdf_response, render_pdf
from dangjian.core.web import form_view, scoped
from dangjian.orglife.api import Meeting, MeetingStatus

from . import selectors, services
from .forms import CorrectionForm, RecordForm, UploadForm, VoteForm
from .models import Attachment, MeetingRecord, RecordStatus, Vote


def _orglife_url(name: str, pk: int) -> str | None:
    """A link into org life's pages, if that page exists (the apps are built side by side)."""
    from django.urls import NoReverseMatch

    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return None


def _record_url(record) -> str:
    return reverse("minutes-record", kwargs={"pk": record.pk})


def _error_text(exc) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not do this.")


@scoped("meeting", "view")
def record_list(request, scope):
    from django.core.paginator import Paginator

    org = None
    value = request.GET.get("org")
    if value:
        if not str(value).isdigit():
            raise Http404
        org = selectors.list_org(scope, int(value))
    page = Paginator(selectors.record_list(scope, org), 50).get_page(request.GET.get("page"))
    return render(request, "minutes/list.html", {"rows": page.object_list, "page": page, "org": org,
                                                 "can_verify": scope.has_any("meeting", "print")})


@scoped("meeting", "view", model=Meeting)
def meeting_minutes(request, meeting, scope):
    """The minutes of one meeting: its newest record version this user may read, or a page to
    start one (a member without a published record sees "no record yet")."""
    latest = selectors.latest_readable_version(scope, meeting)
    if latest is not None:
        return redirect(_record_url(latest))
    return render(request, "minutes/start.html", {
        "meeting": meeting, "can_record": scope.can("record", meeting) and meeting.status != MeetingStatus.CANCELLED,
        "meeting_url": _orglife_url("orglife-meeting-detail", meeting.pk),
    })


@require_POST
@scoped("meeting", "record", model=Meeting)
def start(request, meeting, scope):
    try:
        record = services.start_record(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(reverse("minutes-meeting", kwargs={"pk": meeting.pk}))
    return redirect(reverse("minutes-edit", kwargs={"pk": record.pk}))


def _require_readable(scope, obj) -> None:
    """404 (like an invisible record) unless this user may read the record (issue 10 item 7:
    drafts, 支委会 records and their attachments are not a plain member's to read)."""
    if not selectors.can_read(scope, obj):
        raise Http404


def _record_context(record, scope, user):
    uid = getattr(user, "pk", None)
    can_sign = (
        record.status == RecordStatus.DRAFT and scope.can("sign_off", record)
        and ((record.host_id and record.host.user_id == uid and not record.host_signed_at)
             or (record.recorder_id and record.recorder.user_id == uid and not record.recorder_signed_at))
    )
    return {
        "r": record,
        "meeting": record.meeting,
        "meeting_url": _orglife_url("orglife-meeting-detail", record.meeting_id),
        "votes": list(record.votes.all()),
        "attachments": list(record.attachments.all()),
        "absentees": selectors.absentees_for(scope, record),
        "versions": list(selectors.versions(record, scope)),
        "missing": services.missing_for_closing(record) if record.status == RecordStatus.DRAFT else [],
        "warnings": services.warnings_for(record),
        "can": {
            "record": record.status == RecordStatus.DRAFT and scope.can("record", record),
            "sign": can_sign,
            "correct": record.status == RecordStatus.SIGNED and not record.superseded
            and not selectors.has_correction(record) and scope.can("record", record),
            "print": scope.can("print", record),
            "voting": record.meeting.type.voting,
        },
    }


@scoped("meeting", "view", model=MeetingRecord)
def record_detail(request, record, scope):
    _require_readable(scope, record)
    return render(request, "minutes/detail.html", _record_context(record, scope, request.user))


@scoped("meeting", "record", model=MeetingRecord)
def record_edit(request, record, scope):
    if record.status != RecordStatus.DRAFT:
        messages.error(request, _("This record is signed off and read-only; make a correction (a new version) instead."))
        return redirect(_record_url(record))
    if request.method != "POST":  # show the current attendance
        record.absentees = services.attendance_snapshot(record.meeting, record.absentees)["absentees"]
    initial = {f: getattr(record, f) for f in services.EDITABLE_FIELDS}
    form = RecordForm(request.POST or None, initial=initial, members=services.signer_choices(record.meeting),
                      absentees=record.absentees)

    def perform(cd):
        return services.update_record(actor=request.user, record=record, data=form.record_data(),
                                      absentee_reasons=form.absentee_reasons())

    return form_view(request, form, perform=perform,
                     done=lambda r: (_("The record was saved."), _record_url(r)),
                     template="minutes/edit.html", context={
                         "r": record, "title": _("Edit the meeting record"),
                         "attendance_url": _orglife_url("orglife-meeting-detail", record.meeting_id)})


@scoped("meeting", "record", model=MeetingRecord)
def vote_add(request, record, scope):
    if record.status != RecordStatus.DRAFT or not record.meeting.type.voting:
        messages.error(request, _("Votes can be added only to a draft record of a meeting that takes votes."))
        return redirect(_record_url(record))
    form = VoteForm(request.POST or None, initial=services.vote_defaults(record.meeting))
    return form_view(request, form,
                     perform=lambda cd: services.add_vote(actor=request.user, record=record, data=cd),
                     done=lambda v: (_("The vote was recorded: %(result)s.") % {"result": _("passed") if v.passed else _("not passed")}, _record_url(record)),
                     template="minutes/form.html",
                     context={"r": record, "title": _("Record a vote"), "testid": "vote-form"})


@require_POST
@scoped("meeting", "record", model=Vote)
def vote_delete(request, vote, scope):
    try:
        services.delete_vote(actor=request.user, vote=vote)
        messages.success(request, _("The vote was removed."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect(_record_url(vote.record))


@scoped("meeting", "record", model=MeetingRecord)
def upload(request, record, scope):
    if record.status != RecordStatus.DRAFT:
        messages.error(request, _("This record is signed off and read-only; make a correction (a new version) instead."))
        return redirect(_record_url(record))
    form = UploadForm(request.POST or None, request.FILES or None)
    return form_view(request, form,
                     perform=lambda cd: services.add_attachment(actor=request.user, record=record, upload=cd["file"],
                                                                kind=cd["kind"], title=cd["title"]),
                     done=lambda a: (_("The file was attached."), _record_url(record)),
                     template="minutes/form.html",
                     context={"r": record, "title": _("Attach a photo or file"), "multipart": True, "testid": "upload-form"})


@scoped("meeting", "view", model=Attachment)
def attachment_file(request, att, scope):
    """Serve a private file through the scope (never a direct media URL), only of a record this
    user may read."""
    _require_readable(scope, att)
    try:
        fh = att.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    # A server-made name from the record and the extension validated at upload (the stored file's),
    # never the uploader's name (issue 10 item 11: "签到表.html"); only re-encoded images inline.
    ext = att.file.name.rsplit(".", 1)[-1].lower() if "." in att.file.name else "bin"
    resp = FileResponse(fh, content_type=att.content_type)
    uploads.download_headers(resp, filename=f"minutes-{att.record_id}-{att.pk}.{ext}", inline=att.is_image)
    resp["Cache-Control"] = "private, no-store"
    return resp


@require_POST
@scoped("meeting", "record", model=Attachment)
def attachment_delete(request, att, scope):
    try:
        services.delete_attachment(actor=request.user, attachment=att)
        messages.success(request, _("The attachment was removed."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect(_record_url(att.record))


@require_POST
@scoped("meeting", "sign_off", model=MeetingRecord)
def sign(request, record, scope):
    try:
        record = services.sign(actor=request.user, record=record)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        if record.status == RecordStatus.SIGNED:
            messages.success(request, _("Both signatures are in: the record is closed and read-only, and the meeting counts as held."))
        else:
            messages.success(request, _("Your signature was recorded; the record waits for the other signature."))
    return redirect(_record_url(record))


@scoped("meeting", "record", model=MeetingRecord)
def correct(request, record, scope):
    if record.status != RecordStatus.SIGNED:
        messages.error(request, _("Only a signed-off record is corrected by a new version; edit the draft instead."))
        return redirect(_record_url(record))
    form = CorrectionForm(request.POST or None)
    return form_view(request, form,
                     perform=lambda cd: services.correct(actor=request.user, record=record, reason=cd["reason"]),
                     done=lambda new: (_("Version %(v)s was opened as a draft; host and recorder sign it again.") % {"v": new.version},
                                       reverse("minutes-edit", kwargs={"pk": new.pk})),
                     template="minutes/form.html",
                     context={"r": record, "title": _("Correct the record (new version)"), "testid": "correct-form"})


def _print_context(record):
    return {
        "r": record, "meeting": record.meeting, "votes": list(record.votes.all()),
        "attachments": list(record.attachments.all()), "absentees": list(record.absentees), "printed_at": timezone.now(),
        "org_name": record.org.name,
    }


@scoped("meeting", "print", model=MeetingRecord)
def record_print(request, record, scope):
    _require_readable(scope, record)
    return render(request, "minutes/print.html", _print_context(record))


@scoped("meeting", "print", model=MeetingRecord)
def record_pdf(request, record, scope):
    _require_readable(scope, record)
    ctx = _print_context(record)
    ctx["photos"] = selectors.pdf_photos(ctx["attachments"])
    data = render_pdf("minutes/record_pdf.html", ctx, request=request)
    return pdf_response(data, f"{record.meeting_name or 'minutes'}-v{record.version}.pdf")


@scoped("meeting", "print")
def verify(request, scope):
    """Check the hash chain of an organization's signed records (staff)."""
    orgs = selectors.verify_orgs(scope)
    org, result = None, None
    value = request.GET.get("org")
    if value:
        if not str(value).isdigit():
            raise Http404
        org = selectors.verify_org(scope, int(value))
        result = services.verify_chain(org, actor=request.user)
    return render(request, "minutes/verify.html", {"orgs": orgs[:500], "org": org, "result": result})
