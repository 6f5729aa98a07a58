"""Completion status of required organizational life (三会一课 etc.): done / due / overdue.

Rules (DOMAIN.md §1.1 and §11 "三会一课 & org life", rule version ``conf.RULE_VERSION``):

* 支部党员大会 ≥1 per quarter; 支委会 ≥1 per month; each 党小组 ≥1 per month; 党课 ≥1 per
  quarter; 主题党日 1 per month; 组织生活会 ≥1 per year, normally in Q4; 民主评议 1 per year —
  exactly as configured on ``orglife.MeetingType`` (``frequency``, ``min_per_period``,
  ``due_quarter``, ``rule_ref``; counties add custom required types for their subtree).
* *Held* means a meeting whose minutes were signed off (``orglife.models.HELD_STATUSES``:
  RECORDED) and whose ``starts_at`` lies in the period. Periods are calendar months, quarters
  and years in Beijing time (Asia/Shanghai): a meeting at 2026-10-31 23:30 +08:00 counts for
  October even though it is 15:30 UTC.
* Status of one (organization, type, period), see :func:`status_of`:
  DONE ≥ min held · DUE period open (for a type with ``due_quarter``: inside that quarter) and not
  yet held · OVERDUE period over, not held · NOT_YET period (or due quarter) not begun · N/A the
  type does not apply (see :func:`applicability`).
* Who must hold org life: branch-like organizations (branch, general branch, primary Party
  committee). A Party group holds only 党小组会; a branch's 党小组会 row is done when **each**
  of its active Party groups held one (DOMAIN §11 "each 党小组 ≥1 per month").
* 支委会 (types whose audience is the committee) applies to a branch only if it has a committee.
  Our reading of DOMAIN §2 / 支部工作条例 art. 9 (documented choice): a branch *has* a committee
  when it has ≥7 full members (it must have one — if it has not, the meeting is still required
  and shows overdue, next to the structure warning), or when ≥3 of its members hold committee
  positions (secretary, deputy, organization, propaganda, discipline, committee member: a
  committee of 3–5 exists). Otherwise (fewer than 7 full members: "one secretary, no committee")
  the 支委会 row is N/A. General branches and primary committees always have a committee.
* An organization founded after a period ended, or dissolved before it began, has N/A there.

Everything is computed with three aggregate queries for a whole subtree (organizations, member
counts, held-meeting counts per organization × type × month); the rest is pure Python.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import Organization, OrgKind, OrgStatus

TZ = ZoneInfo("Asia/Shanghai")

DONE, DUE, OVERDUE, NOT_YET, NA = "done", "due", "overdue", "not_yet", "na"
STATUSES = (DONE, DUE, OVERDUE, NOT_YET, NA)
STATUS_LABELS = {
    DONE: pgettext_lazy("completion", "Done"),
    DUE: pgettext_lazy("completion", "Due"),
    OVERDUE: pgettext_lazy("completion", "Overdue"),
    NOT_YET: pgettext_lazy("completion", "Not yet"),
    NA: pgettext_lazy("completion", "Not applicable"),
}
# the second signal besides colour (colour-blind users, black-and-white print)
STATUS_ICONS = {DONE: "✔", DUE: "◔", OVERDUE: "✖", NOT_YET: "·", NA: "—"}
STATUS_HELP = {
    DONE: _("held at least the required number of times in the period"),
    DUE: _("the period is open and the meeting has not been held yet"),
    OVERDUE: _("the period is over and the meeting was not held"),
    NOT_YET: _("the period has not begun"),
    NA: _("this meeting type does not apply to this organization"),
}

BRANCH_LIKE = (OrgKind.BRANCH.value, OrgKind.GENERAL_BRANCH.value, OrgKind.PRIMARY_COMMITTEE.value)
ALWAYS_COMMITTEE = (OrgKind.GENERAL_BRANCH.value, OrgKind.PRIMARY_COMMITTEE.value)
COMMITTEE_AT_FULL_MEMBERS = 7  # DOMAIN §2: ≥7 full members → 支部委员会
COMMITTEE_MIN_POSITIONS = 3  # DOMAIN §2: a committee has 3–5 (≤7) members


# -- periods ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year in Beijing time."""

    frequency: str  # "month" | "quarter" | "year"
    year: int
    index: int  # month 1–12, quarter 1–4, 1 for the year

    @cached_property
    def first_month(self) -> int:
        return {"month": self.index, "quarter": 3 * self.index - 2, "year": 1}[self.frequency]

    @cached_property
    def span(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.frequency]

    @cached_property
    def months(self) -> range:
        return range(self.first_month, self.first_month + self.span)

    @cached_property
    def start(self) -> dt.datetime:
        return dt.datetime(self.year, self.first_month, 1, tzinfo=TZ)

    @cached_property
    def end(self) -> dt.datetime:
        """Exclusive end: the first instant of the next period."""
        m = self.first_month + self.span
        return dt.datetime(self.year + (m - 1) // 12, (m - 1) % 12 + 1, 1, tzinfo=TZ)

    @cached_property
    def key(self) -> str:
        if self.frequency == "month":
            return f"{self.year}-{self.index:02d}"
        if self.frequency == "quarter":
            return f"{self.year}-Q{self.index}"
        return f"{self.year}"

    @property
    def label(self) -> str:
        if self.frequency == "month":
            return _("%(y)s-%(m)02d") % {"y": self.year, "m": self.index}
        if self.frequency == "quarter":
            return _("Q%(q)s %(y)s") % {"q": self.index, "y": self.year}
        return str(self.year)

    def quarter_start(self, quarter: int) -> dt.datetime:
        return dt.datetime(self.year, 3 * quarter - 2, 1, tzinfo=TZ)


@lru_cache(maxsize=256)
def periods_of_year(frequency: str, year: int) -> tuple[Period, ...]:
    n = {"month": 12, "quarter": 4, "year": 1}[frequency]
    return tuple(Period(frequency, year, i) for i in range(1, n + 1))


def period_containing(frequency: str, moment: dt.datetime) -> Period:
    local = timezone.localtime(moment, TZ)
    if frequency == "month":
        return Period("month", local.year, local.month)
    if frequency == "quarter":
        return Period("quarter", local.year, (local.month - 1) // 3 + 1)
    return Period("year", local.year, 1)


def parse_period(key: str) -> Period | None:
    """'2026-10' → month, '2026-Q4' → quarter, '2026' → year; None if malformed."""
    try:
        if len(key) == 4:
            return Period("year", int(key), 1)
        y, rest = key.split("-", 1)
        if rest.upper().startswith("Q"):
            q = int(rest[1:])
            return Period("quarter", int(y), q) if 1 <= q <= 4 else None
        m = int(rest)
        return Period("month", int(y), m) if 1 <= m <= 12 else None
    except (ValueError, TypeError):
        return None


def month_bucket(field: str, first: dt.date, n: int):
    """A portable SQL expression numbering the Beijing-time calendar month of ``field``: 0 for the
    month starting ``first``, 1 for the next... (rows outside the n months get NULL). Plain
    comparisons on the indexed column: no per-row time-zone function (slow on SQLite)."""
    from django.db.models import Case, IntegerField, Value, When

    whens = []
    for i in range(n):
        m = first.month - 1 + i + 1
        nxt = dt.datetime(first.year + m // 12, m % 12 + 1, 1, tzinfo=TZ)
        whens.append(When(**{f"{field}__lt": nxt}, then=Value(i)))
    return Case(*whens, default=None, output_field=IntegerField())


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    p = Period("month", year, month)
    return p.start, p.end


# -- the status rule (pure) ------------------------------------------------------------------

def status_of(*, held: int, minimum: int, period: Period, now: dt.datetime, due_quarter: int = 0) -> str:
    """DOMAIN §11 "period compliance": DONE if ``held ≥ minimum``; otherwise OVERDUE once the
    period is over, NOT_YET before it begins — for a yearly type with ``due_quarter`` (组织生活会:
    Q4, 教育管理条例 art. 17 "一般安排在第四季度") before that quarter begins — and DUE in between.
    A meeting held early (e.g. 组织生活会 in Q2) still makes the year DONE."""
    if held >= max(minimum, 1):
        return DONE
    if now >= period.end:
        return OVERDUE
    opens = period.start
    if due_quarter and period.frequency == "year":
        opens = period.quarter_start(due_quarter)
    if now < opens:
        return NOT_YET
    return DUE


# -- which types apply (pure) -----------------------------------------------------------------

@dataclass
class OrgFacts:
    """What the applicability rules need to know about one organization."""

    org_id: int
    kind: str
    path: str = ""
    name: str = ""
    parent_id: int | None = None
    full_members: int = 0
    committee_positions: int = 0
    groups: list[int] = field(default_factory=list)
    founded_on: dt.date | None = None
    dissolved_on: dt.date | None = None


def has_committee(f: OrgFacts) -> bool:
    """See the module docstring (DOMAIN §2 / 支部工作条例 art. 9)."""
    if f.kind in ALWAYS_COMMITTEE:
        return True
    return f.full_members >= COMMITTEE_AT_FULL_MEMBERS or f.committee_positions >= COMMITTEE_MIN_POSITIONS


def applicability(audience: str, f: OrgFacts) -> tuple[bool, str]:
    """Whether a required type with this default audience applies to the organization, and why not."""
    if f.kind == OrgKind.PARTY_GROUP:
        if audience == "group":
            return True, ""
        return False, str(_("A Party group holds only Party-group meetings (党小组会)."))
    if f.kind not in BRANCH_LIKE:
        return False, str(_("Only branches, general branches and primary Party committees hold these meetings."))
    if audience == "committee" and not has_committee(f):
        return False, str(_(
            "No branch committee: fewer than 7 full members and fewer than 3 committee positions "
            "(支部工作条例 art. 9, DOMAIN §2: one secretary, no committee)."))
    if audience == "group" and not f.groups:
        return False, str(_("This organization has no Party groups."))
    return True, ""


def lifetime_na(period: Period, f: OrgFacts) -> bool:
    if f.founded_on and period.end <= dt.datetime.combine(f.founded_on, dt.time(), TZ):
        return True
    if f.dissolved_on and period.start >= dt.datetime.combine(f.dissolved_on, dt.time(), TZ):
        return True
    return False


# -- types -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TypeInfo:
    id: int
    code: str
    name: str
    name_en: str
    frequency: str
    minimum: int
    due_quarter: int
    audience: str
    rule_ref: str
    owner_path: str
    order: int

    @property
    def display(self) -> str:
        lang = (get_language() or "zh-hans").lower()
        return self.name_en if lang.startswith("en") and self.name_en else self.name

    @property
    def frequency_label(self) -> str:
        from dangjian.orglife.api import Frequency

        return str(Frequency(self.frequency).label)

    def applies_below(self, path: str) -> bool:
        return not self.owner_path or path.startswith(self.owner_path)


def required_types(root_path: str = "") -> list[TypeInfo]:
    """Active required types with a frequency: national ones and custom ones owned by the root,
    its ancestors or anything in its subtree (filtered per organization later)."""
    from dangjian.orglife.api import Frequency, MeetingType

    qs = MeetingType.objects.filter(active=True, required=True).exclude(frequency=Frequency.NONE)
    if root_path:
        ancestors = [root_path[:i] for i in range(1, len(root_path) + 1)]
        qs = qs.filter(Q(owner_path="") | Q(owner_path__in=ancestors) | Q(owner_path__startswith=root_path))
    return [
        TypeInfo(t.id, t.code, t.name, t.name_en, t.frequency, t.min_per_period, t.due_quarter, t.audience,
                 t.rule_ref, t.owner_path, t.order)
        for t in qs.order_by("order", "id")
    ]


# -- the engine ------------------------------------------------------------------------------

@dataclass
class Cell:
    period: Period
    status: str
    held: int = 0
    minimum: int = 1
    note: str = ""  # why N/A, or which Party groups have not met
    meetings: list = field(default_factory=list)  # filled for one organization's calendar

    @property
    def icon(self) -> str:
        return STATUS_ICONS[self.status]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Row:
    type: TypeInfo
    cells: list[Cell]
    applicable: bool = True
    note: str = ""


@dataclass
class Subtree:
    """The loaded facts of a subtree for one year: organizations, their facts and held counts."""

    root: Organization
    year: int
    facts: dict[int, OrgFacts]
    evaluated: list[int]  # ids of the organizations that must hold org life, in path order
    counts: dict[tuple[int, int], dict[int, int]]  # (org_id, type_id) -> month -> held
    types: list[TypeInfo]
    names: dict[int, str]

    def held(self, org_id: int, type_id: int, period: Period) -> int:
        by_month = self.counts.get((org_id, type_id))
        if not by_month:
            return 0
        return sum(by_month.get(m, 0) for m in period.months)


def load_subtree(root: Organization, year: int, *, only_root: bool = False) -> Subtree:
    """Three queries: organizations (active, or dissolved during/after the year), member counts
    per organization, held meetings per organization × type × Beijing-time month."""
    from dangjian.members.api import COMMITTEE_POSITIONS, Member, MemberStatus, RecordState
    from dangjian.orglife.api import HELD_STATUSES, Meeting

    year_start = dt.datetime(year, 1, 1, tzinfo=TZ)
    year_end = dt.datetime(year + 1, 1, 1, tzinfo=TZ)
    orgs = (Organization.objects.filter(path__startswith=root.path, kind__in=[*BRANCH_LIKE, OrgKind.PARTY_GROUP])
            .filter(Q(status=OrgStatus.ACTIVE) | Q(dissolved_on__gte=year_start.date()))
            .only("id", "kind", "path", "name", "parent_id", "founded_on", "dissolved_on", "status")
            .order_by("path"))
    if only_root:
        orgs = orgs.filter(Q(pk=root.pk) | Q(parent_id=root.pk, kind=OrgKind.PARTY_GROUP))
    facts: dict[int, OrgFacts] = {}
    for o in orgs:
        dissolved = o.dissolved_on if o.status != OrgStatus.ACTIVE else None
        if o.status != OrgStatus.ACTIVE and dissolved is None:
            continue
        facts[o.pk] = OrgFacts(o.pk, o.kind, o.path, o.name, o.parent_id, founded_on=o.founded_on, dissolved_on=dissolved)
    for f in list(facts.values()):
        if f.kind == OrgKind.PARTY_GROUP and f.parent_id in facts and f.dissolved_on is None:
            facts[f.parent_id].groups.append(f.org_id)
    member_rows = (Member.objects.filter(org_path__startswith=root.path, state=RecordState.ACTIVE)
                   .values("org_id")
                   .annotate(full=Count("id", filter=Q(status=MemberStatus.FULL)),
                             pos=Count("id", filter=Q(position__in=[p.value for p in COMMITTEE_POSITIONS]))))
    for r in member_rows:
        f = facts.get(r["org_id"])
        if f is None:
            continue
        target = facts.get(f.parent_id) if f.kind == OrgKind.PARTY_GROUP and f.parent_id in facts else f
        target.full_members += r["full"]
        target.committee_positions += r["pos"]
    counts: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    meeting_rows = (Meeting.objects.filter(org_path__startswith=root.path, status__in=list(HELD_STATUSES),
                                           starts_at__gte=year_start, starts_at__lt=year_end)
                    .annotate(month=month_bucket("starts_at", dt.date(year, 1, 1), 12))
                    .values("org_id", "type_id", "month").annotate(n=Count("id")))
    for r in meeting_rows:
        month = r["month"] + 1
        counts[(r["org_id"], r["type_id"])][month] = counts[(r["org_id"], r["type_id"])].get(month, 0) + r["n"]
    if root.kind == OrgKind.PARTY_GROUP:
        evaluated = [root.pk] if root.pk in facts else []
    else:
        evaluated = [f.org_id for f in facts.values() if f.kind in BRANCH_LIKE]
        if only_root:
            evaluated = [i for i in evaluated if i == root.pk]
    return Subtree(root, year, facts, evaluated, counts, required_types(root.path),
                   {f.org_id: f.name for f in facts.values()})


def evaluate_org(st: Subtree, org_id: int, now: dt.datetime, types: list[TypeInfo] | None = None) -> list[Row]:
    """The rows (one per required type) of one organization's calendar for ``st.year``."""
    f = st.facts[org_id]
    born = dt.datetime.combine(f.founded_on, dt.time(), TZ) if f.founded_on else None
    gone = dt.datetime.combine(f.dissolved_on, dt.time(), TZ) if f.dissolved_on else None
    gone_text = str(_("The organization did not exist in this period.")) if born or gone else ""
    rows = []
    for t in types if types is not None else st.types:
        periods = periods_of_year(t.frequency, st.year)
        if not t.applies_below(f.path):
            continue
        ok, why = applicability(t.audience, f)
        if not ok:
            rows.append(Row(t, [Cell(p, NA, 0, t.minimum, why) for p in periods], applicable=False, note=why))
            continue
        cells = []
        by_month = st.counts.get((org_id, t.id)) or {}
        for p in periods:
            if (born and p.end <= born) or (gone and p.start >= gone):
                cells.append(Cell(p, NA, 0, t.minimum, gone_text))
                continue
            if t.audience == "group" and f.kind != OrgKind.PARTY_GROUP:
                cells.append(_group_cell(st, f, t, p, now))
                continue
            held = by_month.get(p.index, 0) if p.frequency == "month" else sum(by_month.get(m, 0) for m in p.months)
            cells.append(Cell(p, status_of(held=held, minimum=t.minimum, period=p, now=now, due_quarter=t.due_quarter),
                              held, t.minimum))
        rows.append(Row(t, cells))
    return rows


def _group_cell(st: Subtree, f: OrgFacts, t: TypeInfo, p: Period, now: dt.datetime) -> Cell:
    """A branch's 党小组会 cell: done when each active Party group met (DOMAIN §11)."""
    groups = [g for g in f.groups if not lifetime_na(p, st.facts[g])]
    if not groups:
        return Cell(p, NA, 0, t.minimum, str(_("This organization has no Party groups.")))
    done = [g for g in groups if st.held(g, t.id, p) >= max(t.minimum, 1)]
    status = DONE if len(done) == len(groups) else status_of(held=0, minimum=t.minimum, period=p, now=now,
                                                             due_quarter=t.due_quarter)
    missing = [st.names[g] for g in groups if g not in done]
    note = ""
    if missing:
        note = str(_("Party groups that have not met: %(names)s")) % {"names": "、".join(missing)}
    return Cell(p, status, len(done), len(groups), note)


def evaluate_subtree(st: Subtree, now: dt.datetime) -> dict[int, list[Row]]:
    return {org_id: evaluate_org(st, org_id, now) for org_id in st.evaluated}


# -- aggregates ------------------------------------------------------------------------------

@dataclass
class AggCell:
    period: Period
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(v for k, v in self.counts.items() if k != NA)


@dataclass
class AggRow:
    type: TypeInfo
    cells: list[AggCell]


def aggregate(st: Subtree, now: dt.datetime, evaluations: dict[int, list[Row]] | None = None) -> list[AggRow]:
    """Per type × period: how many organizations of the subtree are done / due / overdue /
    not yet / N/A ("how many branches held a 支委会 in October")."""
    evaluations = evaluations if evaluations is not None else evaluate_subtree(st, now)
    table: dict[int, dict[str, dict[str, int]]] = {t.id: defaultdict(lambda: dict.fromkeys(STATUSES, 0)) for t in st.types}
    for org_id in st.evaluated:
        seen = set()
        for row in evaluations[org_id]:
            seen.add(row.type.id)
            for c in row.cells:
                table[row.type.id][c.period.key][c.status] += 1
        for t in st.types:  # custom types owned elsewhere: N/A for this organization
            if t.id not in seen:
                for p in periods_of_year(t.frequency, st.year):
                    table[t.id][p.key][NA] += 1
    out = []
    for t in st.types:
        cells = [AggCell(p, dict(table[t.id][p.key])) for p in periods_of_year(t.frequency, st.year)]
        if any(c.total for c in cells):
            out.append(AggRow(t, cells))
    return out


def organizations_in_state(st: Subtree, now: dt.datetime, type_id: int, period: Period, state: str,
                           evaluations: dict[int, list[Row]] | None = None) -> list[tuple[OrgFacts, Cell]]:
    """The drill-down of one aggregate cell: the organizations in ``state`` for that type and period."""
    evaluations = evaluations if evaluations is not None else evaluate_subtree(st, now)
    out = []
    for org_id in st.evaluated:
        for row in evaluations[org_id]:
            if row.type.id != type_id:
                continue
            for c in row.cells:
                if c.period == period and c.status == state:
                    out.append((st.facts[org_id], c))
    return out


def now() -> dt.datetime:
    return timezone.now()
