"""Aggregate: the tree's structure — moving an organization with its subtree, merging one into
another, dissolving one.

Rules: DOMAIN §2 (changes of structure, merging and abolishing are decided by the upper
organization; a branch's committee and secretary are elected there and approved above, so they
end in a merge); DOMAIN §11 [block] "a member in no branch" (no dissolution while members or
sub-organizations remain); decision 1 (set-based moves: ``_reparent`` rewrites a subtree's paths
with one UPDATE per column), decision 2 (the subtree's rollup counts move with it), decision 25 (a
merge ends the merged organization's roles and moves every row scoped at it), decision 35 (the
path columns are the declared ``OrgPathField`` s, :func:`path_columns`); issue 10 item 12.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, policy, rollups
from ..models import Organization, OrgStatus, Role, RoleAssignment
from ._common import _check_parent, _next_child_path


def path_columns() -> list[tuple[type, str]]:
    """Every column that copies an organization's path: the declared
    :class:`~dangjian.core.scoping.OrgPathField` columns (issue 9 item 2)."""
    from ..scoping import path_columns as declared

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
    from ..models import OrgRollup

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
    under a kind that may not hold it. Rows ``organization.move`` on ``org`` and
    ``organization.add_child`` on ``new_parent``.
    """
    policy.authorize(actor, "organization", "move", org)
    policy.authorize(actor, "organization", "add_child", new_parent)
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
    Rows ``organization.merge`` on ``source`` and ``organization.add_child`` on ``target``.
    """
    from ..population import members

    policy.authorize(actor, "organization", "merge", source)
    policy.authorize(actor, "organization", "add_child", target)
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
    Row ``organization.dissolve`` on ``org``.
    """
    from ..population import members

    policy.authorize(actor, "organization", "dissolve", org)
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
