"""Org-life pages: thin views over orglife.selectors and orglife.services.

Every view declares its POLICY row through ``core.web`` (the authz matrix reads it). The one
exception is the QR sign-in link ``/orglife/s/<token>/``: declared ``public`` because the token
itself names the meeting (the matrix cannot forge a current token); the view still requires a
signed-in user and the service admits only members invited to that meeting.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.core import config
from dangjian.core.errors import first_code
from dangjian.core.web import authenticated, form_view, public, scoped

from . import selectors, services, tokens
from .forms import DeviceForm, ExemptionForm, MakeupForm, MeetingForm, MeetingTypeCreateForm, MeetingTypeForm, ReasonForm
from .models import (
    PRESENT_STATUSES,
    Attendance,
    AttendanceStatus,
    Exemption,
    Meeting,
    MeetingStatus,
    MeetingType,
    SigninDevice,
)
from .selectors import attendance_summary

PAGE_SIZE = 20


def _errors(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _detail_url(meeting) -> str:
    return reverse("orglife-meeting-detail", kwargs={"pk": meeting.pk})


def _int(value):
    return int(value) if value and str(value).isdigit() and len(str(value)) < 18 else None


# -- meeting types ----------------------------------------------------------------------------

@scoped("meeting_type", "view")
def type_list(request, scope):
    """Built-in types and the custom types that apply to the user's organizations."""
    types = selectors.meeting_types_listed(scope)
    return render(request, "orglife/types.html", {
        "types": types, "can_configure": scope.has_any("meeting_type", "configure"),
        "editable": {t.pk for t in types if t.owner_id and scope.can("configure", t)},
    })


def _type_data(cd) -> dict:
    return {k: v for k, v in cd.items() if k != "owner"}


@scoped("meeting_type", "configure")
def type_add(request, scope):
    owners = selectors.type_owner_choices(scope)
    form = MeetingTypeCreateForm(request.POST or None, owners=owners)
    return form_view(
        request, form,
        perform=lambda cd: services.create_meeting_type(actor=request.user, owner=cd["owner"], data=_type_data(cd)),
        done=lambda t: (_("Added the meeting type %(n)s.") % {"n": t.name}, reverse("orglife-types")),
        template="form_page.html", context={"title": _("Add a meeting type"), "back": reverse("orglife-types")})


@scoped("meeting_type", "configure", model=MeetingType)
def type_edit(request, mtype, scope):
    initial = {f: getattr(mtype, f) for f in services.TYPE_FIELDS}
    form = MeetingTypeForm(request.POST or None, initial=initial)
    return form_view(
        request, form,
        perform=lambda cd: services.update_meeting_type(actor=request.user, meeting_type=mtype, data=cd),
        done=lambda t: (_("Saved."), reverse("orglife-types")),
        template="form_page.html", context={"title": _("Edit %(n)s") % {"n": mtype.name}, "back": reverse("orglife-types")})


# -- meetings ---------------------------------------------------------------------------------

@scoped("meeting", "view")
def meeting_list(request, scope):
    org = None
    org_id = _int(request.GET.get("org"))
    if org_id:
        org = selectors.viewable_org(scope, org_id)
        if org is None:
            raise Http404
    month = None
    raw_month = request.GET.get("month", "")
    try:
        month = dt.date.fromisoformat(f"{raw_month}-01") if raw_month else None
    except ValueError:
        month = None
    type_id = _int(request.GET.get("type"))
    qs = selectors.meetings_for(scope, org=org, type_id=type_id, month=month)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    types = selectors.meeting_types_used(scope, org=org)
    return render(request, "orglife/meeting_list.html", {
        "page": page, "org": org, "month": raw_month if month else "", "type_id": type_id, "types": types,
        "can_plan": selectors.can_plan_anywhere(scope), "can_types": scope.has_any("meeting_type", "view"),
        "can_exempt": scope.has_any("exemption", "view"), "can_devices": scope.has_any("signin_device", "view"),
    })


@scoped("meeting", "plan")
def meeting_plan(request, scope):
    orgs = selectors.plannable_orgs(scope)
    org_id = _int(request.GET.get("org"))
    org = selectors.plannable_org(scope, org_id)
    if org_id and org is None:
        raise Http404
    if org is None:
        return render(request, "orglife/pick_org.html", {
            "orgs": orgs, "title": _("Plan a meeting"),
            "empty": _("You do not plan meetings for any organization: meetings are planned by the branch secretary and "
                       "committee, or by an organization's own staff.")})
    type_id = (_int(request.GET.get("type")) or _int(request.GET.get("meeting_type"))
               or _int(request.POST.get("meeting_type")))
    mtype = selectors.meeting_type_for_org(org, type_id)
    initial = {"meeting_type": mtype, "invitees": list(selectors.default_invitees(org, mtype)),
               "host": selectors.member_in_position(org, "secretary"),
               "recorder": selectors.member_in_position(org, "organization")}
    form = MeetingForm(request.POST or None, org=org, initial=initial)
    if request.headers.get("HX-Request") and request.GET.get("part") == "invitees":
        return render(request, "orglife/_invitees.html", {"form": form})

    def perform(cd):
        return services.plan_meeting(
            actor=request.user, org=org, meeting_type=cd["meeting_type"], title=cd["title"], starts_at=cd["starts_at"],
            ends_at=cd["ends_at"], place=cd["place"], host=cd["host"], recorder=cd["recorder"], agenda=cd["agenda"],
            invitees=list(cd["invitees"]), lecturer=cd.get("lecturer"))

    return form_view(request, form, perform=perform,
                     done=lambda m: (_("Planned %(t)s; the invited members have been notified.") % {"t": m.title}, _detail_url(m)),
                     template="orglife/meeting_form.html",
                     context={"org": org, "title": _("Plan a meeting of %(org)s") % {"org": org.name}, "planning": True})


@scoped("meeting", "plan", model=Meeting)
def meeting_edit(request, meeting, scope):
    if meeting.status != MeetingStatus.PLANNED:
        messages.error(request, _("Only a planned meeting can be changed."))
        return redirect(_detail_url(meeting))
    initial = {
        "title": meeting.title, "starts_at": timezone.localtime(meeting.starts_at), "ends_at": timezone.localtime(meeting.ends_at),
        "place": meeting.place, "host": meeting.host, "recorder": meeting.recorder, "lecturer": meeting.lecturer,
        "agenda": meeting.agenda,
        "invitees": selectors.invited_members(meeting),
    }
    form = MeetingForm(request.POST or None, org=meeting.org, fixed_type=meeting.type, initial=initial)

    def perform(cd):
        return services.update_meeting(
            actor=request.user, meeting=meeting, title=cd["title"], starts_at=cd["starts_at"], ends_at=cd["ends_at"],
            place=cd["place"], host=cd["host"], recorder=cd["recorder"], agenda=cd["agenda"], invitees=list(cd["invitees"]),
            lecturer=cd.get("lecturer"))

    return form_view(request, form, perform=perform, done=lambda m: (_("Saved."), _detail_url(m)),
                     template="orglife/meeting_form.html",
                     context={"org": meeting.org, "meeting": meeting, "title": _("Edit %(t)s") % {"t": meeting.title}})


@scoped("meeting", "plan", model=Meeting)
def meeting_cancel(request, meeting, scope):
    if meeting.status != MeetingStatus.PLANNED:
        messages.error(request, _("Only a planned meeting can be cancelled."))
        return redirect(_detail_url(meeting))
    return form_view(request, ReasonForm(request.POST or None),
                     perform=lambda cd: services.cancel_meeting(actor=request.user, meeting=meeting, reason=cd["reason"]),
                     done=lambda m: (_("The meeting is cancelled; the invited members have been told."), _detail_url(m)),
                     template="form_page.html",
                     context={"title": _("Cancel %(t)s") % {"t": meeting.title}, "back": _detail_url(meeting), "danger": True,
                              "submit": _("Cancel the meeting")})


@scoped("meeting", "view", model=Meeting)
def meeting_detail(request, meeting, scope):
    manage = scope.can("manage", meeting)
    rows = selectors.attendance_rows(meeting)
    mine = selectors.own_attendance(meeting, request.user)
    return render(request, "orglife/meeting_detail.html", {
        "m": meeting, "summary": attendance_summary(meeting), "manage": manage, "can_plan": scope.can("plan", meeting),
        "rows": rows if manage else [], "mine": mine, "mine_can_leave": _can_ask_leave(mine),
        "leave_requests": selectors.leave_requests_of(meeting) if manage else [],
        "late_minutes": services.late_minutes(), "minutes_url": _minutes_url(meeting),
    })


def _minutes_url(meeting) -> str | None:
    """The minutes app's page of this meeting (会议记录), when that app is installed."""
    from django.urls import NoReverseMatch

    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.CANCELLED):
        return None
    try:
        return reverse("minutes-meeting", kwargs={"pk": meeting.pk})
    except NoReverseMatch:
        return None


def _can_ask_leave(att) -> bool:
    if att is None or att.status != AttendanceStatus.INVITED:
        return False
    m = att.meeting
    if m.status not in (MeetingStatus.PLANNED, MeetingStatus.OPEN) or timezone.now() >= m.starts_at:
        return False
    return not selectors.has_open_leave(att)


@require_POST
@scoped("meeting", "manage", model=Meeting)
def meeting_open(request, meeting, scope):
    try:
        services.open_signin(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(_detail_url(meeting))
    messages.success(request, _("Sign-in is open. Show the QR code at the venue."))
    return redirect("orglife-venue", pk=meeting.pk)


@require_POST
@scoped("meeting", "manage", model=Meeting)
def meeting_close(request, meeting, scope):
    try:
        s = services.close_meeting(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The meeting has ended: %(p)s of %(s)s present; the others are recorded as absent.")
                         % {"p": s["present"], "s": s["should"]})
    return redirect(_detail_url(meeting))


# -- venue QR and roll call -------------------------------------------------------------------

def _qr_context(request, meeting):
    ctx = {"m": meeting, "summary": attendance_summary(meeting),
           "signed": selectors.signed_in_rows(meeting)}
    if meeting.status == MeetingStatus.OPEN:
        import qrcode
        import qrcode.image.svg

        token = tokens.make_token(meeting)
        link = request.build_absolute_uri(reverse("orglife-qr-signin", kwargs={"token": token}))
        img = qrcode.make(link, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
        svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg width="100%" height="100%" role="presentation"',
                     img.to_string(encoding="unicode"), count=1)  # scale to the box (it has a viewBox)
        ctx.update({"link": link, "svg": svg, "seconds_left": tokens.seconds_left()})
    return ctx


@never_cache
@scoped("meeting", "manage", model=Meeting)
def venue(request, meeting, scope):
    return render(request, "orglife/venue.html", _qr_context(request, meeting))


@never_cache
@scoped("meeting", "manage", model=Meeting)
def venue_qr(request, meeting, scope):
    """The live part of the venue page (QR code, counts, names), fetched every 10 s by venue.js."""
    return render(request, "orglife/_venue_live.html", _qr_context(request, meeting))


@scoped("meeting", "manage", model=Meeting)
def roll_call(request, meeting, scope):
    if request.method == "POST":
        att = selectors.attendance_of_meeting(meeting, _int(request.POST.get("attendance")))
        error = None
        if att is None:
            error = _("Choose a member of this meeting.")
        else:
            try:
                att = services.roll_call(actor=request.user, meeting=meeting, attendance=att, status=request.POST.get("status", ""))
            except ValidationError as exc:
                error = _errors(exc)
        if request.headers.get("HX-Request") and att is not None:
            resp = render(request, "orglife/_roll_row.html", {"a": att, "m": meeting, "error": error, "open": meeting.status == MeetingStatus.OPEN})
            return resp
        if error:
            messages.error(request, error)
        return redirect("orglife-roll-call", pk=meeting.pk)
    rows = selectors.attendance_rows(meeting)
    return render(request, "orglife/roll_call.html", {"m": meeting, "rows": rows, "summary": attendance_summary(meeting),
                                                       "open": meeting.status == MeetingStatus.OPEN})


# -- leave ------------------------------------------------------------------------------------

@scoped("attendance", "ask_leave", model=Attendance)
def leave_request(request, att, scope):
    meeting = att.meeting
    back = reverse("orglife-my-meetings")
    return form_view(request, ReasonForm(request.POST or None),
                     perform=lambda cd: services.request_leave(actor=request.user, attendance=att, reason=cd["reason"]),
                     done=lambda r: (_("Your leave request has been sent to the branch secretary."), back),
                     template="form_page.html",
                     context={"title": _("Ask for leave from %(t)s") % {"t": meeting.title}, "back": back,
                              "intro": _("%(org)s · %(when)s · %(place)s") % {
                                  "org": meeting.org.name, "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                                  "place": meeting.place},
                              "submit": _("Send the request")})


@require_POST
@scoped("meeting", "manage", model=Meeting)
def leave_decide(request, meeting, scope):
    req = selectors.leave_request_of_meeting(meeting, _int(request.POST.get("leave")))
    decision = request.POST.get("decision")
    if req is None or decision not in ("approve", "reject"):
        messages.error(request, _("Choose a leave request and a decision."))
        return redirect(_detail_url(meeting))
    try:
        services.decide_leave(actor=request.user, leave=req, approve=decision == "approve",
                              note=request.POST.get("note", "").replace("\x00", ""))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Leave approved for %(n)s.") % {"n": req.member.name} if decision == "approve"
                         else _("Leave rejected for %(n)s.") % {"n": req.member.name})
    return redirect(_detail_url(meeting))


# -- QR sign-in (the member's phone) ----------------------------------------------------------

CONFIRM_SALT = "dangjian.orglife.signin-confirm"
CONFIRM_MAX_AGE = 120


def _refuse(request, code: str, status: int, meeting=None, att=None):
    texts = {
        "malformed": _("This sign-in code is not valid. Scan the QR code shown at the venue again."),
        "forged": _("This sign-in code is not valid. Scan the QR code shown at the venue again."),
        "expired": _("This sign-in code has expired: the code at the venue changes every 30 seconds. Scan it again."),
        "not_invited": _("You are not invited to this meeting, so you cannot sign in to it."),
        "not_member": _("Your account is not linked to a Party member record, so you cannot sign in."),
        "planned": _("Sign-in has not started yet: wait until the secretary opens it."),
        "closed": _("The meeting has ended: sign-in is closed."),
        "cancelled": _("This meeting was cancelled."),
        "other_session": _("This sign-in link was opened on another phone or browser than the one that scanned the code. "
                           "Scan the QR code shown at the venue yourself."),
    }
    return _result(request, {"ok": False, "code": code, "message": texts[code], "m": meeting}, status=status)


def _result(request, ctx: dict, status: int = 200) -> HttpResponse:
    """The phone's result page, rendered without the request context: no navigation, no
    per-user context queries (it is the page of the sign-in storm)."""
    return HttpResponse(render_to_string("orglife/signin_result.html", ctx), status=status)


GRACE_SALT = "dangjian.orglife.signin-login"
LOGIN_GRACE_SECONDS = 60
GRACE_SESSION_KEY = "orglife_qr_grace"
GRACE_MAX_PENDING = 5


def _grace_seconds() -> int:
    return int(config.value("QR_LOGIN_GRACE_SECONDS", LOGIN_GRACE_SECONDS))


def _login_first(request, meeting, token):
    """Send a signed-out phone to the login page and back. A code that is valid now gets a
    signed 1-minute grace in the return address (``?g=``), so typing a password does not make it
    expire; an invalid or expired code comes back as it is and is refused after the login.

    The grace is bound to the browser that scanned (issue 10 item 6: "a relayed link still signs
    in someone absent"): a random nonce is kept in this anonymous session — which survives the
    login (Django cycles the key, keeps the data) — and signed into ``g``; after the login the
    nonce must match, so the same ``g`` opened in another browser or session is refused
    (``other_session``)."""
    nxt = request.path
    if meeting is not None:
        try:
            tokens.verify(meeting, token)
        except tokens.TokenError:
            pass
        else:
            nonce = secrets.token_urlsafe(16)
            pending = dict(request.session.get(GRACE_SESSION_KEY) or {})
            pending[str(meeting.pk)] = nonce
            request.session[GRACE_SESSION_KEY] = dict(list(pending.items())[-GRACE_MAX_PENDING:])
            nxt = f"{request.path}?g={signing.dumps({'m': meeting.pk, 't': token, 'n': nonce}, salt=GRACE_SALT)}"
    return redirect_to_login(nxt)


def _grace(request, meeting, token) -> str:
    """Return "ok" for a grace of this code signed less than a minute ago for this very session,
    "other_session" for a grace valid in itself but carried to another browser or session,
    "" when there is none (or it expired, or it names another code): the code must then be valid
    on its own."""
    raw = request.GET.get("g")
    if not raw:
        return ""
    try:
        data = signing.loads(raw, salt=GRACE_SALT, max_age=_grace_seconds())
    except signing.BadSignature:
        return ""
    if not isinstance(data, dict) or data.get("m") != meeting.pk or data.get("t") != token:
        return ""
    expected = (request.session.get(GRACE_SESSION_KEY) or {}).get(str(meeting.pk))
    if not expected or not isinstance(data.get("n"), str) or not constant_time_compare(expected, data["n"]):
        return "other_session"
    return "ok"


def _closed_code(meeting) -> str:
    if meeting.status == MeetingStatus.PLANNED:
        return "planned"
    if meeting.status == MeetingStatus.CANCELLED:
        return "cancelled"
    return "closed"


#: The phone's refusal page (``_refuse`` code, HTTP status) for each code ``services.sign_in``
#: refuses with; any other code is answered as a closed meeting.
SIGNIN_REFUSALS = {
    "not_invited": ("not_invited", 403),
    "not_yet_open": ("planned", 409),
    "cancelled": ("cancelled", 409),
    "ended": ("closed", 409),
}


def _confirmed(request, meeting_id: int, token: str) -> bool:
    """The POST carries the confirm page's signature for this user, meeting and code (2 minutes)."""
    try:
        data = signing.loads(request.POST.get("c", ""), salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return False
    return data == {"m": meeting_id, "u": request.user.pk, "t": token}


@public
@never_cache
def qr_signin(request, token):
    """GET: check the code and show a big confirm button; POST: sign in (idempotent).

    A code is accepted for its 30-second window and the next; the confirm form carries a
    2-minute signature bound to this user and meeting, so a slow tap is not refused; a phone that
    must log in first gets 1 minute for it, in the same browser session only (``_login_first``)."""
    try:
        meeting_id, _w, _s = tokens.parse(token)
    except tokens.TokenError:
        meeting_id = None
    if (request.method == "POST" and meeting_id and request.user.is_authenticated and "g" not in request.GET
            and _confirmed(request, meeting_id, token)):
        # the tap on the confirm button (the sign-in storm): one statement signs in; the full path
        # below only runs to name a refusal
        done = services.sign_in_confirmed(actor=request.user, meeting_id=meeting_id, method="qr")
        if done is not None:
            att, created = done
            return _result(request, {"ok": True, "already": not created, "m": att.meeting, "a": att})
    meeting = member = att = None
    if meeting_id and request.user.is_authenticated:
        # The sign-in storm's page: meeting, member and invitation in one query; the separate
        # lookups below only name a refusal (selectors.signin_invitation says why it is shaped so).
        att = selectors.signin_invitation(request.user, meeting_id)
        if att is not None:
            meeting, member = att.meeting, att.member
    if meeting is None and meeting_id:
        meeting = selectors.signin_meeting(meeting_id)
    if not request.user.is_authenticated:
        return _login_first(request, meeting, token)
    if meeting_id is None:
        return _refuse(request, "malformed", 400)
    if meeting is None:
        return _refuse(request, "forged", 400)
    grace = _grace(request, meeting, token)
    if grace == "other_session":
        return _refuse(request, "other_session", 403, meeting)
    confirmed = grace == "ok"
    if request.method == "POST" and not confirmed:
        confirmed = _confirmed(request, meeting.pk, token)
    if not confirmed:
        try:
            tokens.verify(meeting, token)
        except tokens.TokenError as exc:
            return _refuse(request, exc.code, 410 if exc.code == "expired" else 400)
    if member is None:
        member = selectors.active_member_of(request.user)
    if member is None:
        return _refuse(request, "not_member", 403, meeting)
    if att is None:
        att = selectors.invitation_of(meeting, member)
    if att is None:
        return _refuse(request, "not_invited", 403, meeting)
    if att.status in PRESENT_STATUSES:
        return _result(request, {"ok": True, "already": True, "m": meeting, "a": att})
    if meeting.status != MeetingStatus.OPEN:
        return _refuse(request, _closed_code(meeting), 409, meeting)
    if request.method != "POST":
        c = signing.dumps({"m": meeting.pk, "u": request.user.pk, "t": token}, salt=CONFIRM_SALT)
        return render(request, "orglife/signin_confirm.html", {"m": meeting, "member": member, "c": c, "token": token})
    try:
        att, created = services.sign_in(actor=request.user, meeting=meeting, member=member, method="qr", attendance=att)
    except ValidationError as exc:
        page, status = SIGNIN_REFUSALS.get(first_code(exc), ("closed", 409))
        return _refuse(request, page, status, meeting)
    return _result(request, {"ok": True, "already": not created, "m": meeting, "a": att})


# -- my meetings ------------------------------------------------------------------------------

@authenticated
def my_meetings(request):
    rows = list(selectors.my_attendance(request.user)[:200])
    pending = selectors.pending_leave_ids(rows)
    upcoming, past = [], []
    for a in rows:
        a.leave_pending = a.pk in pending
        a.can_leave = not a.leave_pending and _can_ask_leave(a)
        (upcoming if a.meeting.status in (MeetingStatus.PLANNED, MeetingStatus.OPEN) else past).append(a)
    upcoming.reverse()
    has_member = selectors.has_member_record(request.user)
    return render(request, "orglife/my_meetings.html", {"upcoming": upcoming, "past": past, "has_member": has_member})


# -- exemptions -------------------------------------------------------------------------------

@scoped("exemption", "view")
def exemption_list(request, scope):
    qs = selectors.exemptions_for(scope)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orglife/exemptions.html", {"page": page, "can_manage": scope.has_any("exemption", "manage"),
                                                       "today": timezone.localdate()})


MAX_MEMBER_CHOICES = 300


@scoped("attendance", "manage", model=Attendance)
def attendance_makeup(request, att, scope):
    """Record a 补课 for a member who was absent or on leave."""
    meeting = att.meeting
    return form_view(
        request, MakeupForm(request.POST or None, initial={"on": timezone.localdate()}),
        perform=lambda cd: services.record_makeup(actor=request.user, attendance=att, on=cd["on"], how=cd["how"], note=cd["note"]),
        done=lambda a: (_("补课 recorded for %(n)s.") % {"n": a.member.name}, _detail_url(meeting)),
        template="form_page.html",
        context={"title": _("补课: %(n)s — %(m)s") % {"n": att.member.name, "m": meeting.title}, "back": _detail_url(meeting),
                 "intro": _("%(n)s was %(s)s (%(r)s). The attendance stays as it was; the 补课 is recorded beside it and in the member's file.")
                 % {"n": att.member.name, "s": att.get_status_display(), "r": att.reason or "—"}})


@scoped("exemption", "manage")
def exemption_add(request, scope):
    members = selectors.exemption_member_choices(scope)
    org_id = _int(request.GET.get("org"))
    if org_id:
        org = selectors.exemption_org(scope, org_id)
        if org is None:
            raise Http404
        members = selectors.exemption_member_choices(scope, org=org)
    elif selectors.exemption_member_count(scope) > MAX_MEMBER_CHOICES:  # a town or county: pick the branch first
        return render(request, "orglife/pick_org.html", {"orgs": selectors.exemption_orgs(scope), "title": _("Mark a member exempt"),
                                                         "empty": _("No organization holds members here.")})
    form = ExemptionForm(request.POST or None, members=members, initial={"starts_on": timezone.localdate()})
    return form_view(
        request, form,
        perform=lambda cd: services.create_exemption(actor=request.user, member=cd["member"], basis=cd["basis"], note=cd["note"],
                                                     starts_on=cd["starts_on"], ends_on=cd["ends_on"]),
        done=lambda e: (_("%(n)s is exempt from org life by rule from %(d)s.") % {"n": e.member.name, "d": e.starts_on},
                        reverse("orglife-exemptions")),
        template="form_page.html", context={"title": _("Mark a member exempt"), "back": reverse("orglife-exemptions"),
                                               "intro": _("教育管理条例 art. 23: old, frail, immobile or gravely ill members have no hard "
                                                          "requirement to attend; the branch brings study to them. New meetings "
                                                          "invite them as exempt, out of the attendance denominator.")})


@require_POST
@scoped("exemption", "manage", model=Exemption)
def exemption_end(request, exemption, scope):
    try:
        services.end_exemption(actor=request.user, exemption=exemption)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The exemption of %(n)s has ended.") % {"n": exemption.member.name})
    return redirect("orglife-exemptions")


# -- sign-in devices --------------------------------------------------------------------------

@scoped("signin_device", "view")
def device_list(request, scope):
    qs = selectors.devices_for(scope)
    return render(request, "orglife/devices.html", {"devices": qs, "can_manage": scope.has_any("signin_device", "manage"),
                                                    "api_path": "/api/v1/orglife/device-signin/"})


@never_cache
@scoped("signin_device", "manage")
def device_add(request, scope):
    orgs = selectors.device_org_choices(scope)
    form = DeviceForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        try:
            dev, key = services.create_device(actor=request.user, org=form.cleaned_data["org"], name=form.cleaned_data["name"])
        except ValidationError as exc:
            from dangjian.core.forms import apply_service_errors

            apply_service_errors(form, exc)
        else:
            resp = render(request, "orglife/device_created.html", {"d": dev, "key": key})
            resp["Cache-Control"] = "no-store"
            return resp
    return render(request, "form_page.html", {"form": form, "title": _("Add a sign-in device"), "back": reverse("orglife-devices")})


@require_POST
@scoped("signin_device", "manage", model=SigninDevice)
def device_deactivate(request, device, scope):
    services.deactivate_device(actor=request.user, device=device)
    messages.success(request, _("%(n)s is switched off; its key no longer works.") % {"n": device.name})
    return redirect("orglife-devices")


