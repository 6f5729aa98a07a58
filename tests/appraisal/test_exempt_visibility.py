"""Who sees who is exempt from the appraisal (issue 10 item 13): an exemption says the member is old,
frail or ill, so the exempt members of a round are shown to the staff who manage the round only; a
plain member sees at most their own exemption. Matrix: viewer x participant row shown (and flagged
exempt) on the round page."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_with_exempt(voters):
    from django.contrib.auth import get_user_model

    from dangjian.appraisal import services
    from dangjian.core import services as org_services
    from dangjian.orglife.services import create_exemption

    w = voters
    u = get_user_model().objects.create_user(username="probationer", password="x-very-long-password-2")
    org_services.grant_role(actor=None, user=u, org=w.b1, role="member")
    w.m_probationary.user = u
    w.m_probationary.save(update_fields=["user"])
    w.users["probationer"] = u
    create_exemption(actor=None, member=w.m_group, basis="old", note="", starts_on=dt.date(2026, 1, 1), ends_on=None)
    create_exemption(actor=None, member=w.m_probationary, basis="ill", note="住院", starts_on=dt.date(2026, 1, 1), ends_on=None)
    return services.open_round(actor=w.users["secretary"], org=w.b1, year=2026)


def _rows(login, user, rnd) -> dict[int, bool]:
    """The round page as ``user`` sees it: member id -> flagged exempt."""
    r = login(user, Client()).get(f"/appraisal/{rnd.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    return {int(m): bool(e) for m, e in re.findall(r'data-testid="participant" data-member="(\d+)"( data-exempt="1")?', html)}


# viewer -> the exempt members (fixture names) whose rows they see, flagged exempt
MATRIX = [
    ("secretary", {"m_group", "m_probationary"}),  # branch staff manage the round
    ("committee", {"m_group", "m_probationary"}),
    ("town_admin", {"m_group", "m_probationary"}),  # org admin above the branch manages it too
    ("member", set()),  # a plain member who is not exempt sees no one's exemption
    ("probationer", {"m_probationary"}),  # an exempt plain member sees their own exemption only
]


@pytest.mark.parametrize(("viewer", "sees"), MATRIX, ids=[v for v, _ in MATRIX])
def test_exempt_members_are_shown_only_to_the_round_managers_and_to_themselves(round_with_exempt, voters, login, viewer, sees):
    w = voters
    rows = _rows(login, w.users[viewer], round_with_exempt)
    exempt = {"m_group": w.m_group.pk, "m_probationary": w.m_probationary.pk}
    assert {name for name, pk in exempt.items() if pk in rows} == sees
    assert all(rows[exempt[name]] for name in sees)  # shown means shown as exempt, never as a full member
    # members taking part are listed for everyone who may open the round
    assert {w.m_secretary.pk, w.m_committee.pk, w.m_member.pk} <= set(rows)
