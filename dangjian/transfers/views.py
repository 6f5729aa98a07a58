"""Organizational relationship pages: thin views over transfers.services / selectors."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from dangjian.core import audit
from dangjian.core.dates import month_start_offset
from dangjian.core.models import Organization
from dangjian.core.pdf import pdf_response, render_pdf
from dangjian.core.web import form_view, public, scoped

from . import selectors, services
from .forms import (
    ApproveForm,
    AskForm,
    AwayForm,
    CaseForm,
    ContactForm,
    DateForm,
    DecideForm,
    InflowForm,
    OptionalReasonForm,
    ReasonForm,
    RegisterIncomingForm,
    TransferRequestForm,
    VerifyForm,
)
from .models import AwayKind, AwayRecord, CaseKind, IncomingTransfer, InflowRecord, MembershipCase, Transfer, TransferStatus


def _page(request, qs, n=50):
    return Paginator(qs, n).get_page(request.GET.get("page"))


# -- lists ---------------------------------------------------------------------------------------

@scoped("transfer", "view", model=Organization)
def outgoing(request, org, scope):
    status = request.GET.get("status", "")
    page = _page(request, selectors.outgoing(scope, org, status))
    for t in page:
        t.flags = selectors.transfer_flags(t)
    return render(request, "transfers/outgoing.html", {
        "org": org, "page": page, "status": status,
        "can_request": scope.path_allows("transfer", "request", org.path),
        "can_flowing": scope.path_allows("flowing", "view", org.path),
        "can_incoming": scope.path_allows("transfer_in", "view", org.path)})


def _data(request):
    """POST data for a form (an empty POST still binds the form: confirm-only pages)."""
    return request.POST if request.method == "POST" else None


@scoped("transfer_in", "view", model=Organization)
def incoming(request, org, scope):
    status = request.GET.get("status", "")
    page = _page(request, selectors.incoming(scope, org, status))
    for t in page:
        t.flags = selectors.transfer_flags(t)
    return render(request, "transfers/incoming.html", {
        "org": org, "page": page, "status": status,
        "can_register": scope.path_allows("transfer_in", "accept", org.path) and org.kind in _holding()})


def _holding():
    from dangjian.core.models import MEMBER_HOLDING_KINDS

    return MEMBER_HOLDING_KINDS


# -- outgoing side -------------------------------------------------------------------------------

@scoped("transfer", "request", model=Organization)
def new_transfer(request, org, scope):
    form = TransferRequestForm(_data(request), org=org, initial={"member": request.GET.get("member")})

    def perform(d):
        if not scope.path_allows("transfer", "request", d["member"].org_path):
            raise PermissionDenied
        return services.request_transfer(actor=request.user, member=d["member"], kind=d["kind"],
                                         to_org=d.get("to_org_obj"), to_name=d.get("to_name", ""), reason=d.get("reason", ""))

    return form_view(request, form, perform=perform,
                     done=lambda t: (_("The transfer was requested; it awaits approval."), reverse("transfers-detail", args=[t.pk])),
                     template="transfers/form.html",
                     context={"title": _("New transfer of organizational relationship"), "org": org,
                              "cancel": reverse("transfers-outgoing", args=[org.pk])})


@scoped("transfer", "ask")
def ask(request, scope):
    """A member asks for their own transfer; the branch secretary confirms it."""
    member = selectors.own_member(request.user)
    if member is None:
        raise PermissionDenied
    form = AskForm(_data(request))
    return form_view(request, form,
                     perform=lambda d: services.request_transfer(actor=request.user, member=member, to_org=d["to_org"],
                                                                 reason=d.get("reason", ""), asked_by_member=True),
                     done=lambda t: (_("Your request was sent to your branch secretary."), reverse("transfers-detail", args=[t.pk])),
                     template="transfers/form.html",
                     context={"title": _("Ask to transfer my organizational relationship"), "cancel": "/"})


@scoped("transfer", "view", model=Transfer)
def detail(request, t, scope):
    code = services.letter_code(t) if t.has_letter and scope.can("print", t) else None
    history = selectors.org_history(t.member) if scope.can("request", t) else []
    return render(request, "transfers/detail.html", {
        "t": t, "code": code, "flags": selectors.transfer_flags(t), "history": history,
        "can": {a: scope.can(a, t) for a in ("request", "approve", "print")},
        "may_approve": services.may_approve(request.user, t), "side": "out"})


def _action(request, t, form, perform, message, template_title, danger=False, back="transfers-detail"):
    return form_view(request, form, perform=perform, done=lambda _r: (message, reverse(back, args=[t.pk])),
                     template="transfers/form.html",
                     context={"title": template_title, "t": t, "danger": danger, "cancel": reverse(back, args=[t.pk])})


@scoped("transfer", "request", model=Transfer)
def confirm(request, t, scope):
    return _action(request, t, OptionalReasonForm(_data(request)),
                   lambda d: services.confirm_request(actor=request.user, transfer=t),
                   _("Confirmed; the transfer awaits approval."), _("Confirm the member's request"))


@scoped("transfer", "approve", model=Transfer)
def approve(request, t, scope):
    initial = {"valid_days": services.default_valid_days(t), "dues_paid_to": month_start_offset(timezone.localdate(), -1)}
    return _action(request, t, ApproveForm(_data(request), initial=initial),
                   lambda d: services.approve_transfer(actor=request.user, transfer=t, valid_days=d["valid_days"],
                                                       dues_paid_to=d.get("dues_paid_to")),
                   _("Approved; the introduction letter is issued."), _("Approve and issue the introduction letter"))


@scoped("transfer", "approve", model=Transfer)
def refuse(request, t, scope):
    return _action(request, t, ReasonForm(_data(request)),
                   lambda d: services.refuse_transfer(actor=request.user, transfer=t, reason=d["reason"]),
                   _("The request was refused."), _("Refuse the transfer"), danger=True)


@scoped("transfer", "request", model=Transfer)
def cancel(request, t, scope):
    return _action(request, t, OptionalReasonForm(_data(request)),
                   lambda d: services.cancel_transfer(actor=request.user, transfer=t, reason=d.get("reason", "")),
                   _("The transfer was cancelled."), _("Cancel the transfer"), danger=True)


@scoped("transfer", "request", model=Transfer)
def receipt(request, t, scope):
    return _action(request, t, DateForm(_data(request), initial={"on": timezone.localdate()}),
                   lambda d: services.mark_receipt_returned(actor=request.user, transfer=t, on=d["on"]),
                   _("The receipt is recorded as returned."), _("Mark the receipt returned"))


@scoped("transfer", "print", model=Transfer)
def letter_pdf(request, t, scope):
    """The introduction letter (stub, letter, receipt; 组通字〔2006〕45号 layout) as a PDF."""
    if not t.has_letter:
        messages.error(request, _("No letter has been issued for this transfer."))
        return redirect("transfers-detail", t.pk)
    audit.record(actor=request.user, action="transfers.print", obj=t, org_path=t.from_path, data={"letter_no": t.letter_no})
    ctx = {"t": t, "code": services.letter_code(t), "days_cn": cn_number(t.valid_days or 0),
           "verify_url": request.build_absolute_uri(reverse("transfers-verify")),
           "member": t.member, "today": timezone.localdate(), "age": _age(t.member.birth_date, t.issued_on)}
    return pdf_response(render_pdf("transfers/letter_pdf.html", ctx, request=request), f"介绍信-{t.letter_no}.pdf")


def _age(birth, on) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def cn_number(n: int) -> str:
    """Capital Chinese numerals, as letters write the validity (e.g. 30 → 叁拾)."""
    digits = "零壹贰叁肆伍陆柒捌玖"
    if n <= 0:
        return digits[0]
    out, units = "", ["", "拾", "佰", "仟"]
    s = str(n)
    for i, ch in enumerate(s):
        pos = len(s) - 1 - i
        d = int(ch)
        if d:
            out += digits[d] + units[pos]
        elif out and not out.endswith("零") and int(s[i:]) != 0:
            out += "零"
    return out


# -- receiving side ------------------------------------------------------------------------------

@scoped("transfer_in", "view", model=IncomingTransfer)
def incoming_detail(request, t, scope):
    return render(request, "transfers/detail.html", {
        "t": t, "flags": selectors.transfer_flags(t), "can": {"accept": scope.can("accept", t)}, "side": "in"})


@scoped("transfer_in", "accept", model=IncomingTransfer)
def accept(request, t, scope):
    return _action(request, t, OptionalReasonForm(_data(request)),
                   lambda d: services.accept_transfer(actor=request.user, transfer=t),
                   _("Received: the member now belongs to %(o)s.") % {"o": t.to_name}, _("Receive the member"),
                   back="transfers-incoming-detail")


@scoped("transfer_in", "accept", model=IncomingTransfer)
def reject(request, t, scope):
    return _action(request, t, ReasonForm(_data(request)),
                   lambda d: services.reject_transfer(actor=request.user, transfer=t, reason=d["reason"]),
                   _("The letter was refused; the sending side is told."), _("Refuse the letter"), danger=True,
                   back="transfers-incoming-detail")


@scoped("transfer_in", "accept", model=Organization)
def register_in(request, org, scope):
    form = RegisterIncomingForm(_data(request))

    def perform(d):
        data = {k: d.get(k) for k in RegisterIncomingForm.MEMBER_FIELDS}
        data["phone"] = data.get("phone") or ""
        return services.register_incoming(actor=request.user, org=org, member_data=data, from_name=d["from_name"],
                                          external_letter_no=d["external_letter_no"], dues_paid_to=d.get("dues_paid_to"))

    return form_view(request, form, perform=perform,
                     done=lambda t: (_("The member was transferred in."), reverse("transfers-incoming-detail", args=[t.pk])),
                     template="transfers/form.html",
                     context={"title": _("Transfer in from outside the platform"), "org": org,
                              "cancel": reverse("transfers-incoming", args=[org.pk])})


# -- public verification -------------------------------------------------------------------------

@public
@ratelimit(key="ip", rate="20/m", block=False)
def verify(request):
    """Anyone holding a letter checks it: number + code → validity and status only."""
    form = VerifyForm(request.GET or None)
    result, limited = None, getattr(request, "limited", False)
    if form.is_bound and not limited and form.is_valid():
        t = services.verify_letter(form.cleaned_data["letter_no"], form.cleaned_data["code"])
        result = {"found": t is not None}
        if t is not None:
            result = {**result, "letter_no": t.letter_no, "issued_on": t.issued_on, "valid_until": t.valid_until,
                      "valid_now": t.status == TransferStatus.ISSUED and services.letter_valid_on(t, timezone.localdate()),
                      "status": t.get_status_display()}
    resp = render(request, "transfers/verify.html", {"form": form, "result": result, "limited": limited},
                  status=429 if limited else 200)
    resp["Cache-Control"] = "no-store"
    return resp


# -- flowing / lost contact ----------------------------------------------------------------------

@scoped("flowing", "view", model=Organization)
def away_list(request, org, scope):
    kind = request.GET.get("kind", "")
    return render(request, "transfers/away_list.html", {
        "org": org, "rows": selectors.away_register(scope, org, kind), "kind": kind,
        "cases": selectors.cases(scope, org)[:100], "kinds": AwayRecord._meta.get_field("kind").choices,
        "can_manage": scope.path_allows("flowing", "manage", org.path)})


@scoped("flowing", "manage", model=Organization)
def away_new(request, org, scope):
    form = AwayForm(_data(request), org=org)
    return form_view(request, form,
                     perform=lambda d: services.flag_away(actor=request.user, member=d["member"], kind=d["kind"], since=d["since"],
                                                          whereabouts=d.get("whereabouts", ""), contact_person=d.get("contact_person", ""),
                                                          inflow_org=d.get("inflow_org"), activity_cert_no=d.get("activity_cert_no", "")),
                     done=lambda r: (_("Added to the register."), reverse("transfers-away-detail", args=[r.pk])),
                     template="transfers/form.html",
                     context={"title": _("Add to the flowing / lost-contact register"), "org": org,
                              "cancel": reverse("transfers-away", args=[org.pk])})


@scoped("flowing", "view", model=AwayRecord)
def away_detail(request, rec, scope):
    return render(request, "transfers/away_detail.html", {
        "rec": rec, "findings": services.away_findings(rec, timezone.localdate()),
        "contacts": selectors.away_contacts(rec), "cases": rec.member.membership_cases.all(),
        "can_manage": scope.can("manage", rec), "form": ContactForm(initial={"contacted_on": timezone.localdate()}),
        # the member's org life at the inflow organization (art. 32: it counts for the home branch)
        "inflow_rows": list(selectors.inflow_attendance(rec)[:20]) if rec.inflow_path else []})


@scoped("flowing", "manage", model=AwayRecord)
def away_contact(request, rec, scope):
    return form_view(request, ContactForm(_data(request), initial={"contacted_on": timezone.localdate(), "reached": True}),
                     perform=lambda d: services.log_contact(actor=request.user, record=rec, contacted_on=d["contacted_on"],
                                                            method=d["method"], reached=d.get("reached", False), note=d.get("note", "")),
                     done=lambda _r: (_("Contact logged."), reverse("transfers-away-detail", args=[rec.pk])),
                     template="transfers/form.html",
                     context={"title": _("Log a contact"), "cancel": reverse("transfers-away-detail", args=[rec.pk])})


@scoped("flowing", "manage", model=AwayRecord)
def away_close(request, rec, scope):
    return form_view(request, ReasonForm(_data(request)),
                     perform=lambda d: services.close_away(actor=request.user, record=rec, reason=d["reason"]),
                     done=lambda _r: (_("The entry is closed."), reverse("transfers-away-detail", args=[rec.pk])),
                     template="transfers/form.html",
                     context={"title": _("Close the register entry"), "cancel": reverse("transfers-away-detail", args=[rec.pk])})


@scoped("flowing", "manage", model=AwayRecord)
def case_new(request, rec, scope):
    kind = CaseKind.LAPSED if request.GET.get("kind") == CaseKind.LAPSED else CaseKind.STOP
    return form_view(request, CaseForm(_data(request)),
                     perform=lambda d: services.open_case(actor=request.user, member=rec.member, kind=kind, basis=d["basis"], record=rec),
                     done=lambda c: (_("The case is opened for the branch to decide."), reverse("transfers-case", args=[c.pk])),
                     template="transfers/form.html",
                     context={"title": CaseKind(kind).label, "cancel": reverse("transfers-away-detail", args=[rec.pk])})


@scoped("flowing", "view", model=MembershipCase)
def case_detail(request, case, scope):
    return render(request, "transfers/case_detail.html", {"case": case, "can_manage": scope.can("manage", case)})


@scoped("flowing", "manage", model=MembershipCase)
def case_decide(request, case, scope):
    return form_view(request, DecideForm(_data(request), initial={"on": timezone.localdate()}),
                     perform=lambda d: services.decide_case(actor=request.user, case=case, outcome=d["outcome"], note=d["note"], on=d["on"]),
                     done=lambda _c: (_("The decision is recorded."), reverse("transfers-case", args=[case.pk])),
                     template="transfers/form.html",
                     context={"title": _("Record the decision"), "cancel": reverse("transfers-case", args=[case.pk])})



@scoped("flowing", "manage", model=AwayRecord)
def away_inflow(request, rec, scope):
    """Name, change or clear the inflow organization of a flowing member (教育管理条例 art. 32)."""
    initial = {"inflow_org": rec.inflow_org_id or "", "activity_cert_no": rec.activity_cert_no}
    return form_view(request, InflowForm(_data(request), initial=initial),
                     perform=lambda d: services.set_inflow(actor=request.user, record=rec, inflow_org=d.get("inflow_org"),
                                                           activity_cert_no=d.get("activity_cert_no", "")),
                     done=lambda _r: (_("The inflow organization is saved."), reverse("transfers-away-detail", args=[rec.pk])),
                     template="transfers/form.html",
                     context={"title": _("Inflow organization of %(m)s") % {"m": rec.member.name},
                              "cancel": reverse("transfers-away-detail", args=[rec.pk])})


# -- the inflow side (流入地党组织) -------------------------------------------------------------------

@scoped("flowing_in", "view", model=Organization)
def flowing_in_list(request, org, scope):
    """Members flowing in to ``org``'s subtree: name, home branch, since, contact person — never
    the ID number or phone (教育管理条例 art. 32: the inflow organization helps manage them)."""
    return render(request, "transfers/flowing_in.html", {"org": org, "page": _page(request, selectors.flowing_in(scope, org))})


@scoped("flowing_in", "view", model=InflowRecord)
def flowing_in_detail(request, rec, scope):
    if rec.kind != AwayKind.FLOWING:
        from django.http import Http404

        raise Http404
    rows = list(selectors.inflow_attendance(rec)[:100])
    can_collect = (not rec.closed_on and bool(rec.activity_cert_no)
                   and scope.path_allows("flowing_in", "collect_dues", rec.inflow_path))
    return render(request, "transfers/flowing_in_detail.html", {"rec": rec, "rows": rows, "can_collect": can_collect})
