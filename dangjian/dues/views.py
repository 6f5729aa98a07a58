"""Dues pages: thin views over dues.selectors and dues.services (POLICY resource "dues")."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.forms import apply_service_errors
from dangjian.core.pdf import pdf_response, render_pdf
from dangjian.core.web import form_view, scoped
from dangjian.transfers.api import InflowRecord

from . import export, selectors, services
from .forms import (
    CaseDecisionForm,
    ExcuseForm,
    GenerateForm,
    HardshipDecisionForm,
    HardshipForm,
    InflowPaymentForm,
    PaymentForm,
    ProfileForm,
)
from .models import BillStatus, DuesBill, DuesPayment, DuesProfile, HardshipApproval, ReviewCase
from .months import current_month, label, month_start_offset, parse_month

# -- helpers --------------------------------------------------------------------------------------

def _org(scope, request, action="view"):
    """The organization of ?org= (404 unless the user's dues reach covers it), else the top of
    the user's reach; None for a user who only sees their own dues."""
    value = request.GET.get("org") or request.POST.get("org")
    if value:
        if not str(value).isdigit():
            raise Http404
        org = selectors.org_in_reach(scope, int(value), action)
        if org is None:
            raise Http404
        return org
    return selectors.top_org(scope, action)


def _month(request):
    return parse_month(request.GET.get("month") or request.POST.get("month"), current_month())


def _member(scope, request, action):
    """The member of ?member= that this user may ``action`` (404 alike for missing/out of reach)."""
    value = request.GET.get("member") or request.POST.get("member")
    if not value or not str(value).isdigit():
        return None
    m = selectors.member_in_reach(scope, int(value), action)
    if m is None:
        raise Http404
    return m


def _months_menu(center):
    return [month_start_offset(center, -i) for i in range(-1, 12)]


def _profile_url(member) -> str:
    p = selectors.profile_of(member)
    return reverse("dues-profile", kwargs={"pk": p.pk}) if p else reverse("dues-profile-edit") + f"?member={member.pk}"


# -- branch page, summary, member's own page --------------------------------------------------------

@scoped("dues", "view")
def branch(request, scope):
    org = _org(scope, request)
    if org is None:
        return redirect("dues-mine")
    if org.kind not in selectors.BILLING_KINDS and org.kind != "party_group":
        return redirect(reverse("dues-summary") + f"?org={org.pk}")
    month = _month(request)
    show = request.GET.get("show", "")
    page = Paginator(selectors.branch_members(org, month, show), 50).get_page(request.GET.get("page"))
    ctx = {
        "org": org, "month": month, "months": _months_menu(current_month()), "page": page, "show": show,
        "shows": selectors.SHOW_CHOICES,
        "rows": selectors.branch_rows(page.object_list, month, current_month()),
        "totals": selectors.month_totals(org, month),
        "can_record": scope.path_allows("dues", "record", org.path),
        "can_configure": scope.path_allows("dues", "configure", org.path),
        "can_export": scope.path_allows("dues", "export", org.path),
    }
    return render(request, "dues/branch.html", ctx)


@scoped("dues", "view")
def summary(request, scope):
    org = _org(scope, request)
    if org is None:
        return redirect("dues-mine")
    month = _month(request)
    rows = selectors.summary_by_branch(org, month)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "dues/summary.html", {
        "org": org, "month": month, "months": _months_menu(current_month()), "page": page,
        "totals": selectors.month_totals(org, month), "can_export": scope.path_allows("dues", "export", org.path),
        "children": selectors.child_orgs(org),
    })


@scoped("dues", "view")
def mine(request, scope):
    member = selectors.own_member(request.user)
    ctx = {"member": member}
    if member is not None:
        ctx.update(selectors.member_status(member, current_month()))
    return render(request, "dues/mine.html", ctx)


# -- profile ----------------------------------------------------------------------------------------

@scoped("dues", "view", model=DuesProfile)
def profile(request, obj, scope):
    member = obj.member
    st = selectors.member_status(member, current_month())
    if member.user_id != request.user.pk:  # the base reveals a member's income: views are audited
        audit.record(actor=request.user, action="dues.profile_view", obj=obj, org_path=obj.org_path, data={"member": member.pk})
    return render(request, "dues/profile.html", {
        "p": obj, "m": member, **st,
        "changes": selectors.profile_changes(obj),
        "hardships": selectors.member_hardships(member),
        "can_record": scope.can("record", obj), "can_configure": scope.can("configure", obj),
        "can_approve": scope.path_allows("dues", "approve_hardship", obj.org_path),
    })


@scoped("dues", "configure")
def profile_edit(request, scope):
    member = _member(scope, request, "configure")
    if member is None:
        return redirect("dues-branch")
    p = selectors.profile_of(member)
    if p is not None:
        initial = {"category": p.category, "base": p.base, "fixed_amount": p.fixed_amount,
                   "effective_month": current_month(),
                   "reason": {"annual_salary": "monthly_pay", "self_employed": "quarterly"}.get(p.category, "salary")}
    else:
        initial = {"category": services.default_category(member), "effective_month": max(current_month(), services.billable_from(member)),
                   "reason": "initial"}
    form = ProfileForm(request.POST or None, initial=initial)
    return form_view(
        request, form,
        perform=lambda cd: services.set_profile(actor=request.user, member=member, category=cd["category"], base=cd["base"],
                                                fixed_amount=cd["fixed_amount"], effective_month=cd["effective_month"],
                                                reason=cd["reason"], note=cd["note"], quarter_income=cd.get("quarter_income")),
        done=lambda prof: (_("Dues profile saved."), reverse("dues-profile", kwargs={"pk": prof.pk})),
        template="dues/form.html",
        context={"title": _("Dues profile of %(n)s") % {"n": member.name}, "m": member, "member_param": member.pk,
                 "cancel": reverse("dues-branch") + f"?org={member.org_id}"},
    )


@scoped("dues", "configure")
def hardship_new(request, scope):
    member = _member(scope, request, "configure")
    if member is None:
        return redirect("dues-branch")
    form = HardshipForm(request.POST or None, initial={"from_month": current_month()})
    return form_view(
        request, form,
        perform=lambda cd: services.request_hardship(actor=request.user, member=member, **cd),
        done=lambda h: (_("Hardship request recorded; it awaits the approval of the next-higher Party committee."), _profile_url(member)),
        template="dues/form.html",
        context={"title": _("Reduced or exempt dues for %(n)s") % {"n": member.name}, "m": member, "member_param": member.pk,
                 "intro": _("Members in real hardship may pay less or nothing after the branch has studied it and the "
                            "next-higher Party committee has approved (中组发〔2008〕3号 art. 7)."),
                 "cancel": _profile_url(member)},
    )


@scoped("dues", "approve_hardship", model=HardshipApproval)
def hardship_decide(request, obj, scope):
    form = HardshipDecisionForm(request.POST or None)
    return form_view(
        request, form,
        perform=lambda cd: services.decide_hardship(actor=request.user, hardship=obj, approve=cd["decision"] == "approve",
                                                    approval_record=cd["approval_record"]),
        done=lambda h: (_("Decision recorded."), reverse("dues-arrears")),
        template="dues/hardship_decide.html",
        context={"title": _("Hardship request of %(n)s") % {"n": obj.member.name}, "h": obj, "cancel": reverse("dues-arrears")},
    )


# -- payments, receipts ---------------------------------------------------------------------------

@scoped("dues", "record")
def pay(request, scope):
    member = _member(scope, request, "record")
    if member is None:
        return redirect("dues-branch")
    st = selectors.member_status(member, current_month())
    unpaid = sorted(b.month for b in st["bills"] if b.status in (BillStatus.UNPAID, BillStatus.EXCUSED))
    settled = [b.month for b in st["bills"] if b.status in (BillStatus.PAID, BillStatus.EXEMPT)]
    if unpaid:
        first = unpaid[0]
    else:  # the month after the last settled one (not before the month of admission, art. 8)
        first = max(month_start_offset(max(settled), 1) if settled else current_month(), services.billable_from(member))
    form = PaymentForm(request.POST or None, initial={"first_month": first, "months": 1, "paid_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            p, warnings = services.record_payment(actor=request.user, member=member, **{**cd, "voluntary_extra": cd["voluntary_extra"] or 0})
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            for w in warnings:
                messages.warning(request, w)
            messages.success(request, _("Payment of %(t)s yuan recorded, receipt %(r)s.") % {"t": p.total, "r": p.receipt_no})
            return redirect(_profile_url(member))
    return render(request, "dues/pay.html", {
        "form": form, "m": member, **st, "member_param": member.pk,
        "title": _("Record a dues payment of %(n)s") % {"n": member.name}, "cancel": _profile_url(member),
    })


@scoped("flowing_in", "collect_dues", model=InflowRecord)
def inflow_pay(request, record, scope):
    """The inflow organization records dues a flowing member paid there (art. 9)."""
    back = reverse("transfers-flowing-in-detail", args=[record.pk])
    unpaid = selectors.first_unpaid_bill(record.member)
    form = InflowPaymentForm(request.POST or None, initial={"first_month": unpaid.month if unpaid else current_month(),
                                                            "months": 1, "paid_on": timezone.localdate()})

    def perform(cd):
        p, warnings = services.record_inflow_payment(actor=request.user, record=record, **cd)
        for w in warnings:
            messages.warning(request, w)
        return p

    return form_view(
        request, form, perform=perform,
        done=lambda p: (_("Dues of %(t)s yuan recorded for %(n)s, receipt %(r)s; the home branch is told.")
                        % {"t": p.total, "n": record.member.name, "r": p.receipt_no}, back),
        template="form_page.html",
        context={"title": _("Dues paid here by %(n)s (flowing member of %(b)s)") % {"n": record.member.name, "b": record.org.name},
                 "back": back,
                 "intro": _("中组发〔2008〕3号 art. 9: a holder of the 流动党员活动证 (no. %(c)s) may pay at the inflow organization. "
                            "The months become paid at the home branch; paying ahead needs the home branch's consent.")
                 % {"c": record.activity_cert_no or "—"}})


@scoped("dues", "view", model=DuesPayment)
def receipt(request, obj, scope):
    data = render_pdf("dues/receipt_pdf.html", {"p": obj, "bills": selectors.payment_bills(obj), "org": obj.member.org})
    audit.record(actor=request.user, action="dues.receipt_view", obj=obj, org_path=obj.org_path, data={"receipt": obj.receipt_no})
    return pdf_response(data, f"党费收据_{obj.receipt_no}.pdf")


@scoped("dues", "record", model=DuesBill)
def excuse(request, obj, scope):
    return form_view(
        request, ExcuseForm(request.POST or None),
        perform=lambda cd: services.excuse_bill(actor=request.user, bill=obj, reason=cd["reason"]),
        done=lambda b: (_("Reason recorded."), _profile_url(b.member)),
        template="dues/form.html",
        context={"title": _("Approved reason for %(n)s, %(m)s") % {"n": obj.member.name, "m": label(obj.month)},
                 "intro": _("A month with an approved reason does not count towards the 6-month arrears review (art. 13)."),
                 "cancel": _profile_url(obj.member)},
    )


# -- bills, arrears, cases ------------------------------------------------------------------------

@scoped("dues", "record")
def generate(request, scope):
    orgs = selectors.billing_orgs(scope, "record")
    first = _org(scope, request, "record")
    form = GenerateForm(request.POST or None, orgs=orgs, initial={"org": first.pk if first else None, "month": current_month()})

    def perform(cd):
        if cd["month"] > current_month():
            raise ValidationError({"month": ValidationError(_("Bills are generated for the current month or earlier."), code="future_month")})
        return cd["org"], cd["month"], services.generate_bills(actor=request.user, org=cd["org"], month=cd["month"])

    def done(result):
        org, month, c = result
        msg = _("%(m)s: %(c)s bills created, %(e)s already existed, %(n)s members without a dues profile, %(a)s not yet admitted.") % {
            "m": label(month), "c": c["created"], "e": c["existing"], "n": c["no_profile"], "a": c["not_admitted"]}
        return msg, reverse("dues-branch") + f"?org={org.pk}&month={label(month)}"

    return form_view(request, form, perform=perform, done=done, template="dues/form.html",
                     context={"title": _("Generate the month's dues bills"),
                              "intro": _("One bill per member and month: running it again adds only what is missing. Members are billed from the month the branch general meeting admitted them (art. 8)."),
                              "cancel": reverse("dues-branch")})


@scoped("dues", "view")
def arrears(request, scope):
    org = _org(scope, request)
    if org is None:
        return redirect("dues-mine")
    this = current_month()
    prev = month_start_offset(this, -1)
    page = Paginator(selectors.arrears_members(org, prev), 50).get_page(request.GET.get("page"))
    streaks = selectors.arrears_for([m.pk for m in page.object_list], this)
    escalated = selectors.escalations_for(streaks, this)
    return render(request, "dues/arrears.html", {
        "org": org, "page": page, "rows": [(m, streaks.get(m.pk, 0), escalated.get(m.pk)) for m in page.object_list],
        "cases": selectors.open_cases(scope, org)[:100],
        "hardships": selectors.pending_hardships(scope, org)[:100],
        "can_approve_any": scope.has_any("dues", "approve_hardship"),
    })


@scoped("dues", "view", model=ReviewCase)
def case(request, obj, scope):
    return render(request, "dues/case.html", {
        "c": obj, "can_record": scope.can("record", obj), "form": CaseDecisionForm(),
        "profile": selectors.scoped_profile_of(scope, obj.member),
        "bills": selectors.case_bills(obj),
    })


@scoped("dues", "record", model=ReviewCase)
def case_decide(request, obj, scope):
    return form_view(
        request, CaseDecisionForm(request.POST or None),
        perform=lambda cd: services.decide_case(actor=request.user, case=obj, **cd),
        done=lambda c: (_("The branch general meeting's decision is recorded."), reverse("dues-case", kwargs={"pk": c.pk})),
        template="dues/form.html",
        context={"title": _("Decision on the dues review case of %(n)s") % {"n": obj.member.name},
                 "intro": _("Record what the branch general meeting decided. The system itself changes nothing in the member's record."),
                 "cancel": reverse("dues-case", kwargs={"pk": obj.pk})},
    )


# -- export, publicity ----------------------------------------------------------------------------

@scoped("dues", "export")
def export_month(request, scope):
    org = _org(scope, request, "export")
    month = _month(request)
    if org is None:
        raise Http404
    n = selectors.export_row_count(org, month)
    if n > export.direct_export_limit():
        from dangjian.jobs.api import job_url, start_job

        job = start_job(actor=request.user, kind=export.EXPORT_JOB_KIND, params={"org": org.pk, "month": label(month)},
                        org_path=org.path, title=f"{org.name} {label(month)} 党费", access=[("dues", "export", org.path)])
        return redirect(job_url(job))
    filename, data, _n = export.build_workbook(actor=request.user, org=org, month=month)
    from urllib.parse import quote

    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    resp["Cache-Control"] = "private, no-store"
    return resp


@require_POST
@scoped("dues", "record")
def publish(request, scope):
    org = _org(scope, request, "record")
    month = _month(request)
    back = reverse("dues-branch") + (f"?org={org.pk}&month={label(month)}" if org else "")
    if org is None:
        return redirect(back)
    try:
        services.publish_totals(actor=request.user, org=org, month=month)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("The month's totals were posted to the publicity board as a draft."))
    return redirect(back)
