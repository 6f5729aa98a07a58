"""Roster and member pages: thin views over members.selectors and members.services."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.core import api as org_reads
from dangjian.core import rollups
from dangjian.core.privacy import MASKERS
from dangjian.core.reveal import RevealPurpose
from dangjian.core.web import form_view, scoped

from . import selectors, services
from .forms import MemberAddForm, MemberEditForm, MoveForm, RestoreForm, RestrictionForm
from .models import Category, Education, Gender, Member, MemberStatus, Position, RightsRestriction
from .panels import panels_for

EXACT_COUNT_LIMIT = 50_000  # above this, exact filtered counts are not computed on a page view


def _org_param(scope, value):
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    return org_reads.visible_org(scope, int(value))


def _single_root(scope):
    """When the user's roster is one subtree, show it as that organization's roster (with totals)."""
    subtree_roots = [p for reach, p in scope.reaches("member", "view") if reach == "subtree"]
    if len(set(subtree_roots)) == 1 and len(scope.reaches("member", "view")) == 1:
        return org_reads.org_at_path(subtree_roots[0])
    return None


@scoped("member", "view")
def roster(request, scope):
    org = _org_param(scope, request.GET.get("org")) or _single_root(scope)
    filters = selectors.MemberFilters.from_params(request.GET, org=org)
    refusal = None
    if filters.exact_field and not request.GET.get("after"):
        try:
            services.authorize_exact_search(actor=request.user, scope=scope, field=filters.exact_field, term=filters.q, via="web")
            filters.exact_lookup_allowed = True
        except ValidationError as exc:
            refusal = exc
    page = selectors.member_page(scope, filters, after=request.GET.get("after"), size=50)
    query = request.GET.copy()
    query.pop("after", None)
    total = None
    if org is not None and scope.can("view_stats", org):
        subtree_total = rollups.counts_for(org).get("total", 0)
        if filters.is_plain():
            total = subtree_total
        elif subtree_total <= EXACT_COUNT_LIMIT:
            total = selectors.member_count(scope, filters)
    elif org is None and len(scope.grants) and all(r == "self" for r, _p in scope.reaches("member", "view")):
        total = len(page.items)
    ctx = {
        "page": page,
        "rows": page.items,
        "next_url": f"?{query.urlencode()}&after={page.next_cursor}" if page.next_cursor else None,
        "org": org,
        "total": total,
        "filters": filters,
                "filter_fields": [
            (key, label, [(v, lbl, filters.exact.get(key) == v) for v, lbl in opts if v])
            for key, label, opts in (
                ("gender", _("Gender"), Gender.choices),
                ("status", _("Status"), MemberStatus.choices),
                ("category", _("Category"), Category.choices),
                ("education", _("Education"), Education.choices),
                ("position", _("Position"), Position.choices),
            )
        ],
        "can_add": scope.has_any("member", "add"),
        "can_export": scope.has_any("member", "export"),
        "can_reveal": scope.has_any("member", "reveal"),
        "refusal": {"code": refusal.code, "message": refusal.messages[0]} if refusal is not None else None,
    }
    template = "members/_roster_rows.html" if request.headers.get("HX-Request") and request.GET.get("after") else "members/roster.html"
    status = {"exact_search_forbidden": 403, "exact_search_rate_limited": 429}.get(refusal.code, 400) if refusal is not None else 200
    return render(request, template, ctx, status=status)


@scoped("member", "view", model=Member)
def member_detail(request, member, scope):
    ctx = {
        "m": member,
        "masked": {f: MASKERS[f](getattr(member, f)) for f in services.SENSITIVE},
        "history": selectors.org_history(member),
        "restrictions": list(member.rights_restrictions.all()),
        "today": timezone.localdate(),
        "can": {a: scope.can(a, member) for a in ("change", "move", "reveal")},
        "org_visible": scope.can("view", member.org),
        "panels": panels_for(request, member, scope),
        "reveal_purposes": RevealPurpose.choices,
    }
    return render(request, "members/detail.html", ctx)


@require_POST
@never_cache
@scoped("member", "reveal", model=Member)
def member_reveal(request, member, scope, field):
    """One clear value, for a stated purpose (required; :mod:`dangjian.core.reveal`), audited.
    A missing or meaningless purpose answers 400 with the masked value and the reason."""
    if field not in services.SENSITIVE:
        raise Http404
    try:
        value = services.reveal_field(actor=request.user, member=member, field=field, purpose=request.POST.get("purpose", ""),
                                      purpose_note=request.POST.get("purpose_note", ""))
    except ValidationError as exc:
        ctx = {"field": field, "masked": MASKERS[field](getattr(member, field)), "errors": exc.messages,
               "codes": sorted({e.code for errs in exc.error_dict.values() for e in errs} if hasattr(exc, "error_dict") else {exc.code})}
        return render(request, "members/_reveal_refused.html", ctx, status=400)
    return render(request, "members/_revealed.html", {"value": value, "field": field})


def _member_url(m: Member) -> str:
    return reverse("member-detail", kwargs={"pk": m.pk})


@scoped("member", "add")
def member_add(request, scope):
    form = MemberAddForm(request.POST or None, initial={"org": request.GET.get("org")}, targets=selectors.member_orgs(scope, "add"))

    def perform(cd):
        data = {k: v for k, v in cd.items() if k != "org" and (v not in (None, "") or k == "position")}
        return services.create_member(actor=request.user, org=cd["org"], data=data)

    return form_view(request, form, perform=perform, done=lambda m: (_("Added %(n)s.") % {"n": m.name}, _member_url(m)),
                     template="members/form.html", context={"title": _("Add a member")})


@scoped("member", "change", model=Member)
def member_edit(request, member, scope):
    initial = {f: getattr(member, f) for f in services.EDITABLE if f not in MemberEditForm.SENSITIVE}
    return form_view(
        request, MemberEditForm(request.POST or None, initial=initial),
        perform=lambda cd: services.update_member(
            actor=request.user, member=member, data={k: v for k, v in cd.items() if k not in MemberEditForm.SENSITIVE or v}),
        done=lambda m: (_("Saved."), _member_url(m)),
        template="members/form.html",
        context={"m": member, "title": _("Edit %(n)s") % {"n": member.name}},
    )


@scoped("member", "move", model=Member)
def member_move(request, member, scope):
    return form_view(
        request, MoveForm(request.POST or None, targets=selectors.member_orgs(scope, "add", excluding=member.org_id)),
        perform=lambda cd: services.move_member(actor=request.user, member=member, to_org=cd["target"], reason=cd["reason"]),
        done=lambda m: (_("Moved to %(o)s.") % {"o": m.org.name}, _member_url(m)),
        template="members/form.html",
        context={"m": member, "title": _("Move %(n)s to another organization") % {"n": member.name}},
    )


@scoped("member", "change", model=Member)
def member_restrict(request, member, scope):
    """Record 留党察看 or 留置: the member neither votes, stands nor introduces meanwhile."""
    return form_view(
        request, RestrictionForm(request.POST or None),
        perform=lambda cd: services.add_restriction(actor=request.user, member=member, kind=cd["kind"], starts_on=cd["starts_on"],
                                                    ends_on=cd.get("ends_on"), note=cd.get("note", "")),
        done=lambda _r: (_("Recorded: no vote, no candidacy and no introducing in that period."), _member_url(member)),
        template="members/form.html",
        context={"m": member, "title": _("Restrict the rights of %(n)s") % {"n": member.name}},
    )


@scoped("member", "change", model=RightsRestriction)
def restriction_restore(request, restriction, scope):
    """Enter the restoration of rights decided by the organization."""
    member = restriction.member
    return form_view(
        request, RestoreForm(request.POST or None, initial={"ends_on": restriction.ends_on or timezone.localdate()}),
        perform=lambda cd: services.end_restriction(actor=request.user, restriction=restriction, ends_on=cd["ends_on"],
                                                    note=cd.get("note", "")),
        done=lambda r: (_("Rights restored after %(d)s.") % {"d": r.ends_on}, _member_url(member)),
        template="members/form.html",
        context={"m": member, "title": _("Restore the rights of %(n)s (%(k)s from %(d)s)")
                 % {"n": member.name, "k": restriction.get_kind_display(), "d": restriction.starts_on}},
    )
