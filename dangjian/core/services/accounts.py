"""Aggregate: login accounts — creating one for an organization's roles page.

Rules: SECURITY.md passwords (Argon2-hashed; ≥12 characters, not common, not numeric, not similar
to the username), each refusal keeping its validator's code; audited under the organization.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import audit, policy
from ..errors import collected
from ..models import Organization


def create_account(*, actor, username: str, password: str, org: Organization) -> object:
    """Create a login account (Argon2-hashed, password rules of SECURITY.md: ≥12 characters,
    not common, not numeric, not similar to the username); audited under ``org``. Row
    ``organization.manage_roles`` on ``org`` (the roles page that creates it)."""
    policy.authorize(actor, "organization", "manage_roles", org)
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
