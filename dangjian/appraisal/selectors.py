"""Reads of the democratic appraisal (no writes, no rules)."""
from __future__ import annotations

from collections import Counter, defaultdict
from fractions import Fraction

from django.db.models import Count, Q

from dangjian.core.models import Organization, OrgStatus

from .models import GRADE_ORDER, AppraisalRound, BallotMark, Grade, MutualComment, Participant, Stage, Voted
from .services import ROUND_KINDS, excellent_limit


def rounds_of(org: Organization):
    return AppraisalRound.objects.filter(org=org).select_related("meeting").order_by("-year")


def participants(rnd: AppraisalRound):
    """The round's participants, by Party group (DOMAIN §6: in large branches self and mutual
    appraisal may be held in Party groups), exempt members last."""
    return (Participant.objects.filter(round=rnd).select_related("member", "member__org")
            .annotate(n_comments=Count("comments_received")).order_by("exempt_basis", "member__org__path", "id"))


def progress(rnd: AppraisalRound) -> dict:
    """Counts for the round page: who wrote a self-appraisal, comments, ballots cast (not whose)."""
    agg = Participant.objects.filter(round=rnd).aggregate(
        total=Count("id"), exempt=Count("id", filter=~Q(exempt_basis="")),
        self_done=Count("id", filter=Q(exempt_basis="") & ~Q(self_text="")),
        voters=Count("id", filter=Q(may_vote=True)),
        graded=Count("id", filter=Q(exempt_basis="") & ~Q(grade="")))
    agg["appraised"] = agg["total"] - agg["exempt"]
    agg["comments"] = MutualComment.objects.filter(round=rnd).count()
    agg["voted"] = Voted.objects.filter(round=rnd).count()
    return agg


def tallies(rnd: AppraisalRound) -> dict[int, dict[str, int]] | None:
    """Assessment counts per participant and grade — only once the assessment stage has ended
    (grading, closed); None before, so nothing is shown while ballots are still being cast."""
    if rnd.stage not in (Stage.GRADING, Stage.CLOSED):
        return None
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Grade.values, 0))
    rows = (BallotMark.objects.filter(ballot__round=rnd).values("subject_id", "grade").annotate(n=Count("id")))
    for r in rows:
        out[r["subject_id"]][r["grade"]] = r["n"]
    return out


def grade_counts(rnd: AppraisalRound) -> dict:
    """Counts per grade among the graded participants, the 优秀 share and its limit."""
    parts = Participant.objects.filter(round=rnd, exempt_basis="")
    c = Counter(parts.values_list("grade", flat=True))
    n = sum(c.values())
    rows = [{"grade": g, "label": g.label, "n": c.get(g.value, 0),
             "pct": (round(100 * c.get(g.value, 0) / n, 1) if n else 0)} for g in GRADE_ORDER]
    excellent = c.get(Grade.EXCELLENT.value, 0)
    return {"rows": rows, "appraised": n, "ungraded": c.get("", 0), "excellent": excellent,
            "excellent_pct": round(100 * excellent / n, 1) if n else 0, "limit": excellent_limit(n),
            "share": Fraction(excellent, n) if n else Fraction(0)}


def voted_participant_ids(rnd: AppraisalRound) -> set[int]:
    """The participants of the round who have voted (``Voted``: that they voted, never what nor
    when — §11 "anonymous ballots unlinkable to voters"); for the managers' list of who still has to vote."""
    return set(Voted.objects.filter(round=rnd).values_list("participant_id", flat=True))


def voted_among(participations) -> set[int]:
    """Which of these participations (a member's own, over rounds) have voted; no query for none."""
    if not participations:
        return set()
    return set(Voted.objects.filter(participant__in=participations).values_list("participant_id", flat=True))


def round_cases(rnd: AppraisalRound) -> list:
    """The round's disposition cases (one per 不合格), with the member (for the round's managers)."""
    return list(rnd.cases.select_related("member"))


def comments_received(p: Participant):
    """Mutual-appraisal comments written about the participant, with their (named) authors."""
    return MutualComment.objects.filter(subject=p).select_related("author").order_by("id")


def comments_written(p: Participant):
    """Mutual-appraisal comments the participant wrote, with their subjects."""
    return MutualComment.objects.filter(author=p).select_related("subject").order_by("id")


def comment_texts_by(author: Participant) -> dict[int, str]:
    """subject participant id → the text the author wrote about them (the comment form's initial values)."""
    return dict(MutualComment.objects.filter(author=author).values_list("subject_id", "text"))


def paper_voter_choices(rnd: AppraisalRound):
    """Participants with a vote who have not voted yet (online or on paper): whom the paper-ballot
    step 1 may tick (the form's choices), by id."""
    voted = Voted.objects.filter(round=rnd).values("participant_id")
    return Participant.objects.filter(round=rnd, may_vote=True).exclude(pk__in=voted).order_by("id")


def paper_ballot_subjects(rnd: AppraisalRound) -> list[Participant]:
    """Whom a paper ballot rates: every graded (not exempt) participant, by id — the same list as
    the online ballot (``services.ballot_subjects``), so a ballot never points at its voter."""
    return list(Participant.objects.filter(round=rnd, exempt_basis="").order_by("id"))


def my_participations(user):
    return (Participant.objects.filter(member__user=user).select_related("round", "round__org")
            .order_by("-round__year", "-id"))


def member_grades(member) -> list:
    """A member's grades per year (closed rounds only)."""
    return list(Participant.objects.filter(member=member, round__stage=Stage.CLOSED)
                .select_related("round", "round__org").order_by("-round__year"))


def overview(org: Organization, year: int):
    """The branches in ``org``'s subtree that hold an appraisal, for a paged list: a queryset of
    organizations and a function annotating one page with each branch's round and grade counts."""
    qs = (Organization.objects.filter(path__startswith=org.path, kind__in=list(ROUND_KINDS), status=OrgStatus.ACTIVE)
          .order_by("path"))
    rounds = AppraisalRound.objects.filter(org_path__startswith=org.path, year=year)
    totals = {"orgs": qs.count(), "rounds": rounds.count(), "closed": rounds.filter(stage=Stage.CLOSED).count()}
    gc = Counter(dict(Participant.objects.filter(round__in=rounds.filter(stage=Stage.CLOSED), exempt_basis="")
                      .values_list("grade").annotate(n=Count("id")).values_list("grade", "n")))
    totals["grades"] = [{"label": g.label, "grade": g.value, "n": gc.get(g.value, 0)} for g in GRADE_ORDER]
    totals["graded"] = sum(gc.values())

    def annotate(page_orgs):
        ids = [o.pk for o in page_orgs]
        by_org = {r.org_id: r for r in AppraisalRound.objects.filter(org_id__in=ids, year=year)}
        counts: dict = defaultdict(Counter)
        for rid, g, n in (Participant.objects.filter(round__in=list(by_org.values()), exempt_basis="")
                          .values_list("round_id", "grade").annotate(n=Count("id")).values_list("round_id", "grade", "n")):
            counts[rid][g] = n
        for o in page_orgs:
            r = by_org.get(o.pk)
            o.appraisal_round = r
            o.grade_counts = [counts[r.pk].get(g.value, 0) for g in GRADE_ORDER] if r else []
        return page_orgs

    return qs, totals, annotate
