"""Democratic appraisal pages: thin views over appraisal.services and appraisal.selectors."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.models import Organization
from dangjian.core.web import authenticated, form_view, scoped

from . import selectors, services
from .conf import excellent_share
from .forms import (
    AdvanceForm,
    BallotForm,
    CommentsForm,
    ConfirmForm,
    DecideForm,
    GradesForm,
    MeetingForm,
    OpenForm,
    PaperBallotForm,
    PaperVotersForm,
    SelfForm,
)
from .models import GRADE_ORDER, AppraisalRound, DispositionCase, Participant, Stage


def _data(request):
    return request.POST if request.method == "POST" else None


def _mine(request, p: Participant) -> bool:
    return p.member.user_id is not None and p.member.user_id == request.user.pk


# -- organization pages -----------------------------------------------------------------------

@scoped("appraisal", "view", model=Organization)
def org_rounds(request, org, scope):
    """An organization's appraisal rounds, newest year first."""
    page = Paginator(selectors.rounds_of(org), 20).get_page(request.GET.get("page"))
    return render(request, "appraisal/org.html", {
        "org": org, "page": page, "can_open": org.kind in services.ROUND_KINDS and scope.path_allows("appraisal", "manage", org.path),
        "can_overview": scope.path_allows("appraisal", "overview", org.path), "year": timezone.localdate().year})


@scoped("appraisal", "manage", model=Organization)
def round_open(request, org, scope):
    today = timezone.localdate()
    form = OpenForm(_data(request), org=org, initial={"year": today.year})
    return form_view(request, form,
                     perform=lambda d: services.open_round(actor=request.user, org=org, year=d["year"], meeting=d.get("meeting")),
                     done=lambda r: (_("The appraisal round is open: members may write their self-appraisal."),
                                     reverse("appraisal-round", args=[r.pk])),
                     template="appraisal/form.html",
                     context={"title": _("Open the democratic appraisal of %(org)s") % {"org": org.name}, "org": org,
                              "intro": _("Participants are the active members of %(org)s and its Party groups today; members exempt "
                                         "by rule are listed, not graded; members whose rights are restricted take part without a ballot.")
                              % {"org": org.name},
                              "cancel": reverse("appraisal-org", args=[org.pk])})


@scoped("appraisal", "overview", model=Organization)
def overview(request, org, scope):
    """Which branches of a town or county completed the year's appraisal, with the grades."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    qs, totals, annotate = selectors.overview(org, year)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    annotate(page.object_list)
    return render(request, "appraisal/overview.html", {
        "org": org, "page": page, "year": year, "years": list(range(today.year, today.year - 5, -1)), "totals": totals,
        "grades": GRADE_ORDER})


# -- a round ----------------------------------------------------------------------------------

@scoped("appraisal", "view", model=AppraisalRound)
def round_detail(request, rnd, scope):
    staff = scope.can("manage", rnd)
    parts = list(selectors.participants(rnd))
    for p in parts:  # the Party group inside the branch (never the name of an organization elsewhere)
        o = p.member.org
        p.group = o.name if o.path.startswith(rnd.org_path) and o.path != rnd.org_path else ""
    mine = next((p for p in parts if _mine(request, p)), None)
    if not staff:  # who is exempt (and why: age, frailty, illness) is for the round's managers; a member sees only their own (issue 10 item 13)
        parts = [p for p in parts if not p.exempt or p is mine]
    if staff and rnd.stage == Stage.ASSESSMENT:  # who still has to vote (that, never what)
        voted = selectors.voted_participant_ids(rnd)
        for p in parts:
            p.voted = p.pk in voted
    return render(request, "appraisal/round.html", {
        "r": rnd, "parts": parts, "staff": staff, "mine": mine, "progress": selectors.progress(rnd),
        "paper": services.paper_counts(rnd) if staff else None,
        "can_result": scope.can("result", rnd), "next": rnd.next_stage and Stage(rnd.next_stage),
        "cases": selectors.round_cases(rnd) if staff else []})


@scoped("appraisal", "manage", model=AppraisalRound)
def round_advance(request, rnd, scope):
    if rnd.closed:
        messages.info(request, _("The appraisal round is closed: it can no longer be changed."))
        return redirect("appraisal-round", rnd.pk)
    nxt = Stage(rnd.next_stage)
    prog = selectors.progress(rnd)
    warn = ""
    if rnd.stage == Stage.SELF and prog["self_done"] < prog["appraised"]:
        warn = _("%(n)s of %(t)s participants have no self-appraisal yet.") % {"n": prog["appraised"] - prog["self_done"], "t": prog["appraised"]}
    elif rnd.stage == Stage.ASSESSMENT and prog["voted"] < prog["voters"]:
        warn = _("%(v)s of %(t)s voters have cast their ballot; the others can no longer vote.") % {"v": prog["voted"], "t": prog["voters"]}
    elif rnd.stage == Stage.GRADING:
        warn = _("Closing freezes the round: grades can no longer be changed; each 不合格 opens a disposition case.")
    return form_view(request, AdvanceForm(_data(request), initial={"to": nxt.value}),
                     perform=lambda d: services.advance(actor=request.user, round=rnd, to=d["to"]),
                     done=lambda r: (_("The round is now at: %(s)s.") % {"s": Stage(r.stage).label}, reverse("appraisal-round", args=[rnd.pk])),
                     template="appraisal/form.html",
                     context={"title": _("Move on to “%(s)s”") % {"s": nxt.label}, "r": rnd, "warning": warn,
                              "submit": _("Close the round") if nxt == Stage.CLOSED else _("Move on"),
                              "cancel": reverse("appraisal-round", args=[rnd.pk])})


@scoped("appraisal", "manage", model=AppraisalRound)
def round_meeting(request, rnd, scope):
    """Link the round to its 民主评议党员 meeting planned in org life (or unlink it)."""
    if rnd.closed:
        messages.info(request, _("The appraisal round is closed: it can no longer be changed."))
        return redirect("appraisal-round", rnd.pk)
    return form_view(request, MeetingForm(_data(request), org=rnd.org, initial={"meeting": rnd.meeting_id}),
                     perform=lambda d: services.link_meeting(actor=request.user, round=rnd, meeting=d.get("meeting")),
                     done=lambda r: (_("The appraisal meeting is saved."), reverse("appraisal-round", args=[rnd.pk])),
                     template="appraisal/form.html",
                     context={"title": _("Appraisal meeting"), "r": rnd,
                              "intro": _("Meetings of the type 民主评议党员 planned for %(org)s in org life.") % {"org": rnd.org.name},
                              "cancel": reverse("appraisal-round", args=[rnd.pk])})


@scoped("appraisal", "manage", model=AppraisalRound)
def round_remind(request, rnd, scope):
    """Remind by inbox those who have not written their self-appraisal / not voted yet."""
    return form_view(request, ConfirmForm(_data(request)),
                     perform=lambda d: services.remind(actor=request.user, round=rnd),
                     done=lambda n: (_("Reminder sent to %(n)s members.") % {"n": n}, reverse("appraisal-round", args=[rnd.pk])),
                     template="appraisal/form.html",
                     context={"title": _("Send a reminder"), "r": rnd, "submit": _("Send"),
                              "intro": _("An inbox message to the participants who have not written their self-appraisal "
                                         "(self-appraisal stage) or not voted (assessment stage). At most once a day."),
                              "cancel": reverse("appraisal-round", args=[rnd.pk])})


def _paper_closed(request, rnd):
    if rnd.stage != Stage.ASSESSMENT:
        messages.info(request, _("Ballots are cast during the democratic assessment stage."))
        return redirect("appraisal-round", rnd.pk)
    return None


@scoped("appraisal", "manage", model=AppraisalRound)
def paper_voters(request, rnd, scope):
    """Paper ballots at the meeting, step 1: who put a ballot into the box."""
    if (r := _paper_closed(request, rnd)) is not None:
        return r
    return form_view(request, PaperVotersForm(_data(request), round=rnd),
                     perform=lambda d: services.mark_paper_voters(actor=request.user, round=rnd, voters=list(d["voters"])),
                     done=lambda n: (_("Recorded: %(n)s members handed in a paper ballot. Now enter the ballots from the box.") % {"n": n},
                                     reverse("appraisal-paper-ballot", args=[rnd.pk])),
                     template="appraisal/paper_voters.html",
                     context={"title": _("Paper ballots: who handed one in"), "r": rnd,
                              "intro": _("For members who vote on paper at the meeting. Members who voted online are not listed."),
                              "cancel": reverse("appraisal-round", args=[rnd.pk])})


@scoped("appraisal", "manage", model=AppraisalRound)
def paper_ballot(request, rnd, scope):
    """Paper ballots at the meeting, step 2: enter the ballots one by one, as they come out of the box."""
    if (r := _paper_closed(request, rnd)) is not None:
        return r
    handed, entered = services.paper_counts(rnd)
    form = PaperBallotForm(_data(request), round=rnd)
    return form_view(request, form,
                     perform=lambda d: services.enter_paper_ballot(actor=request.user, round=rnd, marks=form.marks()),
                     done=lambda _x: (_("Paper ballot entered (%(e)s of %(n)s).") % {"e": entered + 1, "n": handed},
                                      reverse("appraisal-paper-ballot", args=[rnd.pk]) if entered + 1 < handed
                                      else reverse("appraisal-round", args=[rnd.pk])),
                     template="appraisal/form.html",
                     context={"title": _("Enter a paper ballot"), "r": rnd,
                              "intro": _("%(e)s of %(n)s paper ballots entered. Enter each ballot as it is, in the order they come out of the box.")
                              % {"e": entered, "n": handed},
                              "warning": "" if entered < handed else _("Every paper ballot handed in is entered."),
                              "cancel": reverse("appraisal-round", args=[rnd.pk])})


@scoped("appraisal", "manage", model=AppraisalRound)
def round_grades(request, rnd, scope):
    if rnd.stage != Stage.GRADING:
        messages.info(request, _("Grades are entered at the grading stage, after the democratic assessment."))
        return redirect("appraisal-round", rnd.pk)
    parts = list(selectors.participants(rnd))
    form = GradesForm(_data(request), parts=parts)
    tallies = selectors.tallies(rnd) or {}
    rows = [(p, g, reason, [tallies.get(p.pk, {}).get(x.value, 0) for x in GRADE_ORDER]) for p, g, reason in form.rows()]
    counts = selectors.grade_counts(rnd)
    return form_view(request, form,
                     perform=lambda d: services.set_grades(actor=request.user, round=rnd, grades=form.grades()),
                     done=lambda n: (_("Grades saved (%(n)s changed).") % {"n": n}, reverse("appraisal-grades", args=[rnd.pk])),
                     template="appraisal/grades.html",
                     context={"r": rnd, "rows": rows, "grades": GRADE_ORDER, "counts": counts,
                              "limit": counts["limit"],
                              "share": excellent_share(), "voted": selectors.progress(rnd)["voted"]})


def _result_context(rnd):
    parts = list(selectors.participants(rnd))
    tallies = selectors.tallies(rnd) or {}
    for p in parts:
        p.tally = [tallies.get(p.pk, {}).get(g.value, 0) for g in GRADE_ORDER]
    return {"r": rnd, "parts": parts, "counts": selectors.grade_counts(rnd), "grades": GRADE_ORDER,
            "progress": selectors.progress(rnd), "share": excellent_share(), "printed": timezone.localtime()}


@scoped("appraisal", "result", model=AppraisalRound)
def round_result(request, rnd, scope):
    audit.record(actor=request.user, action="appraisal.result_viewed", obj=rnd, data={"year": rnd.year})
    return render(request, "appraisal/result.html", _result_context(rnd))


@scoped("appraisal", "result", model=AppraisalRound)
def round_result_pdf(request, rnd, scope):
    from dangjian.core.pdf import pdf_response, render_pdf

    data = render_pdf("appraisal/result_pdf.html", _result_context(rnd), request=request)
    audit.record(actor=request.user, action="appraisal.result_pdf", obj=rnd, data={"year": rnd.year})
    return pdf_response(data, f"民主评议结果-{rnd.org.name}-{rnd.year}.pdf")


# -- a participant's own part -----------------------------------------------------------------

@scoped("appraisal_entry", "view", model=Participant)
def entry(request, p, scope):
    rnd = p.round
    mine = _mine(request, p)
    return render(request, "appraisal/entry.html", {
        "p": p, "r": rnd, "mine": mine, "staff": scope.path_allows("appraisal", "manage", rnd.org_path),
        "can_write": scope.can("write", p), "voted": services.has_voted(p),
        "received": selectors.comments_received(p),
        "written": selectors.comments_written(p),
        "case": getattr(p, "case", None) if not mine else None})


@scoped("appraisal_entry", "write", model=Participant)
def entry_self(request, p, scope):
    if p.round.stage != Stage.SELF or p.exempt:
        messages.info(request, _("The self-appraisal is written during the self-appraisal stage, by participants who are not exempt."))
        return redirect("appraisal-entry", p.pk)
    mine = _mine(request, p)
    return form_view(request, SelfForm(_data(request), initial={"text": p.self_text}),
                     perform=lambda d: services.write_self_appraisal(actor=request.user, participant=p, text=d["text"]),
                     done=lambda _p: (_("Self-appraisal saved."), reverse("appraisal-entry", args=[p.pk])),
                     template="appraisal/form.html",
                     context={"title": _("Self-appraisal %(y)s") % {"y": p.round.year} if mine else
                              _("Self-appraisal of %(m)s, recorded on their behalf") % {"m": p.name},
                              "warning": "" if mine else _("Recorded on behalf of the member: the record says so."),
                              "cancel": reverse("appraisal-entry", args=[p.pk])})


@scoped("appraisal_entry", "take_part", model=Participant)
def entry_mutual(request, p, scope):
    if p.round.stage != Stage.MUTUAL or p.exempt:
        messages.info(request, _("Comments on other members are written during the mutual-appraisal stage."))
        return redirect("appraisal-entry", p.pk)
    existing = selectors.comment_texts_by(p)
    form = CommentsForm(_data(request), author=p, existing=existing)
    return form_view(request, form,
                     perform=lambda d: services.write_comments(actor=request.user, author=p, comments=form.comments()),
                     done=lambda n: (_("Comments saved (%(n)s).") % {"n": n}, reverse("appraisal-entry", args=[p.pk])),
                     template="appraisal/form.html",
                     context={"title": _("Mutual appraisal %(y)s") % {"y": p.round.year},
                              "intro": _("Optional: a short comment on any other participant. Comments carry your name."),
                              "cancel": reverse("appraisal-entry", args=[p.pk])})


@scoped("appraisal_entry", "take_part", model=Participant)
def entry_vote(request, p, scope):
    if p.round.stage != Stage.ASSESSMENT:
        messages.info(request, _("Ballots are cast during the democratic assessment stage."))
        return redirect("appraisal-entry", p.pk)
    if not p.may_vote:
        messages.info(request, _("You have no vote in the democratic assessment (probationary, exempt, or rights restricted)."))
        return redirect("appraisal-entry", p.pk)
    if services.has_voted(p):
        messages.info(request, _("You have already cast your ballot in this round."))
        return redirect("appraisal-entry", p.pk)
    form = BallotForm(_data(request), voter=p)
    return form_view(request, form,
                     perform=lambda d: services.cast_ballot(actor=request.user, voter=p, marks=form.marks()),
                     done=lambda _x: (_("Your ballot is cast. It is stored without your name."), reverse("appraisal-entry", args=[p.pk])),
                     template="appraisal/ballot.html",
                     context={"p": p, "r": p.round, "cancel": reverse("appraisal-entry", args=[p.pk])})


@authenticated
def mine(request):
    """The signed-in member's appraisals: what to do in open rounds, grades of closed ones."""
    rows = list(selectors.my_participations(request.user))
    voted = selectors.voted_among(rows)
    for p in rows:
        p.voted = p.pk in voted
    return render(request, "appraisal/mine.html", {"rows": rows})


# -- disposition cases ------------------------------------------------------------------------

@scoped("appraisal_case", "view", model=DispositionCase)
def case_detail(request, case, scope):
    audit.record(actor=request.user, action="appraisal.case_viewed", obj=case, data={"member": case.member_id})
    return render(request, "appraisal/case.html", {"c": case, "can_decide": scope.can("decide", case)})


@scoped("appraisal_case", "decide", model=DispositionCase)
def case_decide(request, case, scope):
    if case.status != "open":
        messages.info(request, _("The case is already decided."))
        return redirect("appraisal-case", case.pk)
    return form_view(request, DecideForm(_data(request), initial={"decided_on": timezone.localdate()}),
                     perform=lambda d: services.decide_case(actor=request.user, case=case, outcome=d["outcome"], note=d["note"],
                                                            decided_on=d["decided_on"], correct_until=d.get("correct_until"),
                                                            help_plan=d.get("help_plan", "")),
                     done=lambda c: (_("The decision is recorded."), reverse("appraisal-case", args=[case.pk])),
                     template="appraisal/form.html",
                     context={"title": _("Decision on %(m)s (graded 不合格 in %(y)s)") % {"m": case.member.name, "y": case.round.year},
                              "intro": _("Education and help come first (DOMAIN §6). 劝退 and 除名 are decided by the 支部大会 and "
                                         "approved by the upper organization; the platform records the decision and changes nothing else."),
                              "cancel": reverse("appraisal-case", args=[case.pk])})
