"""The monthly tiered bulletin (分级分档通报) — seed 003 (Hejian): the platform "identifies
organizations that have not held org life for a long time or irregularly, manages them in tiers
(分级分档) and circulates a bulletin every month"; warnings per DOMAIN §9.2 (Laizhou) and §11
("every warning … goes to the responsible role (secretary, upper org) by system message").

Grading (rule version ``conf.RULE_VERSION``, thresholds ``DANGJIAN_BULLETIN_GRADES``):

* the **items** of an organization for month M are the required (type, period) cells of the
  completion calendar whose period *closes* with M — every monthly type; quarterly types in
  March, June, September, December; yearly types (组织生活会, 民主评议) in December — N/A cells
  excluded. ``completion`` = done items / items in per cent (100 when there are no items);
* ``attendance`` = the mean rate (实到/应到, exempt members out of the denominator) of the held
  meetings of the organization and its Party groups that started in M; None if none has a rate;
* grade **D** — no org life at all in M (no held meeting of any type; Laizhou rule);
  **A** — completion ≥ A.completion (default 100 %) and attendance ≥ A.attendance (90 %);
  **B** — completion ≥ B.completion (80 %) and attendance ≥ B.attendance (80 %);
  **C** — anything else (org life held, but incomplete or poorly attended, or no attendance data).
* A row is **warned** when graded D or when any item is overdue.

Publishing: one bulletin per publishing organization (county or town committee) and month. Its
rows cover every branch-like organization of the subtree. Messages: the publisher's org admins
get the bulletin; each organization's secretary gets its own grade (or a warning) only from the
*nearest* publisher above it, so a branch under a town hears from the town, not twice; the
warnings also go to that publisher's org admins. Nobody outside the subtree is told anything.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.dates import month_start_offset
from dangjian.core.models import Organization, OrgKind, OrgStatus, Role

from . import completion as C
from . import conf
from .models import Bulletin, BulletinRow, Grade
from .selectors import current_month, meeting_rates

PUBLISHER_KINDS = (OrgKind.COUNTY_COMMITTEE.value, OrgKind.TOWN_COMMITTEE.value)


def grade(*, held_any: bool, completion: float | None, attendance: float | None, thresholds: dict | None = None) -> str:
    """The grade of one organization for one month (see the module docstring). Pure."""
    th = thresholds or conf.grade_thresholds()
    if not held_any:
        return Grade.D
    comp = 100.0 if completion is None else completion
    for g in ("A", "B"):
        t = th[g]
        if attendance is not None and comp >= t["completion"] and attendance >= t["attendance"]:
            return g
    return Grade.C


def previous_month(now: dt.datetime | None = None) -> dt.date:
    return month_start_offset(current_month(now), -1)


def _nearest_publisher_paths(publisher: Organization) -> list[str]:
    return sorted(Organization.objects.filter(path__startswith=publisher.path, kind__in=PUBLISHER_KINDS,
                                              status=OrgStatus.ACTIVE).values_list("path", flat=True), key=len)


def _nearest(path: str, publisher_paths: list[str]) -> str | None:
    best = None
    for p in publisher_paths:
        if path.startswith(p) and p != path and (best is None or len(p) > len(best)):
            best = p
    return best


def compute_rows(publisher: Organization, month: dt.date, now: dt.datetime) -> list[dict]:
    """The figures and grade of every branch-like organization under ``publisher`` for ``month``
    (see the module docstring); nothing is written."""
    st = C.load_subtree(publisher, month.year)
    evaluations = C.evaluate_subtree(st, now)
    period = C.Period("month", month.year, month.month)
    rates: dict[int, list[float]] = {}
    for m in meeting_rates(publisher, period.start, period.end):
        f = st.facts.get(m.org_id)
        owner = f.parent_id if f is not None and f.kind == OrgKind.PARTY_GROUP else m.org_id
        if m.rate is not None:
            rates.setdefault(owner, []).append(m.rate)
    th = conf.grade_thresholds()
    out = []
    for org_id in st.evaluated:
        f = st.facts[org_id]
        if f.dissolved_on is not None:
            continue
        items = [(row.type, c) for row in evaluations[org_id] for c in row.cells
                 if c.period.end == period.end and c.status != C.NA]
        done = [t for t, c in items if c.status == C.DONE]
        overdue = [t.display for t, c in items if c.status != C.DONE]
        held = sum(n for (oid, _t), by_month in st.counts.items() if oid in (org_id, *f.groups)
                   for mo, n in by_month.items() if mo == month.month)
        completion = round(100 * len(done) / len(items), 1) if items else None
        rs = rates.get(org_id, [])
        attendance = round(sum(rs) / len(rs), 1) if rs else None
        g = grade(held_any=held > 0, completion=completion, attendance=attendance, thresholds=th)
        out.append({
            "org_id": org_id, "org_path": f.path, "org_name": f.name, "grade": g,
            "required_count": len(items), "done_count": len(done), "completion": completion,
            "attendance": attendance, "meetings_held": held, "overdue": overdue,
            "warned": g == Grade.D or bool(overdue),
        })
    return out


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:g}%"


def generate_bulletin(*, publisher: Organization, month: dt.date, actor=None, force: bool = False,
                      now: dt.datetime | None = None, send: bool = True) -> tuple[Bulletin, bool]:
    """Compute, store and publish the bulletin of ``publisher`` (a county or town committee) for
    the complete month ``month`` (seed 003 分级分档, DOMAIN §9.2, §11). Idempotent: an existing
    bulletin of that month is returned untouched unless ``force`` (the "generate now" button),
    which recomputes it in place (revision + 1) and publishes it again. Returns (bulletin, written).
    """
    now = now or timezone.now()
    month = dt.date(month.year, month.month, 1)
    if publisher.kind not in PUBLISHER_KINDS:
        raise ValidationError(_("Bulletins are published by a county or town Party committee."), code="not_publisher")
    if publisher.status != OrgStatus.ACTIVE:
        raise ValidationError(_("This organization is no longer active."), code="inactive")
    if month >= current_month(now):
        raise ValidationError(_("A bulletin grades a complete month: %(month)s is not over yet.") % {"month": f"{month:%Y-%m}"}, code="month_not_over")
    with transaction.atomic():
        existing = Bulletin.objects.select_for_update().filter(org=publisher, period=month).first()
        if existing is not None and not force:
            return existing, False
        rows = compute_rows(publisher, month, now)
        totals = {"branches": len(rows), "warned": sum(r["warned"] for r in rows), **{g: 0 for g in "ABCD"}}
        for r in rows:
            totals[r["grade"]] += 1
        if existing is not None:
            existing.rows.all().delete()
            b = existing
            b.revision += 1
            b.generated_at, b.generated_by = now, actor
            b.rule_version, b.thresholds, b.totals = conf.RULE_VERSION, conf.grade_thresholds(), totals
            b.save()
        else:
            try:
                with transaction.atomic():  # a concurrent run may have written it meanwhile
                    b = Bulletin.objects.create(org=publisher, period=month,
                                                rule_version=conf.RULE_VERSION, thresholds=conf.grade_thresholds(),
                                                totals=totals, generated_at=now, generated_by=actor)
            except IntegrityError:
                return Bulletin.objects.get(org=publisher, period=month), False
        BulletinRow.objects.bulk_create([
            BulletinRow(bulletin=b, org_id=r["org_id"], org_path=r["org_path"], org_name=r["org_name"], grade=r["grade"],
                        required_count=r["required_count"], done_count=r["done_count"], completion=r["completion"],
                        attendance=r["attendance"], meetings_held=r["meetings_held"], overdue=r["overdue"], warned=r["warned"])
            for r in rows])
        audit.record(actor=actor, action="supervision.publish_bulletin", obj=b, org_path=publisher.path,
                     data={"period": f"{month:%Y-%m}", "revision": b.revision, "rule_version": conf.RULE_VERSION, **totals})
        if send:
            _publish(b, rows, actor)
            _public_draft(b)
    return b, True


def _public_draft(b: Bulletin) -> None:
    """A *draft* public summary on the publisher's "supervision" board (publicity app, when
    installed): counts per grade only — no member, no personal data (DOMAIN §10); a person reviews
    and publishes it. A failure here never stops the bulletin (savepoint)."""
    try:
        from dangjian.publicity.api import create_notice
    except ImportError:  # pragma: no cover - the publicity app is optional
        return
    t = b.totals
    title = _("Organizational-life bulletin %(month)s") % {"month": f"{b.period:%Y-%m}"}
    body = _("%(n)s Party organizations graded: A %(a)s, B %(b)s, C %(c)s, D %(d)s. "
             "A: all required meetings held on time with good attendance; D: no organizational life in the month.") % {
        "n": t["branches"], "a": t["A"], "b": t["B"], "c": t["C"], "d": t["D"]}
    try:
        with transaction.atomic():
            create_notice(org=b.org, board="supervision", title=title, body=body, actor=None,
                          source=f"supervision:bulletin:{b.pk}", publish=False)
    except Exception:  # noqa: BLE001 - optional side effect; the bulletin itself is published
        import logging

        logging.getLogger(__name__).warning("supervision: public draft of bulletin %s not written", b.pk, exc_info=True)


def _publish(b: Bulletin, rows: list[dict], actor) -> None:
    """Messages of one bulletin (see the module docstring): inside the caller's transaction."""
    from dangjian.notify.api import RoleIn, notify

    period = f"{b.period:%Y-%m}"
    publisher = b.org
    t = b.totals
    notify(recipients=[RoleIn(publisher, Role.ORG_ADMIN)], kind="supervision.bulletin", org=publisher, actor=actor,
           context={"org": publisher.name, "period": period, "bulletin": b.pk, "branches": t["branches"],
                    "a": t["A"], "b": t["B"], "c": t["C"], "d": t["D"], "warned": t["warned"]})
    pubs = _nearest_publisher_paths(publisher)
    for r in rows:
        if _nearest(r["org_path"], pubs) != publisher.path:
            continue  # a nearer town tells this organization
        org = Organization(pk=r["org_id"], path=r["org_path"], name=r["org_name"])
        ctx = {"org": r["org_name"], "org_id": r["org_id"], "period": period, "grade": r["grade"],
               "items": r["required_count"], "done": r["done_count"], "completion": _fmt(r["completion"]),
               "attendance": _fmt(r["attendance"]), "overdue": "、".join(r["overdue"]) or "—"}
        if r["warned"]:
            notify(recipients=[RoleIn(org, Role.SECRETARY), RoleIn(publisher, Role.ORG_ADMIN)], kind="supervision.warning",
                   context=ctx, channels=("inbox",), org=org, actor=actor)
        else:
            notify(recipients=[RoleIn(org, Role.SECRETARY)], kind="supervision.grade", context=ctx, org=org, actor=actor)
    _member_warnings(b, pubs, actor)


def _member_warnings(b: Bulletin, pubs: list[str], actor) -> None:
    """Member-level warnings of DOMAIN §11 to each branch secretary (from the nearest publisher,
    like the grades): members absent ≥3 months in a row, and members without org life for 6
    consecutive months — a *self-lapse review* reminder (教育管理条例 art. 31(6)); the decision
    belongs to the 支部大会 with upper approval and nothing is changed by the system."""
    from dangjian.notify.api import RoleIn, notify

    from .selectors import absence_streaks

    lapse_at = conf.lapse_review_months()
    streaks = absence_streaks(b.org, b.period, minimum=conf.absence_streak_months())
    if not streaks:
        return
    orgs = {o.pk: o for o in Organization.objects.filter(pk__in={s.org_id for s in streaks}).select_related("parent")}
    by_branch: dict[int, tuple[Organization, list, list]] = {}
    for s in streaks:
        o = orgs[s.org_id]
        branch = o.parent if o.kind == OrgKind.PARTY_GROUP and o.parent_id else o
        if _nearest(branch.path, pubs) != b.org.path:
            continue
        entry = by_branch.setdefault(branch.pk, (branch, [], []))
        (entry[2] if s.months >= lapse_at else entry[1]).append(f"{s.name}（{s.months}）")
    period = f"{b.period:%Y-%m}"
    for branch, absent, lapse in by_branch.values():
        notify(recipients=[RoleIn(branch, Role.SECRETARY)], kind="supervision.members", channels=("inbox",), org=branch,
               actor=actor, context={"org": branch.name, "org_id": branch.pk, "period": period,
                                     "absent": "、".join(absent) or "—", "lapse": "、".join(lapse) or "—"})


def lapse_basis(months: int, first: dt.date, last: dt.date) -> str:
    """The basis text of a 自行脱党 review case: the rule and the months counted."""
    return _("No organizational life for %(n)s consecutive months (%(first)s to %(last)s) without approved leave "
             "(党员教育管理工作条例 art. 31(6)): review removal as self-lapsed (自行脱党). The 支部大会 decides, "
             "with the upper organization's approval; the system changes nothing.") % {
        "n": months, "first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"}


def raise_lapse_cases(month: dt.date, now: dt.datetime | None = None) -> int:
    """DOMAIN §11 member-level: "6 consecutive months without good reason → raise a 自行脱党
    review case (decision by 支部大会 + upper approval; the system never removes anyone
    automatically)" — 党员教育管理工作条例 art. 31(6), DOMAIN §1.1.

    For every member of every active tree whose ABSENT streak (``selectors.absence_streaks``:
    leave, exemption, attendance elsewhere or a month in which nothing was held breaks it)
    ending with ``month`` reaches ``conf.lapse_review_months()`` (default 6), a LAPSED
    ``transfers.MembershipCase`` is opened through ``transfers.services.raise_lapse_review``:
    once per member — not when one is open or decided, nor again for the same run of months
    (monthly runs and re-runs are idempotent). Returns how many cases were opened.

    Policy left open (see docs/notes/supervision.md): a member whose branch held no meeting at
    all is not counted — months without any held meeting break the streak."""
    from dangjian.transfers import api as transfer_services

    from .selectors import absence_streaks

    lapse_at = conf.lapse_review_months()
    today = timezone.localtime(now or timezone.now(), C.TZ).date()
    opened = 0
    members = {}
    for root in Organization.objects.filter(parent__isnull=True, status=OrgStatus.ACTIVE).order_by("path"):
        for s in absence_streaks(root, month, minimum=lapse_at):
            members.setdefault(s.member_id, s)
    if not members:
        return 0
    from dangjian.members.api import Member

    for m in Member.objects.filter(pk__in=members).order_by("org_path", "pk"):
        s = members[m.pk]
        first = month_start_offset(month, -(s.months - 1))
        case = transfer_services.raise_lapse_review(actor=None, member=m, basis=lapse_basis(s.months, first, month),
                                                    since=first, on=today)
        opened += case is not None
    return opened


def run_monthly(now: dt.datetime | None = None) -> int:
    """The scheduled job: last month's bulletin of every active county and town committee,
    skipping those already published (running twice writes nothing twice); then the 自行脱党
    review cases of members without org life for 6 consecutive months (``raise_lapse_cases``,
    idempotent too). Returns how many bulletins were written."""
    now = now or timezone.now()
    month = previous_month(now)
    written = 0
    for publisher in Organization.objects.filter(kind__in=PUBLISHER_KINDS, status=OrgStatus.ACTIVE).order_by("path"):
        _b, did = generate_bulletin(publisher=publisher, month=month, now=now)
        written += did
    raise_lapse_cases(month, now=now)
    return written
