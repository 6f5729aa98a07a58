"""Supervision pages: thin views over ``completion``, ``selectors`` and ``services``.

Organization routes (``org/<pk>/...``) are declared ``("supervision", action, Organization)`` and
load the organization through the *supervision* rows of POLICY (``org_scoped`` below: 404 when
the organization is not visible for supervision, 403 when visible but the action is not allowed).
"""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_AP
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.dates import month_start_offset
from dangjian.core.models import Organization, OrgKind
from dangjian.core.web import scoped
from dangjian.orglife.api import STUDY_HOURS_PER_YEAR, members_below_study_hours

from . import completion as C
from . import conf, exports, selectors, services
from .models import Bulletin, Grade

RESOURCE = "supervision"
MONTHS = [MONTHS_AP[m] for m in range(1, 13)]
PAGE_SIZE = 50
MEETING_URL_NAMES = ("orglife-meeting-detail",)


def org_scoped(action: str):
    """An organization page seen through the *supervision* rows of POLICY (core.web.scoped)."""
    return scoped(RESOURCE, action, model=Organization)


# -- helpers ---------------------------------------------------------------------------------

def _now():
    return timezone.now()


def _year(request) -> int:
    this = timezone.localtime(_now(), C.TZ).year
    try:
        y = int(request.GET.get("year", this))
    except (TypeError, ValueError):
        return this
    return y if 2000 <= y <= this + 1 else this


def _colour_css() -> str:
    # !important: Bootstrap's table-cell background would otherwise win over a class
    rules = [f".sv-grid td.sv-{s},.sv-{s}{{background:{bg}!important;color:{fg}!important}}" for s, (bg, fg) in conf.colours().items()]
    return "".join(rules)


def _legend() -> list[dict]:
    names = conf.colour_names()
    return [{"status": s, "icon": C.STATUS_ICONS[s], "label": C.STATUS_LABELS[s], "help": C.STATUS_HELP[s],
             "colour": names.get(s, "")} for s in C.STATUSES]


def _meeting_url(pk: int) -> str | None:
    for name in MEETING_URL_NAMES:
        try:
            return reverse(name, kwargs={"pk": pk})
        except NoReverseMatch:
            continue
    return None


def _crumbs(scope, org: Organization) -> list[Organization]:
    return [a for a in org.ancestors() if scope.path_allows(RESOURCE, "view", a.path)]


def _base(request, scope, org, **extra) -> dict:
    return {"org": org, "crumbs": _crumbs(scope, org), "colour_css": _colour_css(), "legend": _legend(),
            "can_publish": scope.path_allows(RESOURCE, "publish", org.path),
            "is_branch": org.kind in C.BRANCH_LIKE or org.kind == OrgKind.PARTY_GROUP,
            "rule_version": conf.RULE_VERSION, **extra}


# -- pages -------------------------------------------------------------------------------------

@scoped(RESOURCE, "view")
def home(request, scope):
    """The entry of the navigation bar: the user's top organization(s) for supervision."""
    roots = selectors.supervision_roots(scope)
    if len(roots) == 1:
        org = roots[0]
        name = "supervision-calendar" if org.kind in C.BRANCH_LIKE or org.kind == OrgKind.PARTY_GROUP else "supervision-overview"
        return redirect(name, pk=org.pk)
    return render(request, "supervision/home.html", {"roots": roots})


@org_scoped("view")
def calendar(request, org, scope):
    """A branch's calendar: rows = required types, columns = the months of a year."""
    if org.kind not in C.BRANCH_LIKE and org.kind != OrgKind.PARTY_GROUP:
        return redirect("supervision-overview", pk=org.pk)
    year, now = _year(request), _now()
    rows = selectors.calendar(org, year, now)
    for row in rows:
        for cell in row.cells:
            for m in cell.meetings:
                m.url = _meeting_url(m.pk)
    grades = selectors.org_grades(org, scope)[:12]
    ctx = _base(request, scope, org, year=year, rows=rows, months=_month_heads(year), grades=grades,
                years=_years(), today=timezone.localtime(now, C.TZ).date())
    return render(request, "supervision/calendar.html", ctx)


def _month_heads(year: int) -> list[dict]:
    """Column heads; the running month is marked (text for screen readers, not only a shade)."""
    local = timezone.localtime(_now(), C.TZ)
    return [{"label": MONTHS[m - 1], "current": year == local.year and m == local.month} for m in range(1, 13)]


def _years() -> list[int]:
    this = timezone.localtime(_now(), C.TZ).year
    return list(range(this - 4, this + 2))


@org_scoped("view")
def overview(request, org, scope):
    """The aggregate for a town or county: per type × period, how many organizations of the
    subtree are done / due / overdue (with links to the drill-down)."""
    year, now = _year(request), _now()
    st, agg = selectors.subtree_aggregate(org, year, now)
    for row in agg:
        for cell in row.cells:
            cell.links = {s: _drill_url(org, row.type, cell.period, s) for s in (C.DONE, C.DUE, C.OVERDUE, C.NOT_YET)}
    ctx = _base(request, scope, org, year=year, rows=agg, months=_month_heads(year), years=_years(),
                n_orgs=len(st.evaluated), focus=C.period_containing("month", now))
    return render(request, "supervision/overview.html", ctx)


def _drill_url(org, t, period, state) -> str:
    return reverse("supervision-drill", kwargs={"pk": org.pk}) + "?" + urlencode({"type": t.id, "period": period.key, "state": state})


@org_scoped("view")
def drill(request, org, scope):
    """The organizations of the subtree in one state for one type and period (paginated)."""
    now = _now()
    period = C.parse_period(request.GET.get("period", "")) or C.period_containing("month", now)
    state = request.GET.get("state", C.OVERDUE)
    if state not in C.STATUSES:
        state = C.OVERDUE
    st = C.load_subtree(org, period.year)
    types = st.types
    try:
        type_id = int(request.GET.get("type", ""))
    except ValueError:
        type_id = None
    t = next((x for x in types if x.id == type_id), None)
    if t is None:
        t = next((x for x in types if x.frequency == period.frequency), types[0] if types else None)
    items = []
    if t is not None:
        if t.frequency != period.frequency:
            period = C.period_containing(t.frequency, period.start)
        items = C.organizations_in_state(st, now, t.id, period, state)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = _base(request, scope, org, page=page, type=t, types=types, period=period, state=state,
                state_label=C.STATUS_LABELS[state], states=[(s, C.STATUS_LABELS[s]) for s in C.STATUSES],
                total=len(items))
    return render(request, "supervision/drill.html", ctx)


LISTS = ("no_life", "low_attendance", "absent", "lapse", "lecture", "study")


@org_scoped("view")
def lists(request, org, scope):
    """Supervision lists of the subtree (DOMAIN §9.2, §11): no org life this month, attendance
    under the threshold, members absent N months in a row, self-lapse review warnings, secretaries
    who gave no 党课 this year."""
    now = _now()
    which = request.GET.get("list", "no_life")
    if which not in LISTS:
        which = "no_life"
    this_month = selectors.current_month(now)
    default = this_month if which in ("no_life", "low_attendance") else month_start_offset(this_month, -1)
    month = selectors.parse_month(request.GET.get("month"), default)
    if which == "no_life":
        items = list(selectors.branches_without_org_life(org, month))
    elif which == "low_attendance":
        items = selectors.low_attendance(org, month)
    elif which == "absent":
        items = selectors.absent_members(org, month)
    elif which == "lecture":
        items = selectors.secretaries_without_lecture(org, month.year)
    elif which == "study":
        items = members_below_study_hours(org, month.year)
    else:
        items = selectors.lapse_review_members(org, month)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    total = page.paginator.count
    for m in page.object_list if which == "low_attendance" else ():
        m.url = _meeting_url(m.meeting_id)
    if which == "lapse":
        cases = selectors.lapse_cases(s.member_id for s in page.object_list)
        for s in page.object_list:
            s.case = cases.get(s.member_id)
    tabs = [("no_life", _("No org life in the month")), ("low_attendance", _("Attendance under the threshold")),
            ("absent", _("Absent months in a row")), ("lapse", _("Self-lapse review")),
            ("lecture", _("Secretaries' yearly 党课")), ("study", _("Study hours"))]
    ctx = _base(request, scope, org, which=which, tabs=tabs, month=month, page=page, total=total,
                prev_month=month_start_offset(month, -1), next_month=month_start_offset(month, 1),
                threshold=conf.attendance_threshold(), streak_months=conf.absence_streak_months(),
                lapse_months=conf.lapse_review_months(), is_current=month == this_month,
                study_target=STUDY_HOURS_PER_YEAR, q4=month.month >= 10)
    return render(request, "supervision/lists.html", ctx)


@org_scoped("view")
def bulletins(request, org, scope):
    """Bulletins published in the organization's subtree, and the organization's own grades."""
    page = Paginator(selectors.bulletins_in(org, scope), PAGE_SIZE).get_page(request.GET.get("page"))
    grades = selectors.org_grades(org, scope)[:24]
    now = _now()
    ctx = _base(request, scope, org, page=page, grades=grades, is_publisher=org.kind in services.PUBLISHER_KINDS,
                last_month=services.previous_month(now))
    return render(request, "supervision/bulletins.html", ctx)


@require_POST
@org_scoped("publish")
def generate(request, org, scope):
    """"Generate now": the same service as the monthly job, for a chosen complete month; an
    existing bulletin of that month is recomputed and published again."""
    default = services.previous_month(_now())
    month = selectors.parse_month(request.POST.get("month"), default)
    try:
        b, _written = services.generate_bulletin(publisher=org, month=month, actor=request.user, force=True)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("supervision-bulletins", pk=org.pk)
    messages.success(request, _("Bulletin for %(month)s published: %(n)s organizations graded.") % {
        "month": f"{b.period:%Y-%m}", "n": b.totals.get("branches", 0)})
    return redirect("supervision-bulletin", pk=b.pk)


@scoped(RESOURCE, "view", model=Bulletin)
def bulletin_detail(request, b, scope):
    grade = request.GET.get("grade", "")
    rows = selectors.bulletin_rows(b, grade if grade in Grade.values else "")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"b": b, "org": b.org, "page": page, "grade": grade, "grades": Grade.choices, "rule_version": b.rule_version,
           "can_export": scope.can("export", b), "can_publish": scope.can("publish", b), "crumbs": _crumbs(scope, b.org),
           "thresholds": b.thresholds}
    return render(request, "supervision/bulletin.html", ctx)


@scoped(RESOURCE, "export", model=Bulletin)
def bulletin_xlsx(request, b, scope):
    data = exports.bulletin_xlsx(b)
    audit.record(actor=request.user, action="supervision.export_bulletin", obj=b, org_path=b.org_path, data={"format": "xlsx"})
    resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename=bulletin-{b.org_id}-{b.period:%Y-%m}.xlsx"
    resp["Cache-Control"] = "private, no-store"
    return resp


@scoped(RESOURCE, "export", model=Bulletin)
def bulletin_pdf(request, b, scope):
    from dangjian.core.pdf import pdf_response

    data = exports.bulletin_pdf(b)
    audit.record(actor=request.user, action="supervision.export_bulletin", obj=b, org_path=b.org_path, data={"format": "pdf"})
    return pdf_response(data, f"bulletin-{b.org_id}-{b.period:%Y-%m}.pdf")
