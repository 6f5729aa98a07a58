"""Organization pages: thin views that parse input, call selectors/services and render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import audit, orglinks, population, rollups, selectors, services, structure
from .forms import DissolveForm, GrantRoleForm, OrgChoiceForm, OrgCreateForm, OrgEditForm, apply_service_errors
from .models import Organization, Role, RoleGrantRequest
from .policy import scope_of
from .web import authenticated, form_view, public, scoped

login_view = public(auth_views.LoginView.as_view(redirect_authenticated_user=True))
logout_view = public(auth_views.LogoutView.as_view())


@authenticated
def home(request):
    scope = scope_of(request)
    roots = selectors.roots(scope)
    cards = [(org, rollups.counts_for(org) if scope.can("view_stats", org) else None) for org in roots]
    own_record = getattr(request.user, "member", None)
    return render(request, "core/home.html", {"cards": cards, "own_record": own_record})


def _with_totals(scope, nodes):
    """Attach subtree member totals (from rollups) where the user may see statistics."""
    totals = rollups.totals_for([n for n in nodes if scope.can("view_stats", n)])
    for n in nodes:
        n.member_total = totals.get(n.pk)
    return nodes


@scoped("organization", "view")
def org_tree(request, scope):
    q = (request.GET.get("q") or "").strip()
    matches = None
    if q:
        matches = Paginator(selectors.org_search(scope, q), 50).get_page(request.GET.get("page"))
        _with_totals(scope, list(matches))
    return render(request, "core/tree.html", {"roots": _with_totals(scope, selectors.roots(scope)), "q": q, "matches": matches})


@scoped("organization", "view", model=Organization)
def org_children(request, org, scope):
    """HTMX partial: the visible children of one node of the tree."""
    show_all = request.GET.get("all") == "1"
    nodes = _with_totals(scope, selectors.children(scope, org, include_inactive=show_all))
    return render(request, "core/_tree_children.html", {"nodes": nodes})


@scoped("organization", "view", model=Organization)
def org_detail(request, org, scope):
    secretary, committee = selectors.leadership(org)
    can_stats = scope.can("view_stats", org)
    counts = rollups.counts_for(org) if can_stats else {}
    ctx = {
        "org": org,
        "crumbs": selectors.visible_ancestors(scope, org),
        "children": _with_totals(scope, selectors.children(scope, org, include_inactive=True)),
        "secretary": secretary,
        "committee": committee,
        "counts": counts,
        "findings": selectors.org_findings(org) if can_stats else [],
        "subtree_findings": selectors.subtree_findings(scope, org) if can_stats and org.kind not in structure.BRANCH_KINDS else (0, []),
        **population.members().org_page(scope, org, counts),
        "can": {a: scope.can(a, org) for a in ("add_child", "change", "move", "merge", "dissolve", "history", "manage_roles")},
        "can_add_member": scope.path_allows("member", "add", org.path),
        "work_links": orglinks.links_for(scope, org),
    }
    return render(request, "core/org_detail.html", ctx)


@scoped("organization", "history", model=Organization)
def org_history(request, org, scope):
    page = Paginator(selectors.org_history(org), 50).get_page(request.GET.get("page"))
    return render(request, "core/org_history.html", {"org": org, "page": page})


def _org_url(org: Organization) -> str:
    return reverse("org-detail", kwargs={"pk": org.pk})


@scoped("organization", "add_child", model=Organization)
def org_add_child(request, parent, scope):
    return form_view(
        request, OrgCreateForm(request.POST or None, parent=parent),
        perform=lambda cd: services.create_organization(actor=request.user, parent=parent, **cd),
        done=lambda org: (_("Created “%(n)s”.") % {"n": org.name}, _org_url(org)),
        template="core/org_form.html",
        context={"org": parent, "title": _("New organization under %(p)s") % {"p": parent.name}},
    )


@scoped("organization", "change", model=Organization)
def org_edit(request, org, scope):
    initial = {f: getattr(org, f) for f in services.EDITABLE_ORG_FIELDS}
    return form_view(
        request, OrgEditForm(request.POST or None, initial=initial),
        perform=lambda cd: services.update_organization(
            actor=request.user, org=org, **{k: v for k, v in cd.items() if v != initial.get(k)}),
        done=lambda _result: (_("Saved."), _org_url(org)),
        template="core/org_form.html",
        context={"org": org, "title": _("Edit %(n)s") % {"n": org.name}},
    )


@scoped("organization", "move", model=Organization)
def org_move(request, org, scope):
    return form_view(
        request, OrgChoiceForm(request.POST or None, targets=selectors.move_targets(scope, org), target_label=_("New superior organization")),
        perform=lambda cd: services.move_organization(actor=request.user, org=org, new_parent=cd["target"]),
        done=lambda moved: (_("Moved."), _org_url(moved)),
        template="core/org_form.html",
        context={"org": org, "title": _("Move %(n)s") % {"n": org.name}},
    )


@scoped("organization", "merge", model=Organization)
def org_merge(request, org, scope):
    return form_view(
        request, OrgChoiceForm(request.POST or None, targets=selectors.merge_targets(scope, org), target_label=_("Merge into"), reason_required=True),
        perform=lambda cd: services.merge_organizations(actor=request.user, source=org, target=cd["target"], reason=cd["reason"]),
        done=lambda target: (_("Merged into “%(n)s”.") % {"n": target.name}, _org_url(target)),
        template="core/org_form.html",
        context={"org": org, "title": _("Merge %(n)s") % {"n": org.name}},
    )


@scoped("organization", "dissolve", model=Organization)
def org_dissolve(request, org, scope):
    return form_view(
        request, DissolveForm(request.POST or None),
        perform=lambda cd: services.dissolve_organization(actor=request.user, org=org, reason=cd["reason"], on=cd["dissolved_on"]),
        done=lambda dissolved: (_("Dissolved. Its records stay readable to its superiors."), _org_url(dissolved)),
        template="core/org_form.html",
        context={"org": org, "title": _("Dissolve %(n)s") % {"n": org.name}, "danger": True},
    )


@scoped("organization", "manage_roles", model=Organization)
def org_roles(request, org, scope):
    """Who holds which role at this organization; grant (creating the account if needed), revoke,
    and the pending grants of privileged roles in this subtree, which a second security admin
    approves (separation of duties: :mod:`dangjian.core.roles`)."""
    from . import roles

    grantable = roles.grantable_roles(scope, org.path)
    form = GrantRoleForm(request.POST or None, roles=[(r, Role(r).label) for r in grantable])
    decided = request.POST.get("approve") or request.POST.get("reject") if request.method == "POST" else None
    if decided:
        req = selectors.pending_grant_request(org, decided if decided.isdigit() else 0)
        if req:
            try:
                if request.POST.get("approve"):
                    services.approve_role_grant(actor=request.user, grant_request=req)
                    messages.success(request, _("Role granted."))
                else:
                    services.reject_role_grant(actor=request.user, grant_request=req)
                    messages.success(request, _("Request turned down."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("org-roles", pk=org.pk)
    if request.method == "POST" and request.POST.get("revoke"):
        ra = selectors.active_assignment(org, request.POST["revoke"] if request.POST["revoke"].isdigit() else 0)
        if ra:
            try:
                services.revoke_role(actor=request.user, assignment=ra)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Role revoked."))
        return redirect("org-roles", pk=org.pk)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            user = selectors.account_named(cd["username"])
            if user is None:
                if not cd["password"]:
                    raise ValidationError({"username": [_("No such account; give an initial password to create it.")]})
                user = services.create_account(actor=request.user, username=cd["username"], password=cd["password"], org=org)
            result = services.grant_role(actor=request.user, user=user, org=org, role=cd["role"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if isinstance(result, RoleGrantRequest):
                messages.info(request, _("Requested: a second security administrator must approve this grant before it applies."))
            else:
                messages.success(request, _("Role granted."))
            return redirect("org-roles", pk=org.pk)
    assignments = selectors.active_assignments(org)
    pending = [(req, req.requested_by_id != request.user.pk and req.user_id != request.user.pk and roles.may_approve(scope, req.org.path),
                req.requested_by_id == request.user.pk or roles.may_approve(scope, req.org.path)) for req in selectors.pending_grant_requests(org)]
    revocable = {ra.pk for ra in assignments if ra.user_id == request.user.pk or roles.may_grant(scope, ra.role, org.path)}
    return render(request, "core/org_roles.html", {"org": org, "form": form, "assignments": assignments, "pending": pending,
                                                   "revocable": revocable, "can_grant": bool(grantable)})


@scoped("audit", "view")
def audit_log(request, scope):
    action = request.GET.get("action", "").strip()
    page = Paginator(selectors.audit_events(scope, action), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "action": action})


@require_POST
@scoped("audit", "verify")
def audit_verify(request, scope):
    result = audit.verify()
    audit.record(actor=request.user, action="audit.verify", org_path=scope.root_paths("audit", "verify")[0],
                 data={"ok": result.ok, "checked": result.checked, "bad_seq": result.bad_seq})
    return render(request, "core/_verify_result.html", {"result": result})


@authenticated
def exports_page(request):
    """导出中心: every export this user may run and where to start it (core.exports registry)."""
    return render(request, "core/exports.html", {"rows": selectors.exports_page(scope_of(request))})


@public
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


__all__ = ["PermissionDenied"]
