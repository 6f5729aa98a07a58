"""State changes of the organization tree and role assignments.

Every function: keyword-only, ``actor`` first, one transaction, an audit row written inside it,
and a docstring citing the DOMAIN.md rule it encodes. Errors are ``ValidationError`` with a
message a user can act on; nothing is written when one is raised.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, config, rollups
from .errors import collected
from .models import (
    ALLOWED_CHILDREN,
    PATH_STEP,
    AreaType,
    GrantStatus,
    Organization,
    OrgKind,
    OrgStatus,
    Role,
    RoleAssignment,
    RoleGrantRequest,
    decode_segment,
    encode_segment,
)


def term_years(kind: str, area_type: str) -> int:
    """Term length in years (DOMAIN §2 "Terms", 2018 意见 + 条例 art. 21 [cfg]):
    village and community bodies 5; primary committees 5; general branch and branch 3."""
    cfg = config.value("STRUCTURE")["term_years"]
    if area_type in (AreaType.VILLAGE, AreaType.COMMUNITY):
        return cfg[area_type]
    if kind in (OrgKind.GENERAL_BRANCH, OrgKind.BRANCH):
        return cfg[kind]
    if kind == OrgKind.PRIMARY_COMMITTEE:
        return cfg["primary_committee"]
    return cfg["committee"]


TERM_DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))


def _check_dates(**dates: dt.date | None) -> None:
    """Dates on organizations lie in a plausible range; a term ends after it starts."""
    lo, hi = TERM_DATE_RANGE
    for field, value in dates.items():
        if value is not None and not (lo <= value <= hi):
            raise ValidationError({field: [ValidationError(_("Enter a date between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi},
                                                           code="date_out_of_range")]})
    start, end = dates.get("term_started_on"), dates.get("term_ends_on")
    if start and end and end <= start:
        raise ValidationError({"term_ends_on": [ValidationError(_("The term must end after it starts."), code="term_ends_before_start")]})


def term_end(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def _next_child_path(parent: Organization | None) -> str:
    prefix = parent.path if parent else ""
    last = (
        Organization.objects.filter(path__startswith=prefix, depth=len(prefix) // PATH_STEP + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    n = decode_segment(last[-PATH_STEP:]) + 1 if last else 1
    return prefix + encode_segment(n)


def _check_parent(parent: Organization | None, kind: str) -> None:
    if parent is None:
        return
    if not parent.is_active:
        raise ValidationError(_("“%(p)s” is dissolved; nothing can be placed under it.") % {"p": parent.name}, code="parent_inactive")
    if kind not in ALLOWED_CHILDREN.get(parent.kind, set()):
        raise ValidationError(
            _("A %(kind)s cannot be placed under a %(pkind)s.")
            % {"kind": OrgKind(kind).label, "pkind": OrgKind(parent.kind).label},
            code="kind_not_allowed",
        )


def create_organization(*, actor, parent: Organization | None, name: str, kind: str, area_type: str = AreaType.OTHER,
                        code: str = "", founded_on: dt.date | None = None, term_started_on: dt.date | None = None,
                        is_joint: bool = False, unit_count: int = 1) -> Organization:
    """Create an organization under ``parent``.

    DOMAIN §2: new organizations are decided by the upper organization (the actor must hold
    ``add_child`` on the parent, checked by the caller's scope); party groups are not a level of
    organization and hold no children; a joint branch covers ≤5 units ([warn] above, §11).
    The term end is computed from the term start and the term length of §2.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("The organization needs a name."), code="name")
    if kind not in OrgKind.values:
        raise ValidationError(_("Unknown organization kind."), code="kind")
    _check_dates(founded_on=founded_on, term_started_on=term_started_on)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if parent is not None:
                    # Re-read and lock the parent: it must exist now, and siblings are numbered
                    # one at a time under it.
                    parent = Organization.objects.select_for_update().filter(pk=parent.pk).first()
                    if parent is None:
                        raise ValidationError(_("The superior organization does not exist."), code="parent_missing")
                _check_parent(parent, kind)
                org = Organization(
                    name=name, kind=kind, area_type=area_type, code=code, parent=parent,
                    path=_next_child_path(parent), depth=(parent.depth + 1) if parent else 1,
                    founded_on=founded_on, term_started_on=term_started_on, is_joint=is_joint, unit_count=unit_count,
                )
                if term_started_on:
                    org.term_ends_on = term_end(term_started_on, term_years(kind, area_type))
                org.save()
                audit.record(actor=actor, action="org.create", obj=org,
                             data={"name": name, "kind": kind, "parent": parent.pk if parent else None})
                return org
        except IntegrityError:
            continue  # a concurrent sibling took the same path segment; take the next one
    raise ValidationError(_("Could not allocate a place in the tree; try again."), code="path")


EDITABLE_ORG_FIELDS = ("name", "area_type", "code", "founded_on", "term_started_on", "term_ends_on", "is_joint", "unit_count")


def update_organization(*, actor, org: Organization, **changes) -> Organization:
    """Rename or edit an organization; every changed field is audited (old → new).

    Term end defaults to term start + term length (DOMAIN §2) when only the start changes.
    """
    unknown = set(changes) - set(EDITABLE_ORG_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited here: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="not_editable")
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValidationError(_("The organization needs a name."), code="name")
    if not org.is_active:
        raise ValidationError(_("A dissolved organization is kept read-only."), code="inactive")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        diff = {}
        for k, v in changes.items():
            old = getattr(org, k)
            if old != v:
                diff[k] = [old, v]
                setattr(org, k, v)
        _check_dates(founded_on=org.founded_on, term_started_on=org.term_started_on, term_ends_on=changes.get("term_ends_on"))
        if "term_started_on" in diff and "term_ends_on" not in changes and org.term_started_on:
            org.term_ends_on = term_end(org.term_started_on, term_years(org.kind, org.area_type))
            diff["term_ends_on"] = [None, org.term_ends_on]
        _check_dates(term_started_on=org.term_started_on, term_ends_on=org.term_ends_on)
        if diff:
            org.save()
            audit.record(actor=actor, action="org.update", obj=org, data={"changes": diff})
        return org


def path_columns() -> list[tuple[type, str]]:
    """Every column that copies an organization's path: the declared
    :class:`~dangjian.core.scoping.OrgPathField` columns (issue 9 item 2)."""
    from .scoping import path_columns as declared

    return declared()


def _reparent(org: Organization, new_parent: Organization) -> tuple[str, str]:
    """Move ``org`` and its subtree under ``new_parent``; rewrite the paths of the organizations
    and of every row scoped by them (:func:`path_columns`), so nothing drops out of scope."""
    old = org.path
    new = _next_child_path(new_parent)
    delta = new_parent.depth + 1 - org.depth
    n = len(old)
    Organization.objects.filter(path__startswith=old).update(
        path=Concat(Value(new), Substr("path", n + 1)), depth=F("depth") + delta
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    for model, field in path_columns():
        model._base_manager.filter(**{f"{field}__startswith": old}).update(**{field: Concat(Value(new), Substr(field, n + 1))})
    return old, new


def _move_rollups(old_path: str, new_path: str, counts: dict[str, int]) -> None:
    """Subtract a moved subtree's counts from its old ancestors and add them to the new ones."""
    if not counts:
        return
    old_anc = rollups.ancestor_paths(old_path)[:-1]
    new_anc = rollups.ancestor_paths(new_path)[:-1]
    changes = []
    for k, v in counts.items():
        changes.append((old_anc, k, -v))
        changes.append((new_anc, k, v))
    from .models import OrgRollup

    by_path = dict(Organization.objects.filter(path__in=old_anc + new_anc).values_list("path", "id"))
    OrgRollup.objects.bulk_create([OrgRollup(org_id=i) for i in by_path.values()], ignore_conflicts=True)
    rows = {r.org_id: r for r in OrgRollup.objects.select_for_update().filter(org_id__in=by_path.values()).order_by("org__path")}
    for paths, k, v in changes:
        for p in paths:
            row = rows[by_path[p]]
            row.counts[k] = row.counts.get(k, 0) + v
    for row in rows.values():
        row.counts = {k: v for k, v in row.counts.items() if v}
        row.save(update_fields=["counts"])


def move_organization(*, actor, org: Organization, new_parent: Organization) -> Organization:
    """Re-parent an organization with its whole subtree, members and counts.

    DOMAIN §2: changes of structure are decided by the upper organization. Refused: moving an
    organization under itself or one of its descendants, under a dissolved organization, or
    under a kind that may not hold it.
    """
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        new_parent = Organization.objects.get(pk=new_parent.pk)
        if new_parent.path.startswith(org.path):
            raise ValidationError(_("An organization cannot be moved under itself or one of its own sub-organizations."), code="cycle")
        if not org.is_active:
            raise ValidationError(_("A dissolved organization is kept read-only."), code="inactive")
        if org.parent_id == new_parent.pk:
            raise ValidationError(_("The organization is already there."), code="same_parent")
        _check_parent(new_parent, org.kind)
        counts = rollups.counts_for(org)
        old_parent_id = org.parent_id
        old, new = _reparent(org, new_parent)
        _move_rollups(old, new, counts)
        org.refresh_from_db()
        audit.record(actor=actor, action="org.move", obj=org,
                     data={"from_parent": old_parent_id, "to_parent": new_parent.pk, "old_path": old, "new_path": new})
        return org


def _paired_org_fk(model, path_field: str):
    """The ForeignKey to Organization that a path column copies: ``org`` for ``org_path``,
    ``to_org`` for ``to_path``, ``owner`` for ``owner_path``...; None if there is none."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models as m

    stem = path_field[: -len("path")].rstrip("_")
    names = [f"{stem}_org", stem] if stem else []
    if stem == "org":
        names = ["org"]
    for name in names:
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(f, m.ForeignKey) and f.related_model is Organization:
            return f
    return None


def _in_unique_constraint(model, name: str) -> bool:
    from django.db import models as m

    for c in model._meta.constraints:
        if isinstance(c, m.UniqueConstraint) and name in (c.fields or ()):
            return True
    return any(name in group for group in model._meta.unique_together)


def _merge_rows(source: Organization, target: Organization) -> tuple[dict[str, int], dict[str, int]]:
    """Move every row scoped exactly at ``source`` (:func:`path_columns`, so a new app's models
    are covered without being listed) to ``target``: the path column, and the paired
    organization ForeignKey (a pending transfer's ``to_org``, a flowing record's ``org``...).

    Where the ForeignKey takes part in a unique constraint (a record chain per organization, one
    appraisal round per organization and year, one bulletin per period...) it keeps naming the
    source — the row is the merged organization's history — and only its scope moves. A row whose
    path column is itself unique with other fields (a custom meeting type's code) moves unless the
    target already has one; then it stays with the source. Returns (moved, kept) per model."""
    moved: dict[str, int] = {}
    kept: dict[str, int] = {}
    for model, field in path_columns():
        manager = model._base_manager
        label = model._meta.label
        fk = _paired_org_fk(model, field)
        fk_moves = fk is not None and not _in_unique_constraint(model, fk.name)
        n = 0
        if _in_unique_constraint(model, field):
            for obj in list(manager.filter(**{field: source.path}).only("pk", *([fk.attname] if fk_moves else []))):
                updates = {field: target.path}
                if fk_moves and getattr(obj, fk.attname) == source.pk:
                    updates[fk.attname] = target.pk
                try:
                    with transaction.atomic():
                        n += manager.filter(pk=obj.pk).update(**updates)
                except IntegrityError:
                    kept[label] = kept.get(label, 0) + 1
        else:
            if fk_moves:
                n += manager.filter(**{field: source.path, fk.attname: source.pk}).update(**{field: target.path, fk.attname: target.pk})
            n += manager.filter(**{field: source.path}).update(**{field: target.path})
        if n:
            moved[label] = moved.get(label, 0) + n
    return moved, kept


def _end_roles_at(*, actor, source: Organization, target: Organization) -> tuple[list[int], list[int]]:
    """End every active role assignment at ``source`` (audited one by one as ``role.revoke``).

    DOMAIN §2: a branch's secretary and committee are elected by its 党员大会 and approved or
    filed by the upper organization, so they do not become the target's — the merged
    organization's secretary, committee and admins lose their roles there. A plain member's
    ``member`` role follows their membership (art. 25: every member belongs to one branch): it
    is granted again at the target (``role.grant``) unless they already hold it there. Pending
    grant requests at the source can no longer be approved (the source is inactive)."""
    ended, moved = [], []
    for ra in list(RoleAssignment.objects.select_for_update().filter(org=source, active=True).select_related("user")):
        RoleAssignment.objects.filter(pk=ra.pk).update(active=False)
        audit.record(actor=actor, action="role.revoke", obj=source,
                     data={"user": ra.user_id, "role": ra.role, "reason": "merge", "into": target.pk})
        ended.append(ra.pk)
        if ra.role == Role.MEMBER and not RoleAssignment.objects.filter(user_id=ra.user_id, org=target, role=Role.MEMBER, active=True).exists():
            new = RoleAssignment.objects.create(user_id=ra.user_id, org=target, role=Role.MEMBER, granted_by=actor)
            audit.record(actor=actor, action="role.grant", obj=target,
                         data={"user": ra.user_id, "username": ra.user.username, "role": ra.role, "reason": "merge", "from": source.pk})
            moved.append(new.pk)
    return ended, moved


def merge_organizations(*, actor, source: Organization, target: Organization, reason: str = "") -> Organization:
    """Merge ``source`` into ``target``: members and sub-organizations move to the target, every
    other row scoped at the source moves too (pending transfers in and out, flowing members'
    records, cases, meetings... — :func:`_merge_rows`), the roles held at the source end
    (:func:`_end_roles_at`; plain members' roles follow them), and the source is kept, read-only,
    with status "merged" (its node stays readable to superiors).

    DOMAIN §2: merging and abolishing organizations is decided by the upper organization; the
    committee and secretary of a branch are elected there and approved above (so they end).
    Issue 10 item 12: nothing of the merged organization is left reachable through its old roles.
    """
    from .population import members

    with transaction.atomic():
        source = Organization.objects.select_for_update().get(pk=source.pk)
        target = Organization.objects.select_for_update().get(pk=target.pk)
        if source.pk == target.pk:
            raise ValidationError(_("Choose a different organization to merge into."), code="same")
        if target.path.startswith(source.path):
            raise ValidationError(_("An organization cannot be merged into one of its own sub-organizations."), code="cycle")
        if not (source.is_active and target.is_active):
            raise ValidationError(_("Only active organizations can be merged."), code="inactive")
        for child in list(source.children.filter(status=OrgStatus.ACTIVE)):
            move_organization(actor=actor, org=child, new_parent=target)
        moved = members().move_all(actor=actor, source=source, target=target, reason=_("merge of %(s)s") % {"s": source.name})
        rows_moved, rows_kept = _merge_rows(source, target)
        roles_ended, roles_moved = _end_roles_at(actor=actor, source=source, target=target)
        source.refresh_from_db()
        source.status = OrgStatus.MERGED
        source.merged_into = target
        source.dissolved_on = timezone.localdate()
        source.save()
        audit.record(actor=actor, action="org.merge", obj=source,
                     data={"into": target.pk, "members_moved": moved, "reason": reason, "rows_moved": rows_moved,
                           "rows_kept": rows_kept, "roles_ended": len(roles_ended), "member_roles_moved": len(roles_moved)})
        return target


def dissolve_organization(*, actor, org: Organization, reason: str, on: dt.date | None = None) -> Organization:
    """Dissolve (撤销) an organization. Its records stay, read-only, for its superiors.

    Refused while it still has active members or active sub-organizations: DOMAIN §11 [block]
    "a member in no branch" — members must first be moved (or the organization merged).
    """
    from .population import members

    if not (reason or "").strip():
        raise ValidationError(_("Give the reason and the decision for dissolving."), code="reason")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        if not org.is_active:
            raise ValidationError(_("This organization is already dissolved."), code="inactive")
        if members().has_active_in_subtree(org.path):
            raise ValidationError(_("Move its members to another organization first (or merge it): no member may be left without a branch."), code="has_members")
        if org.children.filter(status=OrgStatus.ACTIVE).exists():
            raise ValidationError(_("Move or dissolve its sub-organizations first."), code="has_children")
        org.status = OrgStatus.DISSOLVED
        org.dissolved_on = on or timezone.localdate()
        org.save()
        RoleAssignment.objects.filter(org=org, active=True).update(active=False)
        audit.record(actor=actor, action="org.dissolve", obj=org, data={"reason": reason})
        return org


def _refuse(*, actor, org: Organization, code: str, message: str, data: dict) -> ValidationError:
    """Audit a refused role change (in its own transaction: the refusal row stays) and return the
    coded error for the caller to raise."""
    audit.record(actor=actor, action="role.refused", obj=org, data={"code": code, **data})
    return ValidationError(message, code=code)


def _held_roles(user) -> set[str]:
    return set(RoleAssignment.objects.filter(user=user, active=True).values_list("role", flat=True))


def _check_grant(*, actor, user, org: Organization, role: str) -> None:
    """The separation-of-duties checks of :mod:`dangjian.core.roles` for ``actor`` granting
    ``role`` at ``org`` to ``user``; raises the coded, audited refusal."""
    from . import roles
    from .policy import Scope

    data = {"user": user.pk, "username": user.username, "role": role}
    if actor.pk == user.pk:
        raise _refuse(actor=actor, org=org, code="self_grant", data=data,
                      message=_("Nobody grants a role to themself: another administrator must do it."))
    scope = Scope.for_user(actor)
    if not roles.may_grant(scope, role, org.path):
        if scope.path_allows("organization", "manage_roles", org.path):
            raise _refuse(actor=actor, org=org, code="role_not_grantable", data=data,
                          message=_("Your role may not grant “%(role)s” here (separation of duties).") % {"role": Role(role).label})
        raise _refuse(actor=actor, org=org, code="out_of_reach", data=data,
                      message=_("This organization is outside the organizations whose roles you manage."))
    clash = roles.conflicting(_held_roles(user), role)
    if clash:
        raise _refuse(actor=actor, org=org, code="incompatible_roles", data={**data, "held": sorted(clash)},
                      message=_("“%(role)s” cannot be held together with the user's other roles (%(held)s): "
                                "security, audit and organization work are kept apart.")
                      % {"role": Role(role).label, "held": ", ".join(str(Role(h).label) for h in sorted(clash))})


def grant_role(*, actor, user, org: Organization, role: str) -> RoleAssignment | RoleGrantRequest:
    """Give ``user`` a role at ``org`` (SECURITY.md roles, 三权分立); audited.

    With an ``actor`` (``None`` is the installer: demo data, fixtures), the rules of
    :mod:`dangjian.core.roles` apply: no self-grant; only the roles the actor's own role may
    grant, within its reach; a security or audit admin never holds a data role. A privileged
    role (:func:`dangjian.core.roles.two_person_roles`) is not granted at once: the call returns
    a pending :class:`RoleGrantRequest` that a second security admin approves
    (:func:`approve_role_grant`). Refusals are coded ``ValidationError`` s and audited
    (``role.refused``).
    """
    from . import roles

    if role not in Role.values:
        raise ValidationError(_("Unknown role."), code="role")
    if not org.is_active:
        raise ValidationError(_("A dissolved organization is kept read-only."), code="inactive")
    if actor is not None:
        _check_grant(actor=actor, user=user, org=org, role=role)
    with transaction.atomic():
        if actor is not None and role in roles.two_person_roles():
            existing = RoleAssignment.objects.filter(user=user, org=org, role=role, active=True).first()
            if existing is not None:
                return existing
            req, created = RoleGrantRequest.objects.get_or_create(
                user=user, org=org, role=role, status=GrantStatus.PENDING, defaults={"requested_by": actor})
            if created:
                audit.record(actor=actor, action="role.grant_request", obj=org,
                             data={"request": req.pk, "user": user.pk, "username": user.username, "role": role})
            return req
        ra, created = RoleAssignment.objects.get_or_create(user=user, org=org, role=role, active=True,
                                                           defaults={"granted_by": actor if getattr(actor, "pk", None) else None})
        if created:
            audit.record(actor=actor, action="role.grant", obj=org, data={"user": user.pk, "username": user.username, "role": role})
        return ra


def approve_role_grant(*, actor, grant_request: RoleGrantRequest) -> RoleAssignment:
    """The second person of the two-person rule (:mod:`dangjian.core.roles`): a security admin
    reaching the organization, who is neither the requester nor the grantee, applies a pending
    grant of a privileged role. The separation-of-duties checks run again at approval."""
    from . import roles
    from .policy import Scope

    with transaction.atomic():
        req = RoleGrantRequest.objects.select_for_update().select_related("org", "user").get(pk=grant_request.pk)
        data = {"request": req.pk, "user": req.user_id, "username": req.user.username, "role": req.role}
        if req.status != GrantStatus.PENDING:
            raise ValidationError(_("This request was already decided."), code="decided")
    if actor.pk in (req.requested_by_id, req.user_id):
        raise _refuse(actor=actor, org=req.org, code="second_person_required", data=data,
                      message=_("A second security administrator (not the requester, not the grantee) must approve this grant."))
    if not roles.may_approve(Scope.for_user(actor), req.org.path):
        raise _refuse(actor=actor, org=req.org, code="not_approver", data=data,
                      message=_("Only a security administrator of this organization or above approves role grants."))
    if not req.org.is_active:
        raise ValidationError(_("A dissolved organization is kept read-only."), code="inactive")
    clash = roles.conflicting(_held_roles(req.user), req.role)
    if clash:
        raise _refuse(actor=actor, org=req.org, code="incompatible_roles", data={**data, "held": sorted(clash)},
                      message=_("“%(role)s” cannot be held together with the user's other roles (%(held)s).")
                      % {"role": Role(req.role).label, "held": ", ".join(str(Role(h).label) for h in sorted(clash))})
    with transaction.atomic():
        req = RoleGrantRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != GrantStatus.PENDING:
            raise ValidationError(_("This request was already decided."), code="decided")
        ra, _created = RoleAssignment.objects.get_or_create(user_id=req.user_id, org_id=req.org_id, role=req.role, active=True,
                                                            defaults={"granted_by_id": req.requested_by_id})
        req.status, req.decided_by, req.decided_at, req.assignment = GrantStatus.APPROVED, actor, timezone.now(), ra
        req.save(update_fields=["status", "decided_by", "decided_at", "assignment"])
        audit.record(actor=actor, action="role.grant", obj=ra.org,
                     data={**data, "requested_by": req.requested_by_id, "approved_by": actor.pk})
        return ra


def reject_role_grant(*, actor, grant_request: RoleGrantRequest) -> RoleGrantRequest:
    """Turn down (or, by its requester, withdraw) a pending grant; audited. Who may: the
    requester, or a security admin who could approve it (:func:`approve_role_grant`)."""
    from . import roles
    from .policy import Scope

    with transaction.atomic():
        req = RoleGrantRequest.objects.select_for_update().select_related("org").get(pk=grant_request.pk)
        if req.status != GrantStatus.PENDING:
            raise ValidationError(_("This request was already decided."), code="decided")
        if actor.pk != req.requested_by_id and not roles.may_approve(Scope.for_user(actor), req.org.path):
            raise ValidationError(_("Only the requester or a security administrator decides this request."), code="not_approver")
        req.status, req.decided_by, req.decided_at = GrantStatus.REJECTED, actor, timezone.now()
        req.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(actor=actor, action="role.grant_reject", obj=req.org,
                     data={"request": req.pk, "user": req.user_id, "role": req.role})
        return req


def revoke_role(*, actor, assignment: RoleAssignment) -> None:
    """End a role assignment; audited. With an ``actor``, only someone who could grant the role
    there revokes it (:mod:`dangjian.core.roles`: an org admin does not remove the audit or the
    security admin); anyone may give up a role of their own."""
    from . import roles
    from .policy import Scope

    if actor is not None and actor.pk != assignment.user_id and not roles.may_grant(Scope.for_user(actor), assignment.role, assignment.org.path):
        raise _refuse(actor=actor, org=assignment.org, code="role_not_grantable",
                      data={"user": assignment.user_id, "role": assignment.role, "revoke": True},
                      message=_("Your role may not revoke “%(role)s” here (separation of duties).") % {"role": Role(assignment.role).label})
    with transaction.atomic():
        RoleAssignment.objects.filter(pk=assignment.pk).update(active=False)
        audit.record(actor=actor, action="role.revoke", obj=assignment.org,
                     data={"user": assignment.user_id, "role": assignment.role})


def create_account(*, actor, username: str, password: str, org: Organization) -> object:
    """Create a login account (Argon2-hashed, password rules of SECURITY.md: ≥12 characters,
    not common, not numeric, not similar to the username); audited under ``org``."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": [ValidationError(_("Enter a username."), code="no_username")]})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [ValidationError(_("This username is taken."), code="username_taken")]})
    user = User(username=username)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        # each message keeps its validator's code (password_too_short, password_too_common, ...) and
        # params; "weak_password" for a validator that gives none
        failed = [ValidationError(e.message, code=e.code or "weak_password", params=e.params) for e in exc.error_list]
        raise collected({"password": failed}) from None
    with transaction.atomic():
        user.set_password(password)
        user.save()
        audit.record(actor=actor, action="user.create", obj=org, data={"user": user.pk, "username": username})
    return user
