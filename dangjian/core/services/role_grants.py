"""Aggregate: role assignments (and the pending grant requests of privileged roles) — grant,
approve, reject, revoke.

Rules: SECURITY.md roles and decision 20, separation of duties (三权分立) as tabled in
:mod:`dangjian.core.roles` — no self-grant; only the roles the actor's own role may grant, within
its reach; a security or audit admin never holds a data role; privileged roles need a second
security admin (two-person rule); revocation follows the same table. Decision 7: the role's level
comes from the organization it is held at. Refusals are coded and audited (``role.refused``).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, policy
from ..models import GrantStatus, Organization, Role, RoleAssignment, RoleGrantRequest


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
    from .. import roles
    from ..policy import Scope

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


@policy.authorized_by("separation of duties (core.roles): _check_grant refuses a self-grant and any role the "
                      "actor's own role may not grant within its reach (out_of_reach, role_not_grantable), audited")
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
    from .. import roles

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


@policy.authorized_by("two-person rule (core.roles.may_approve): only a security admin reaching the organization, "
                      "neither the requester nor the grantee, approves (second_person_required, not_approver), audited")
def approve_role_grant(*, actor, grant_request: RoleGrantRequest) -> RoleAssignment:
    """The second person of the two-person rule (:mod:`dangjian.core.roles`): a security admin
    reaching the organization, who is neither the requester nor the grantee, applies a pending
    grant of a privileged role. The separation-of-duties checks run again at approval."""
    from .. import roles
    from ..policy import Scope

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


@policy.authorized_by("only the requester or a security admin who could approve it (core.roles.may_approve) "
                      "decides a pending grant (not_approver)")
def reject_role_grant(*, actor, grant_request: RoleGrantRequest) -> RoleGrantRequest:
    """Turn down (or, by its requester, withdraw) a pending grant; audited. Who may: the
    requester, or a security admin who could approve it (:func:`approve_role_grant`)."""
    from .. import roles
    from ..policy import Scope

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


@policy.authorized_by("separation of duties (core.roles.may_grant): only who could grant the role there revokes "
                      "it, or its holder gives it up (role_not_grantable), audited")
def revoke_role(*, actor, assignment: RoleAssignment) -> None:
    """End a role assignment; audited. With an ``actor``, only someone who could grant the role
    there revokes it (:mod:`dangjian.core.roles`: an org admin does not remove the audit or the
    security admin); anyone may give up a role of their own."""
    from .. import roles
    from ..policy import Scope

    if actor is not None and actor.pk != assignment.user_id and not roles.may_grant(Scope.for_user(actor), assignment.role, assignment.org.path):
        raise _refuse(actor=actor, org=assignment.org, code="role_not_grantable",
                      data={"user": assignment.user_id, "role": assignment.role, "revoke": True},
                      message=_("Your role may not revoke “%(role)s” here (separation of duties).") % {"role": Role(assignment.role).label})
    with transaction.atomic():
        RoleAssignment.objects.filter(pk=assignment.pk).update(active=False)
        audit.record(actor=actor, action="role.revoke", obj=assignment.org,
                     data={"user": assignment.user_id, "role": assignment.role})
