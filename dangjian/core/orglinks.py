"""The work pages of one organization, linked from its page (the "hub" of a branch or a town).

One table, read by :func:`links_for`: a link shows only when the viewer's POLICY row reaches the
organization. URL names are strings, so core imports nothing from the apps that serve them.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import MEMBER_HOLDING_KINDS, OrgKind

BRANCH_LIKE = {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PRIMARY_COMMITTEE}
LEADING = {OrgKind.PROVINCE_COMMITTEE, OrgKind.CITY_COMMITTEE, OrgKind.COUNTY_COMMITTEE, OrgKind.TOWN_COMMITTEE,
           OrgKind.PRIMARY_COMMITTEE, OrgKind.GENERAL_BRANCH}


@dataclass(frozen=True)
class OrgLink:
    group: str
    label: str
    url_name: str
    resource: str
    action: str
    kinds: frozenset | None = None  # None: every kind
    by_query: bool = False  # ?org=<pk> instead of <pk> in the path
    testid: str = ""


def _l(group, label, url_name, resource, action, kinds=None, by_query=False):
    return OrgLink(group, label, url_name, resource, action, frozenset(kinds) if kinds else None, by_query,
                   "orglink-" + url_name)


ORG_LIFE, AFFAIRS, PUBLIC = _("Organizational life"), _("Party affairs"), _("Publicity")
ORG_LINKS = [
    _l(ORG_LIFE, _("Meetings"), "orglife-meetings", "meeting", "view", by_query=True),
    _l(ORG_LIFE, _("Plan a meeting"), "orglife-meeting-plan", "meeting", "plan", MEMBER_HOLDING_KINDS, by_query=True),
    _l(ORG_LIFE, _("Meeting records"), "minutes-list", "meeting", "view", by_query=True),
    _l(ORG_LIFE, _("Completion calendar"), "supervision-calendar", "supervision", "view", BRANCH_LIKE | {OrgKind.PARTY_GROUP}),
    _l(ORG_LIFE, _("Completion overview"), "supervision-overview", "supervision", "view", LEADING),
    _l(ORG_LIFE, _("Heart-to-heart talks"), "orglife-talks", "heart_talk", "view", MEMBER_HOLDING_KINDS),
    _l(ORG_LIFE, _("Democratic appraisal"), "appraisal-org", "appraisal", "view", BRANCH_LIKE),
    _l(ORG_LIFE, _("Appraisal overview"), "appraisal-overview", "appraisal", "overview", LEADING),
    _l(ORG_LIFE, _("Supervision lists"), "supervision-lists", "supervision", "view"),
    _l(ORG_LIFE, _("Bulletins"), "supervision-bulletins", "supervision", "view"),
    _l(AFFAIRS, _("Member development"), "development-pipeline", "development", "view", by_query=True),
    _l(AFFAIRS, _("Party dues"), "dues-branch", "dues", "view", by_query=True),
    _l(AFFAIRS, _("Transfers out"), "transfers-outgoing", "transfer", "view"),
    _l(AFFAIRS, _("Transfers in"), "transfers-incoming", "transfer_in", "view"),
    _l(AFFAIRS, _("Flowing and lost-contact members"), "transfers-away", "flowing", "view"),
    _l(AFFAIRS, _("Members flowing in"), "transfers-flowing-in", "flowing_in", "view", MEMBER_HOLDING_KINDS),
    _l(AFFAIRS, _("Committee and term"), "elections-org", "election", "view"),
    _l(AFFAIRS, _("Terms below"), "elections-terms", "election", "view", LEADING),
    _l(PUBLIC, _("Publicity board"), "publicity-org", "publicity", "view"),
]


def links_for(scope, org) -> list[dict]:
    """The links this viewer gets on ``org``'s page, grouped: ``[{"group", "links": [...]}]``."""
    groups: dict[str, list] = {}
    for link in ORG_LINKS:
        if link.kinds is not None and org.kind not in link.kinds:
            continue
        if not scope.path_allows(link.resource, link.action, org.path):
            continue
        try:
            url = reverse(link.url_name) + f"?org={org.pk}" if link.by_query else reverse(link.url_name, kwargs={"pk": org.pk})
        except NoReverseMatch:
            continue
        groups.setdefault(str(link.group), []).append({"label": link.label, "url": url, "testid": link.testid})
    return [{"group": g, "links": ls} for g, ls in groups.items()]
