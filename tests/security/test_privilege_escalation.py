"""Privilege escalation (SECURITY.md family "privilege escalation"; issue 10 item 3, 三权分立):
every role × every grantable role × self / other user at the granter's own, a child, the
parent and a sibling organization. 0 self-grants, 0 grants above the granter's reach, an org
admin never grants audit or security admin, a security or audit admin never reaches member data,
and a privileged role applies only after a second person approves.

The expected answer is written out here (``expected``), independently of dangjian.core.roles.
"""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent, RoleAssignment, RoleGrantRequest

ROLES = ["org_admin", "secretary", "committee", "member", "audit_admin", "security_admin"]
PRIVILEGED = {"org_admin", "audit_admin", "security_admin"}
DATA = {"secretary", "committee", "member"}

GRANTERS = {  # persona -> (role, assigned org)
    "county_admin": ("org_admin", "county"),
    "town_admin": ("org_admin", "t1"),
    "secretary": ("secretary", "b1"),
    "committee": ("committee", "b1"),
    "member": ("member", "b1"),
    "audit_admin": ("audit_admin", "county"),
    "security_admin": ("security_admin", "county"),
    "outsider": (None, None),
}
RELATIONS = {
    "own": {"county": "county", "t1": "t1", "b1": "b1", None: "b1"},
    "child": {"county": "t1", "t1": "b1", "b1": "g1", None: "b1"},
    "parent": {"county": "city", "t1": "county", "b1": "t1", None: "b1"},
    "sibling": {"county": "county2", "t1": "t2", "b1": "b2", None: "b1"},
}


def expected(granter_role: str | None, role: str, rel: str, to_self: bool) -> str:
    """'granted', 'pending', or the refusal code."""
    if to_self:
        return "self_grant"
    inside = rel in ("own", "child")
    if granter_role == "org_admin":
        if not inside:
            return "out_of_reach"
        if role in DATA:
            return "granted"
        if role == "org_admin" and rel == "child":
            return "pending"  # strictly below, and a second person approves
        return "role_not_grantable"  # a peer org admin, an audit or a security admin
    if granter_role == "security_admin":
        if not inside:
            return "out_of_reach"
        return "pending" if role in PRIVILEGED else "granted"
    return "out_of_reach"  # secretaries, committee members, members, audit admins grant nothing


def _new_user(name="grantee"):
    return get_user_model().objects.create_user(username=name, password="x-long-enough-password")


def _outcome(fn) -> str:
    try:
        result = fn()
    except ValidationError as exc:
        return exc.code
    return "pending" if isinstance(result, RoleGrantRequest) else "granted"


CASES = [(p, role, rel, to_self) for p in GRANTERS for role in ROLES for rel in RELATIONS for to_self in (False, True)]


@pytest.mark.parametrize(("persona", "role", "rel", "to_self"), CASES)
def test_grant_matrix(world, persona, role, rel, to_self):
    granter_role, assigned = GRANTERS[persona]
    actor = world.users[persona]
    org = getattr(world, RELATIONS[rel][assigned])
    grantee = actor if to_self else _new_user()
    before = set(RoleAssignment.objects.filter(user=grantee, active=True).values_list("pk", flat=True))
    got = _outcome(lambda: org_services.grant_role(actor=actor, user=grantee, org=org, role=role))
    want = expected(granter_role, role, rel, to_self)
    assert got == want, f"{persona} grants {role} at {rel} ({'self' if to_self else 'other'}): {got}, expected {want}"
    now = set(RoleAssignment.objects.filter(user=grantee, active=True).values_list("pk", flat=True))
    if want == "granted":
        assert RoleAssignment.objects.filter(user=grantee, org=org, role=role, active=True).exists()
    else:
        assert now == before, "nothing is granted before a second person approves (or at all, when refused)"
    if want not in ("granted", "pending"):
        ev = AuditEvent.objects.filter(action="role.refused").latest("seq")
        assert ev.actor_id == actor.pk and ev.data["code"] == want and ev.data["role"] == role


def test_security_admin_cannot_give_itself_org_admin_and_reveal(world):
    """The outside test: the security admin gave itself org_admin, then revealed ID numbers."""
    sec = world.users["security_admin"]
    c = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(sec, backend="django.contrib.auth.backends.ModelBackend")
    r = c.post(reverse("org-roles", args=[world.county.pk]), {"username": "security_admin", "role": "org_admin"})
    assert r.status_code == 200  # the form comes back with the refusal
    assert not RoleAssignment.objects.filter(user=sec, role="org_admin").exists()
    assert not RoleGrantRequest.objects.filter(user=sec).exists()
    assert AuditEvent.objects.filter(action="role.refused", actor=sec, data__code="self_grant").exists()
    reveal = c.post(reverse("api-member-reveal", args=[world.m_member.pk]), {"field": "id_number", "purpose": "verification"}, format="json")
    assert reveal.status_code == 404
    assert c.get(reverse("api-member-list")).status_code == 403


def test_town_admin_cannot_give_itself_audit_admin_on_the_web(world, login):
    town = world.users["town_admin"]
    c = login(town)
    page = c.get(reverse("org-roles", args=[world.t1.pk])).content.decode()
    assert 'value="audit_admin"' not in page and 'value="security_admin"' not in page
    r = c.post(reverse("org-roles", args=[world.t1.pk]), {"username": "town_admin", "role": "audit_admin"})
    assert r.status_code == 200
    assert not RoleAssignment.objects.filter(user=town, role="audit_admin").exists()
    # and not for someone else either
    _new_user("friend")
    c.post(reverse("org-roles", args=[world.t1.pk]), {"username": "friend", "role": "audit_admin"})
    assert not RoleAssignment.objects.filter(user__username="friend").exists()
    assert not RoleGrantRequest.objects.filter(user__username="friend").exists()


def test_security_and_audit_admins_never_hold_data_roles(world):
    sec = world.users["security_admin"]
    sec2 = _new_user("security_admin2")
    org_services.grant_role(actor=None, user=sec2, org=world.county, role="security_admin")
    # the security admin asks a fellow security admin for a data role: refused, whoever grants it
    for role in ("org_admin", "secretary", "committee"):
        with pytest.raises(ValidationError) as exc:
            org_services.grant_role(actor=sec2, user=sec, org=world.b1, role=role)
        assert exc.value.code == "incompatible_roles"
        with pytest.raises(ValidationError) as exc:
            org_services.grant_role(actor=sec2, user=world.users["audit_admin"], org=world.b1, role=role)
        assert exc.value.code == "incompatible_roles"
    # nor does an org admin become an auditor, or an auditor a security admin
    with pytest.raises(ValidationError) as exc:
        org_services.grant_role(actor=sec, user=world.users["town_admin"], org=world.t1, role="audit_admin")
    assert exc.value.code == "incompatible_roles"
    with pytest.raises(ValidationError) as exc:
        org_services.grant_role(actor=sec, user=world.users["audit_admin"], org=world.county, role="security_admin")
    assert exc.value.code == "incompatible_roles"
    # the member role (one's own record) goes with any
    assert isinstance(org_services.grant_role(actor=sec2, user=sec, org=world.b1, role="member"), RoleAssignment)


def test_privileged_grant_needs_a_second_person(world):
    county, town, sec = world.users["county_admin"], world.users["town_admin"], world.users["security_admin"]
    grantee = _new_user()
    req = org_services.grant_role(actor=county, user=grantee, org=world.t1, role="org_admin")
    assert isinstance(req, RoleGrantRequest) and req.status == "pending"
    assert AuditEvent.objects.filter(action="role.grant_request", data__request=req.pk).exists()
    for who, code in ((county, "second_person_required"), (grantee, "second_person_required"), (town, "not_approver"),
                      (world.users["audit_admin"], "not_approver")):
        with pytest.raises(ValidationError) as exc:
            org_services.approve_role_grant(actor=who, grant_request=req)
        assert exc.value.code == code, who.username
    assert not RoleAssignment.objects.filter(user=grantee).exists()
    ra = org_services.approve_role_grant(actor=sec, grant_request=req)
    assert ra.active and ra.role == "org_admin" and ra.org_id == world.t1.pk and ra.granted_by_id == county.pk
    ev = AuditEvent.objects.filter(action="role.grant").latest("seq")
    assert ev.actor_id == sec.pk and ev.data["approved_by"] == sec.pk and ev.data["requested_by"] == county.pk
    with pytest.raises(ValidationError) as exc:
        org_services.approve_role_grant(actor=sec, grant_request=req)
    assert exc.value.code == "decided"


def test_security_admin_grant_of_a_security_role_needs_another_security_admin(world, login):
    sec = world.users["security_admin"]
    sec2 = _new_user("security_admin2")
    org_services.grant_role(actor=None, user=sec2, org=world.county, role="security_admin")
    _new_user("new_auditor")
    c = login(sec)
    r = c.post(reverse("org-roles", args=[world.county.pk]), {"username": "new_auditor", "role": "audit_admin"})
    assert r.status_code == 302
    req = RoleGrantRequest.objects.get(user__username="new_auditor")
    assert not RoleAssignment.objects.filter(user__username="new_auditor").exists()
    # the requester cannot approve it on the page either
    c.post(reverse("org-roles", args=[world.county.pk]), {"approve": req.pk})
    assert RoleGrantRequest.objects.get(pk=req.pk).status == "pending"
    # the second security admin sees it and approves it
    c2 = login(sec2, c.__class__())
    page = c2.get(reverse("org-roles", args=[world.county.pk])).content.decode()
    assert 'data-testid="pending-grants"' in page and f'name="approve" value="{req.pk}"' in page
    c2.post(reverse("org-roles", args=[world.county.pk]), {"approve": req.pk})
    assert RoleGrantRequest.objects.get(pk=req.pk).status == "approved"
    assert RoleAssignment.objects.filter(user__username="new_auditor", role="audit_admin", org=world.county, active=True).exists()


def test_rejected_request_grants_nothing(world):
    req = org_services.grant_role(actor=world.users["county_admin"], user=_new_user(), org=world.t2, role="org_admin")
    org_services.reject_role_grant(actor=world.users["security_admin"], grant_request=req)
    assert RoleGrantRequest.objects.get(pk=req.pk).status == "rejected"
    with pytest.raises(ValidationError) as exc:
        org_services.approve_role_grant(actor=world.users["security_admin"], grant_request=req)
    assert exc.value.code == "decided"
    assert not RoleAssignment.objects.filter(user=req.user).exists()


def test_org_admin_cannot_revoke_the_audit_or_security_admin(world):
    county = world.users["county_admin"]
    for persona in ("audit_admin", "security_admin"):
        ra = RoleAssignment.objects.get(user=world.users[persona], active=True)
        with pytest.raises(ValidationError) as exc:
            org_services.revoke_role(actor=county, assignment=ra)
        assert exc.value.code == "role_not_grantable"
        assert RoleAssignment.objects.get(pk=ra.pk).active
    # the town admin does not remove the county admin above it either
    ra = RoleAssignment.objects.get(user=county, active=True)
    with pytest.raises(ValidationError) as exc:
        org_services.revoke_role(actor=world.users["town_admin"], assignment=ra)
    assert exc.value.code == "role_not_grantable"
