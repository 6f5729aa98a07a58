"""The demo generator (``manage.py demo_data --scale tiny``): valid, consistent, countable data.

Checks the DOMAIN rules the generator claims to follow: GB 11643 ID numbers matching birth date
and gender, unique; every member in a member-holding organization; a secretary in every branch
and a committee where ≥7 full members (§2); joined at ≥18 and full one year later (§4); rollup
totals equal to member counts; one sign-in account per role that can really sign in.
"""
from __future__ import annotations

import io
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.core import rollups
from dangjian.core.models import MEMBER_HOLDING_KINDS, AuditEvent, Organization, OrgKind, RoleAssignment
from dangjian.core.privacy import birth_date_from_id, gender_from_id, validate_id_number
from dangjian.core.structure import findings_for
from dangjian.demo.accounts import ACCOUNTS, DEFAULT_PASSWORD
from dangjian.demo.people import add_years, age_on
from dangjian.members.models import COMMITTEE_POSITIONS, Member, MemberStatus, RecordState

SEED = 7


@pytest.fixture
def tiny(empty_db):
    out = io.StringIO()
    call_command("demo_data", scale="tiny", seed=SEED, stdout=out)
    return out.getvalue()


def members():
    """The generator's members (not those the development demo admitted through its cases: their
    records are whatever the case says — e.g. one left overdue for conversion on purpose)."""
    from dangjian.development.models import DevelopmentCase

    admitted = DevelopmentCase.objects.exclude(member=None).values("member_id")
    return list(Member.objects.exclude(pk__in=admitted).select_related("org").order_by("id"))


def test_id_numbers_valid_consistent_and_unique(tiny):
    ms = members()
    assert len(ms) >= 150
    ids = [m.id_number for m in ms]
    assert len(set(ids)) == len(ids)
    for m in ms:
        assert validate_id_number(m.id_number) == m.id_number
        assert birth_date_from_id(m.id_number) == m.birth_date
        assert gender_from_id(m.id_number) == m.gender
        assert m.id_number_bidx  # blind index filled by pre_save during bulk_create


def test_phones_and_addresses_are_encrypted_and_plausible(tiny):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone, address FROM members_member LIMIT 20")
        for row in cur.fetchall():
            assert all(v.startswith("v1:") for v in row if v)  # ciphertext at rest
    for m in members():
        assert m.address
        assert m.phone == "" or (len(m.phone) == 11 and m.phone.startswith("1"))


def test_join_dates_follow_the_constitution(tiny):
    today = timezone.localdate()
    ms = members()
    for m in ms:
        assert age_on(m.birth_date, m.joined_on) >= 18
        assert m.joined_on <= today
        if m.status == MemberStatus.FULL:
            assert m.full_member_on == add_years(m.joined_on, 1) <= today
        else:
            assert m.full_member_on is None
            assert (today - m.joined_on).days < 366
    assert any(m.status == MemberStatus.PROBATIONARY for m in ms)


def test_every_member_is_in_a_member_holding_org(tiny):
    for m in members():
        assert m.state == RecordState.ACTIVE
        assert m.org.kind in MEMBER_HOLDING_KINDS
        assert m.org_path == m.org.path


def test_tree_shape(tiny):
    city = Organization.objects.get(depth=1)
    assert city.kind == OrgKind.CITY_COMMITTEE
    county = Organization.objects.get(kind=OrgKind.COUNTY_COMMITTEE)
    assert county.parent_id == city.pk
    assert Organization.objects.filter(kind=OrgKind.TOWN_COMMITTEE, parent=county).count() >= 3
    for org in Organization.objects.exclude(parent=None).select_related("parent"):
        assert org.path.startswith(org.parent.path) and len(org.path) == len(org.parent.path) + 4
        assert org.depth == org.parent.depth + 1


def test_each_branch_has_a_secretary_and_committee_rules(tiny):
    for org in Organization.objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PRIMARY_COMMITTEE]):
        own = Member.objects.filter(org=org)
        assert own.filter(position="secretary").count() == 1, org.name
        if org.kind == OrgKind.BRANCH:
            full = Member.objects.filter(org_path__startswith=org.path, status=MemberStatus.FULL).count()
            committee = own.filter(position__in=COMMITTEE_POSITIONS).count()
            if full >= 7:
                assert 3 <= committee <= 5, org.name
            else:
                assert committee <= 2, org.name
    for group in Organization.objects.filter(kind=OrgKind.PARTY_GROUP):
        leaders = Member.objects.filter(org=group, position="group_leader")
        assert leaders.count() == 1 and leaders.get().status == MemberStatus.FULL
        assert Member.objects.filter(org=group).count() >= 3


def test_deliberate_findings_are_present(tiny):
    today = timezone.localdate()
    rules = set()
    for org in Organization.objects.filter(kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH]):
        own = Member.objects.filter(org=org)
        found = findings_for(org, rollups.counts_for(org), own.filter(position__in=COMMITTEE_POSITIONS).count(),
                             own.filter(position="secretary").exists(), today)
        rules |= {f.rule for f in found}
    assert {"S1", "S9"} <= rules  # a branch with <3 full members; a term that has expired
    assert "S8" not in rules  # no branch without a secretary


def test_rollup_totals_equal_member_counts(tiny):
    for org in Organization.objects.all():
        counts = rollups.counts_for(org)
        n = Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE).count()
        assert counts.get("total", 0) == n, org.name
        assert sum(v for k, v in counts.items() if k.startswith("gender:")) == n


def test_one_account_per_role_and_they_can_sign_in(tiny):
    User = get_user_model()
    for spec in ACCOUNTS:
        assert spec.username in tiny  # the printed table
        user = User.objects.get(username=spec.username)
        assert user.password.startswith("argon2")
        ra = RoleAssignment.objects.get(user=user, active=True)
        assert ra.role == spec.role
        client = Client()
        client.post(reverse("login"), {"username": spec.username, "password": DEFAULT_PASSWORD})
        assert "_auth_user_id" in client.session, spec.username
        if spec.member_position is not None:
            assert user.member.org_id == ra.org_id
            assert user.member.position == spec.member_position


def test_audit_rows_and_refusal_to_load_twice(tiny):
    steps = list(AuditEvent.objects.filter(action="demo.load").values_list("data__step", flat=True))
    assert steps == ["organizations", "members", "rollups"]
    with pytest.raises(CommandError, match="empty database"):
        call_command("demo_data", scale="tiny", stdout=io.StringIO())


def test_same_seed_same_data(tiny):
    from dangjian.demo.generator import iter_region_members
    from dangjian.demo.tree import build_plan

    today = timezone.localdate()
    plan = build_plan("tiny", SEED, today)
    assert plan.members == len(members())
    assert sorted(n.path for n in plan.nodes) == list(Organization.objects.order_by("path").values_list("path", flat=True))
    again = [f["id_number"] for _node, f in itertools.islice(iter_region_members(plan, plan.regions[0], SEED, today), 50)]
    assert again == [m.id_number for m in members()[:50]]


def test_weak_password_and_province_on_sqlite_are_refused(empty_db):
    with pytest.raises(CommandError, match="password"):
        call_command("demo_data", scale="tiny", password="short", stdout=io.StringIO())
    from django.db import connection

    if connection.vendor == "sqlite":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("demo_data", scale="province", stdout=io.StringIO())


def test_refresh_rollups_command_and_sql_variant_agree(tiny):
    """``refresh_rollups`` rebuilds the same rows; on PostgreSQL ``--sql`` gives identical counts."""
    from django.db import connection

    from dangjian.core.models import OrgRollup

    out = io.StringIO()
    call_command("refresh_rollups", stdout=out)
    assert "rollup rows" in out.getvalue()
    python_rows = dict(OrgRollup.objects.values_list("org_id", "counts"))
    assert len(python_rows) == Organization.objects.count()
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("refresh_rollups", sql=True, stdout=io.StringIO())
        return
    call_command("refresh_rollups", sql=True, stdout=io.StringIO())
    assert dict(OrgRollup.objects.values_list("org_id", "counts")) == python_rows
