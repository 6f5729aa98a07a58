"""Resetting a user's second factor asserts the actor (decisions.md 38): row
``organization.manage_roles`` wherever the user holds a role; the system (``manage.py
otp_reset``) resets any account."""
from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from dangjian.accounts import services
from dangjian.core import policy
from dangjian.core.models import AuditEvent

from .conftest import confirmed_device


@pytest.mark.parametrize("refused", ["town2_admin", "secretary2", "member"])
def test_outside_the_users_organizations_nothing_is_reset(world, refused):
    user = world.users["secretary"]  # secretary of B1
    confirmed_device(user)
    audits = AuditEvent.objects.count()
    with pytest.raises(policy.NotPermitted) as exc:
        services.reset(user, actor=world.users[refused])
    assert exc.value.code == "not_permitted"
    assert TOTPDevice.objects.filter(user=user).count() == 1 and AuditEvent.objects.count() == audits


@pytest.mark.parametrize("allowed", ["town_admin", "security_admin"])
def test_an_administrator_above_resets_it(world, allowed):
    user = world.users["secretary"]
    confirmed_device(user)
    assert services.reset(user, actor=world.users[allowed]) == 1
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="auth.2fa_reset", actor=world.users[allowed]).exists()


def test_an_account_without_roles_is_reset_by_the_system_only(world):
    user = world.users["outsider"]
    confirmed_device(user)
    with pytest.raises(policy.NotPermitted):
        services.reset(user, actor=world.users["security_admin"])
    assert services.reset(user) == 1
