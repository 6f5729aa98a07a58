"""Reads of elections and terms, through the caller's scope."""
from __future__ import annotations

import datetime as dt

from dangjian.core.dates import same_day_months_later
from dangjian.core.models import Organization, OrgKind
from dangjian.members.api import Member, RecordState, RightsRestriction

from . import services
from .models import CommitteeMember, Election, Term, TermAdjustment

TERM_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PRIMARY_COMMITTEE, OrgKind.TOWN_COMMITTEE)


def member_choices(org: Organization):
    """Members on record (active) in ``org``'s subtree, by name: the candidates an election may
    list and the members a suspension of voting rights may be recorded for."""
    return Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE).order_by("name")


def meeting_choices(org: Organization):
    """The organization's own org-life meetings, newest first: which one was the election meeting."""
    from dangjian.orglife.api import Meeting

    return Meeting.objects.filter(org=org).order_by("-starts_at")


def candidates_of(election: Election):
    """The election's candidates with their member records (lazy: a queryset)."""
    return election.candidates.select_related("member")


def entitled_voter_count(org: Organization, on: dt.date) -> int:
    """How many voters are entitled (应到) in ``org`` on ``on`` (:func:`services.entitled_voters`)."""
    return services.entitled_voters(org, on).count()


def unfiled_seats(org: Organization) -> list[CommitteeMember]:
    """The current term's seats awaiting filing (备案), with their members
    (:func:`services.unfiled_seats`)."""
    return list(services.unfiled_seats(org).select_related("member"))


def terms_in_subtree(scope, org: Organization, only: str, today: dt.date):
    """(queryset ordered by term end, counts) of the organizations with terms under ``org``."""
    qs = (Organization.objects.filter(scope.q_paths("election", "view", "path"), path__startswith=org.path,
                                      status="active", kind__in=TERM_KINDS).order_by("term_ends_on", "path"))
    soon_until = same_day_months_later(today, services.cfg("expiring_soon_months"))
    counts = {"all": qs.count(), "expired": qs.filter(term_ends_on__lt=today).count(),
              "soon": qs.filter(term_ends_on__gte=today, term_ends_on__lte=soon_until).count(),
              "unknown": qs.filter(term_ends_on__isnull=True).count()}
    if only == "expired":
        qs = qs.filter(term_ends_on__lt=today)
    elif only == "soon":
        qs = qs.filter(term_ends_on__gte=today, term_ends_on__lte=soon_until)
    return qs, counts


def org_term_page(org: Organization) -> dict:
    term = services.current_term(org)
    seats = list(CommitteeMember.objects.filter(term=term, ended_on__isnull=True).select_related("member")) if term else []
    return {
        "term": term, "seats": seats,
        "terms": Term.objects.filter(org=org).select_related("election")[:50],
        "elections": Election.objects.filter(org=org)[:50],
        "adjustments": TermAdjustment.objects.filter(org=org)[:50],
        "restrictions": RightsRestriction.objects.filter(org_path__startswith=org.path).select_related("member")[:100],
        "findings": services.committee_findings(org),
        "unfiled": sum(1 for x in seats if x.filed_on is None),
        "term_years": services.term_length(org),
    }
