"""Elections and terms pages: thin views over elections.services."""
from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.models import Organization
from dangjian.core.web import form_view, scoped
from dangjian.members import api as member_services

from . import selectors, services
from .forms import AdjustForm, ConfirmForm, DecideForm, ElectionForm, FilingForm, RestrictionForm, ResultForm
from .models import CommitteeMember, Election, ElectionStatus, OfficerPosition, TermAdjustment


def _data(request):
    """POST data for a form (an empty POST still binds the form: confirm-only pages)."""
    return request.POST if request.method == "POST" else None


@scoped("election", "view", model=Organization)
def terms_overview(request, org, scope):
    """Every organization with a term in the subtree: expired (red), ending within 6 months
    (yellow), with the text saying so; expired first."""
    today = timezone.localdate()
    only = request.GET.get("only", "")
    qs, counts = selectors.terms_in_subtree(scope, org, only, today)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    for o in page:
        o.term_state, o.term_text = services.term_state(o, today)
    return render(request, "elections/terms.html", {"org": org, "page": page, "only": only, "counts": counts})


@scoped("election", "view", model=Organization)
def org_terms(request, org, scope):
    state, text = services.term_state(org)
    return render(request, "elections/org.html", {
        "org": org, "state": state, "text": text, **selectors.org_term_page(org),
        "can_manage": scope.path_allows("election", "manage", org.path),
        "can_approve": scope.path_allows("election", "approve", org.path)})


@scoped("election", "manage", model=Organization)
def election_new(request, org, scope):
    form = ElectionForm(_data(request), org=org, initial={"held_on": timezone.localdate(), "base": services.cfg("elected_base")})
    return form_view(request, form,
                     perform=lambda d: services.create_election(actor=request.user, org=org, held_on=d["held_on"], seats=d["seats"],
                                                                present=d["present"], candidates=list(d["candidates"]),
                                                                base=d["base"], meeting=d.get("meeting")),
                     done=lambda e: (_("The election is recorded; enter the votes."), reverse("elections-result", args=[e.pk])),
                     template="elections/form.html",
                     context={"title": _("Record an election meeting"), "org": org,
                              "entitled": selectors.entitled_voter_count(org, timezone.localdate()),
                              "cancel": reverse("elections-org", args=[org.pk])})


@scoped("election", "view", model=Election)
def election_detail(request, e, scope):
    from dangjian.minutes import api as quorum

    return render(request, "elections/detail.html", {
        "e": e, "candidates": selectors.candidates_of(e), "valid": quorum.election_valid(entitled=e.entitled, present=e.present),
        "min_candidates": quorum.min_candidates(e.seats), "can_manage": scope.can("manage", e)})


@scoped("election", "manage", model=Election)
def election_result(request, e, scope):
    if e.status != ElectionStatus.DRAFT:
        from django.shortcuts import redirect

        return redirect("elections-detail", e.pk)
    form = ResultForm(_data(request), election=e)
    return form_view(request, form,
                     perform=lambda d: services.record_result(actor=request.user, election=e, votes=form.votes(), positions=form.positions()),
                     done=lambda _e: (_("The result is recorded and the new term set."), reverse("elections-detail", args=[e.pk])),
                     template="elections/form.html",
                     context={"title": _("Votes and result"), "e": e, "cancel": reverse("elections-detail", args=[e.pk]),
                              "warning": _short_standing(e)})


def _short_standing(e: Election) -> str:
    """A hint before the secretary is chosen: candidates with less than 1 year of 党龄 (DOMAIN §2)."""
    names = [c.member.name for c in selectors.candidates_of(e)
             if services.standing_problem(c.member, OfficerPosition.SECRETARY, e.held_on)]
    if not names:
        return ""
    return _("Less than 1 year of Party standing (党龄) on the election day — a secretary normally has at least 1 year: %(names)s.") % {
        "names": "、".join(names)}


@scoped("election", "manage", model=Organization)
def adjust_new(request, org, scope):
    return form_view(request, AdjustForm(_data(request)),
                     perform=lambda d: services.request_adjustment(actor=request.user, org=org, kind=d["kind"],
                                                                   new_ends_on=d["new_ends_on"], reason=d["reason"]),
                     done=lambda a: (_("The request was sent to the upper organization."), reverse("elections-adjustment", args=[a.pk])),
                     template="elections/form.html",
                     context={"title": _("Postpone or advance the election"), "org": org,
                              "help": _("At most one year from the regular end of the term (%(d)s), with the upper organization's approval.") % {"d": services.regular_end(org) or "—"},
                              "cancel": reverse("elections-org", args=[org.pk])})


@scoped("election", "view", model=TermAdjustment)
def adjustment_detail(request, a, scope):
    return render(request, "elections/adjustment.html", {"a": a, "can_approve": scope.can("approve", a)})


@scoped("election", "approve", model=TermAdjustment)
def adjustment_decide(request, a, scope):
    return form_view(request, DecideForm(_data(request)),
                     perform=lambda d: services.decide_adjustment(actor=request.user, adjustment=a, approve=d["approve"], note=d.get("note", "")),
                     done=lambda _a: (_("The decision is recorded."), reverse("elections-adjustment", args=[a.pk])),
                     template="elections/form.html",
                     context={"title": _("Decide on the term adjustment"), "a": a, "cancel": reverse("elections-adjustment", args=[a.pk])})


@scoped("election", "approve", model=CommitteeMember)
def officer_approve(request, seat, scope):
    return form_view(request, ConfirmForm(_data(request)),
                     perform=lambda d: services.approve_officer(actor=request.user, seat=seat),
                     done=lambda _s: (_("Approved: the officer is in office."), reverse("elections-org", args=[seat.org_id])),
                     template="elections/form.html",
                     context={"title": _("Approve %(m)s as %(p)s") % {"m": seat.member.name, "p": seat.get_position_display()},
                              "warning": services.standing_problem(seat.member, seat.position, seat.started_on),
                              "cancel": reverse("elections-org", args=[seat.org_id])})


@scoped("election", "approve", model=Organization)
def committee_file(request, org, scope):
    """The upper organization enters the date the elected committee members were filed (备案)."""
    seats = selectors.unfiled_seats(org)
    return form_view(request, FilingForm(_data(request), initial={"filed_on": timezone.localdate()}),
                     perform=lambda d: services.file_committee(actor=request.user, org=org, filed_on=d["filed_on"]),
                     done=lambda s: (_("Filed: %(n)s committee members are on record with the upper organization.") % {"n": len(s)},
                                     reverse("elections-org", args=[org.pk])),
                     template="elections/form.html",
                     context={"title": _("Record the filing (备案) of the committee"), "org": org,
                              "help": ("、".join(f"{x.member.name}（{x.get_position_display()}）" for x in seats)
                                       or _("Nothing to file: no elected committee member awaits filing.")),
                              "cancel": reverse("elections-org", args=[org.pk])})


@scoped("election", "manage", model=Organization)
def restriction_new(request, org, scope):
    return form_view(request, RestrictionForm(_data(request), org=org),
                     perform=lambda d: member_services.add_restriction(actor=request.user, member=d["member"], kind=d["kind"],
                                                                starts_on=d["starts_on"], ends_on=d.get("ends_on"), note=d.get("note", "")),
                     done=lambda _r: (_("Recorded: the member neither votes nor stands in that period."), reverse("elections-org", args=[org.pk])),
                     template="elections/form.html",
                     context={"title": _("Record a suspension of voting rights"), "org": org,
                              "cancel": reverse("elections-org", args=[org.pk])})
