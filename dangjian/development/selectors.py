"""Reads of member development: due/overdue alerts, the pipeline per branch, org-level warnings.

Alerts are computed from the recorded step dates at read time (nothing is inferred into the
case): DOMAIN §11 "Member development" — [warn→red] talk within 1 month, [remind] half-yearly
assessment, [warn] 支部大会 >1 month after pre-review, [warn] approval after 3 months / [red]
after 6, [cfg] oath within 1 month, [remind] probation end 1 month / 1 week before, [warn] no
conversion decision after expiry, [warn] conversion approval after 3 months.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import config
from dangjian.core.dates import same_day_months_later
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization, OrgStatus
from dangjian.members.api import Member, MemberStatus, RecordState

from . import rules
from .models import CaseAssessment, CaseDocument, CasePublicity, CaseStatus, CaseStep, CaseWarning, DevelopmentCase, LocalHoliday
from .rules import BODY_LABELS, PERSON_STAGES, STAGES, STEPS, person_stage

ALERT_CODES = (1, 3, 13, 15, 17, 20, 23)
LEVEL_ORDER = {"red": 3, "warn": 2, "remind": 1}


@dataclass
class Alert:
    rule_id: str
    article: str
    rule_version: str
    severity: str  # red / warn / remind
    message: str
    due: dt.date
    kind: str  # reminder kind (notifications): talk, assessment, probation_1m, probation_1w, approval, conversion...
    to_member: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.due.isoformat()}"


def _a(pack, rid, severity, message, due, kind, to_member=False) -> Alert:
    r = pack.rules[rid]
    return Alert(rid, r.article, pack.version, severity, message, due, kind, to_member)


def alerts_for(case: DevelopmentCase, today: dt.date | None = None, dates: dict[int, dt.date] | None = None,
               last_assessment: dt.date | None = None) -> list[Alert]:
    """What is due or overdue for an open case on ``today`` (see the module docstring)."""
    if case.status != CaseStatus.OPEN:
        return []
    today = today or timezone.localdate()
    pack = case.pack
    if dates is None:
        dates = dict(CaseStep.objects.filter(case=case).values_list("code", "date"))
    if last_assessment is None and 3 <= case.last_code <= 6:
        last_assessment = CaseAssessment.objects.filter(case=case).aggregate(m=Max("date"))["m"]
    out: list[Alert] = []
    n = case.last_code
    if n == 1:
        due = same_day_months_later(dates[1], 1)
        if today > due:
            out.append(_a(pack, "talk_1m", "red", _("No talk within 1 month of the application (due %(d)s).") % {"d": due}, due, "talk"))
        elif today >= due - dt.timedelta(days=7):
            # [warn→red]: a warning in the last week, red once the month has passed
            out.append(_a(pack, "talk_1m", "warn", _("The talk with the applicant is due by %(d)s.") % {"d": due}, due, "talk"))
    if 3 <= n <= 6 and dates.get(3):
        base = max(d for d in (dates[3], last_assessment) if d)
        due = same_day_months_later(base, 6)
        if today > due:
            out.append(_a(pack, "assess_6m", "warn", _("The half-yearly assessment of the activist is overdue (due %(d)s).") % {"d": due}, due, "assessment"))
        elif today >= due - dt.timedelta(days=14):
            out.append(_a(pack, "assess_6m", "remind", _("The half-yearly assessment of the activist is due by %(d)s.") % {"d": due}, due, "assessment"))
    if n in (13, 14) and dates.get(13):
        due = same_day_months_later(dates[13], 1)
        if today > due:
            out.append(_a(pack, "meeting_1m_after_prereview", "warn", _("No branch general meeting within 1 month of the pre-review (due %(d)s).") % {"d": due}, due, "meeting"))
    if n in (15, 16) and dates.get(15):
        due3, due6 = same_day_months_later(dates[15], 3), same_day_months_later(dates[15], 6)
        if today > due6:
            out.append(_a(pack, "approval_6m", "red", _("Not approved 6 months after the branch general meeting (%(d)s): the admission must be redone.") % {"d": dates[15]}, due6, "approval"))
        elif today > due3:
            out.append(_a(pack, "approval_3m", "warn", _("Not approved within 3 months of the branch general meeting (due %(d)s).") % {"d": due3}, due3, "approval"))
    if n in (17, 18, 19) and dates.get(17) and pack.on("oath_1m"):
        due = same_day_months_later(dates[17], 1)
        if today > due:
            out.append(_a(pack, "oath_1m", "warn", _("No oath within 1 month of approval (due %(d)s).") % {"d": due}, due, "oath"))
    if 17 <= n <= 22 and case.probation_end:
        end = case.probation_end
        if today > end:
            out.append(_a(pack, "conversion_overdue", "warn", _("The probation ended on %(d)s and no conversion decision has been taken.") % {"d": end}, end, "conversion", True))
        elif today >= end - dt.timedelta(days=7):
            out.append(_a(pack, "probation_1y", "remind", _("The probation ends on %(d)s (in a week or less).") % {"d": end}, end - dt.timedelta(days=7), "probation_1w", True))
        elif today >= same_day_months_later(end, -1):
            out.append(_a(pack, "probation_1y", "remind", _("The probation ends on %(d)s (in a month or less).") % {"d": end}, same_day_months_later(end, -1), "probation_1m", True))
    if n == 23 and dates.get(23):
        due = same_day_months_later(dates[23], 3)
        if today > due:
            out.append(_a(pack, "conversion_approval_3m", "warn", _("The conversion is not approved within 3 months of the branch general meeting (due %(d)s).") % {"d": due}, due, "conversion_approval"))
    return out


def worst(alerts: list[Alert]) -> str:
    return max((a.severity for a in alerts), key=lambda s: LEVEL_ORDER.get(s, 0), default="")


def bulk_alerts(cases: list[DevelopmentCase], today: dt.date | None = None) -> dict[int, list[Alert]]:
    """Alerts of many open cases with two queries (step dates, last assessments)."""
    ids = [c.pk for c in cases if c.status == CaseStatus.OPEN]
    dates: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for cid, code, d in CaseStep.objects.filter(case_id__in=ids, code__in=ALERT_CODES).values_list("case_id", "code", "date"):
        dates[cid][code] = d
    last = dict(CaseAssessment.objects.filter(case_id__in=ids).values("case_id").annotate(m=Max("date")).values_list("case_id", "m"))
    return {c.pk: alerts_for(c, today, dates.get(c.pk, {}), last.get(c.pk)) for c in cases if c.pk in set(ids)}


# -- lists ------------------------------------------------------------------------------------
STAGE_RANGES = {key: (lo, hi) for key, _l, lo, hi in PERSON_STAGES}


def case_queryset(scope, *, org: Organization | None = None, stage: str = "", status: str = "", q: str = ""):
    qs = scope.filter(DevelopmentCase.objects.select_related("org"), "view")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if stage in STAGE_RANGES:
        lo, hi = STAGE_RANGES[stage]
        qs = qs.filter(status=CaseStatus.OPEN, last_code__gte=lo, last_code__lte=hi)
    if q:
        qs = qs.filter(name__startswith=q.strip())
    return qs.order_by("org_path", "name", "id")


def open_cases(qs):
    """The open cases of a case list (the overdue filter slices it)."""
    return qs.filter(status=CaseStatus.OPEN)


def member_holding_orgs(org: Organization):
    return (Organization.objects.filter(path__startswith=org.path, status=OrgStatus.ACTIVE,
                                        kind__in=[k.value for k in MEMBER_HOLDING_KINDS]).exclude(kind="party_group")
            .order_by("path"))


def pipeline(branches: list[Organization], today: dt.date | None = None) -> list[dict]:
    """Per branch: open cases by person stage, how many have red / warning alerts, and the
    org-level development warning (Huaining colours)."""
    today = today or timezone.localdate()
    paths = [b.path for b in branches]
    by_path = {b.path: b for b in branches}
    rows = {b.pk: {"org": b, "counts": dict.fromkeys([k for k, *_r in PERSON_STAGES], 0), "red": 0, "warn": 0} for b in branches}
    if not branches:
        return []
    q = Q()
    for p in paths:
        q |= Q(org_path=p)
    cases = list(DevelopmentCase.objects.filter(q, status=CaseStatus.OPEN).only("id", "org_id", "org_path", "last_code", "status", "rule_pack", "rule_items", "probation_end"))
    alerts = bulk_alerts(cases, today)
    for c in cases:
        row = rows.get(by_path[c.org_path].pk)
        stage = person_stage(c.last_code)
        if stage in row["counts"]:
            row["counts"][stage] += 1
        w = worst(alerts.get(c.pk, []))
        if w == "red":
            row["red"] += 1
        elif w == "warn":
            row["warn"] += 1
    warnings = org_warnings(branches, today)
    out = []
    for b in branches:
        r = rows[b.pk]
        r["org_warning"] = warnings.get(b.pk)
        out.append(r)
    return out


def subtree_totals(org: Organization) -> dict[str, int]:
    """Open cases of the whole subtree by person stage (one grouped query)."""
    from django.db.models import Count

    out = dict.fromkeys([k for k, *_r in PERSON_STAGES], 0)
    rows = (DevelopmentCase.objects.filter(org_path__startswith=org.path, status=CaseStatus.OPEN)
            .values("last_code").annotate(n=Count("id")).values_list("last_code", "n"))
    for code, n in rows:
        stage = person_stage(code)
        if stage in out:
            out[stage] += n
    return out


# -- org-level development warnings (DOMAIN §4.3, Huaining "four colours", local practice) ------
ORG_WARNING_DEFAULT = {"enabled": True, "area_types": ["village"]}
ORG_LEVELS = {
    "blue": gettext_lazy("Blue: no new activist this year"),
    "yellow": gettext_lazy("Yellow: nobody developed this year"),
    "orange": gettext_lazy("Orange: nobody developed for 2 years"),
    "red": gettext_lazy("Red: nobody developed for 3 years or more"),
}


def org_warning_config() -> dict:
    cfg = dict(ORG_WARNING_DEFAULT)
    cfg.update(config.value("DEVELOPMENT_ORG_WARNINGS", {}) or {})
    return cfg


def org_warnings(branches: list[Organization], today: dt.date | None = None) -> dict[int, dict]:
    """The Huaining colour of each branch (DOMAIN §4.3, local practice; [cfg]
    ``DANGJIAN_DEVELOPMENT_ORG_WARNINGS`` = {"enabled": True, "area_types": ["village"]}; an empty
    ``area_types`` list means every branch). "Developed" = a member who joined (支部大会 date) in
    the year, from the member roll and from the cases; "activist" = a step 3 dated in the year."""
    cfg = org_warning_config()
    if not cfg.get("enabled") or not branches:
        return {}
    today = today or timezone.localdate()
    areas = set(cfg.get("area_types") or [])
    targets = [b for b in branches if not areas or b.area_type in areas]
    if not targets:
        return {}
    ids = [b.pk for b in targets]
    joined = dict(Member.objects.filter(org_id__in=ids).values("org_id").annotate(m=Max("joined_on")).values_list("org_id", "m"))
    admitted = dict(CaseStep.objects.filter(case__org_id__in=ids, code=15).values("case__org_id").annotate(m=Max("date")).values_list("case__org_id", "m"))
    activist = dict(CaseStep.objects.filter(case__org_id__in=ids, code=3).values("case__org_id").annotate(m=Max("date")).values_list("case__org_id", "m"))
    out = {}
    y = today.year
    for b in targets:
        last_dev = max((d for d in (joined.get(b.pk), admitted.get(b.pk)) if d), default=None)
        last_dev_year = last_dev.year if last_dev else None
        level = ""
        if last_dev_year is None or last_dev_year <= y - 3:
            level = "red"
        elif last_dev_year == y - 2:
            level = "orange"
        elif last_dev_year == y - 1:
            level = "yellow"
        elif not activist.get(b.pk) or activist[b.pk].year < y:
            level = "blue"
        if level:
            out[b.pk] = {"level": level, "text": str(ORG_LEVELS[level]), "last_developed": last_dev,
                         "source": "DOMAIN §4.3 (Huaining, local practice)"}
    return out


# -- organizations of the pages -------------------------------------------------------------
def organization(pk: int) -> Organization | None:
    """An organization by id (the caller checks the scope), or None."""
    return Organization.objects.filter(pk=pk).first()


def single_root(scope, action: str = "view") -> Organization | None:
    """The user's one root organization for ``development.<action>``; None with several roots."""
    roots = scope.root_paths("development", action)
    return Organization.objects.filter(path=roots[0]).first() if len(roots) == 1 else None


def root_orgs(scope, action: str = "view"):
    """The user's root organizations for ``development.<action>`` (the pipeline's start page)."""
    return Organization.objects.filter(path__in=scope.root_paths("development", action)).order_by("path")


def child_orgs(org: Organization):
    """The active children of an organization (party groups left out)."""
    return Organization.objects.filter(parent=org, status=OrgStatus.ACTIVE).exclude(kind="party_group").order_by("path")


def manage_orgs(scope):
    """The branches where the user may open a case (``development.manage``)."""
    return (Organization.objects.filter(scope.q_paths("development", "manage", "path"))
            .filter(status=OrgStatus.ACTIVE, kind__in=[k.value for k in MEMBER_HOLDING_KINDS]).exclude(kind="party_group")
            .order_by("path"))


def calendar_orgs(scope):
    """The organizations whose local working-day calendar the user keeps (``development.calendar``)."""
    return Organization.objects.filter(scope.q_paths("development", "calendar", "path")).filter(status=OrgStatus.ACTIVE).order_by("path")


def calendar_default_org(scope) -> Organization | None:
    """The first of :func:`calendar_orgs` (the form's initial organization)."""
    return calendar_orgs(scope).first()


def local_days(scope):
    """The local holidays / make-up days the user sees, newest first."""
    return scope.filter(LocalHoliday.objects.select_related("org"), "calendar").order_by("-date")


# -- one case -------------------------------------------------------------------------------
def case_timeline(case: DevelopmentCase) -> list[dict]:
    """The 25 steps of the case with what was recorded, the people named and the files (3 queries)."""
    steps = {s.code: s for s in CaseStep.objects.filter(case=case).select_related("entered_by")}
    people_ids = [i for code, key in ((5, "contacts"), (9, "introducers")) if code in steps for i in steps[code].data.get(key, [])]
    names = dict(Member.objects.filter(pk__in=people_ids).values_list("pk", "name"))
    files: dict[int, list] = {}
    for d in CaseDocument.objects.filter(case=case).only("id", "step_code", "name"):
        files.setdefault(d.step_code, []).append(d)
    timeline = []
    for st in STEPS:
        row = steps.get(st.code)
        timeline.append({"step": st, "row": row, "body": BODY_LABELS[st.body], "stage": STAGES[st.stage],
                         "is_next": st.code == case.next_code,
                         "people": [names.get(i, "?") for i in (row.data.get("contacts") or row.data.get("introducers") or [])] if row else [],
                         "docs": row.documents if row else [], "files": files.get(st.code, []), "first_of_stage": st.code == min(s.code for s in STEPS if s.stage == st.stage)})
    return timeline


def case_publicities(case: DevelopmentCase) -> list[CasePublicity]:
    return list(CasePublicity.objects.filter(case=case).order_by("id"))


def case_warnings(case: DevelopmentCase):
    return CaseWarning.objects.filter(case=case)


def case_assessments(case: DevelopmentCase):
    return CaseAssessment.objects.filter(case=case)


def full_member_choices(org_path: str):
    """Full members with an active record in the subtree (training contacts, introducers)."""
    return (Member.objects.filter(org_path__startswith=org_path, status=MemberStatus.FULL, state=RecordState.ACTIVE)
            .order_by("name", "id"))


def stage_label(key: str) -> str:
    return str(next((label for k, label, *_r in PERSON_STAGES if k == key), _("Full members")))


__all__ = ["alerts_for", "bulk_alerts", "case_queryset", "pipeline", "org_warnings", "rules"]
