"""The standard organization tree and personas every test speaks of.

    M市委 (city)                          city_admin
    ├── C县委 (county)                    county_admin, audit_admin, security_admin
    │   ├── 东镇党委 T1 (town)            town_admin
    │   │   ├── 东村党支部 B1 (branch)     secretary, committee, member (+ Party group G1)
    │   │   └── 西村党支部 B2 (branch)     secretary2
    │   └── 南镇党委 T2 (town)            town2_admin
    │       └── 南村党支部 B3 (branch)
    └── D县委 (county, the "other county")
        └── 北镇党委 T3 → 北村党支部 B4

Relations used by the authz matrix: own, child, sibling, parent (see tests/core/test_authz_matrix.py).
"""
from __future__ import annotations

import copy
import datetime as dt
import os
from types import SimpleNamespace

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

from tests.factories import member_data  # noqa: E402

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_keyring():
    from dangjian.core import crypto

    crypto.keyring.cache_clear()
    yield
    crypto.keyring.cache_clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (zh-hans): a request made in English by an earlier
    test leaves its language active in the thread (LocaleMiddleware does not deactivate)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def build_world():
    from django.contrib.auth import get_user_model

    from dangjian.core import services as org_services
    from dangjian.members import services as member_services

    User = get_user_model()
    w = SimpleNamespace()
    mk = org_services.create_organization
    w.city = mk(actor=None, parent=None, name="M市委", kind="city")
    w.county = mk(actor=None, parent=w.city, name="C县委", kind="county")
    w.county2 = mk(actor=None, parent=w.city, name="D县委", kind="county")
    w.t1 = mk(actor=None, parent=w.county, name="东镇党委", kind="town")
    w.t2 = mk(actor=None, parent=w.county, name="南镇党委", kind="town")
    w.t3 = mk(actor=None, parent=w.county2, name="北镇党委", kind="town")
    w.b1 = mk(actor=None, parent=w.t1, name="东村党支部", kind="branch", area_type="village", term_started_on=dt.date(2021, 3, 1))
    w.b2 = mk(actor=None, parent=w.t1, name="西村党支部", kind="branch", area_type="village")
    w.b3 = mk(actor=None, parent=w.t2, name="南村党支部", kind="branch", area_type="village")
    w.b4 = mk(actor=None, parent=w.t3, name="北村党支部", kind="branch", area_type="village")
    w.g1 = mk(actor=None, parent=w.b1, name="东村第一党小组", kind="party_group")

    def member(org, name, **over):
        return member_services.create_member(actor=None, org=org, data=member_data(name=name, **over))

    w.m_secretary = member(w.b1, "李书记", position="secretary")
    w.m_committee = member(w.b1, "王委员", position="organization")
    w.m_member = member(w.b1, "赵党员", gender="F", birth_date=dt.date(1990, 2, 3))
    w.m_probationary = member(w.b1, "钱预备", status="probationary", joined_on=dt.date(2026, 3, 1))
    w.m_group = member(w.g1, "孙组员")
    w.m_b2 = [member(w.b2, f"西村党员{i}") for i in range(3)]
    w.m_b3 = [member(w.b3, f"南村党员{i}") for i in range(3)]
    w.m_b4 = [member(w.b4, f"北村党员{i}") for i in range(3)]

    def user(username, role=None, org=None, member=None):
        u = User.objects.create_user(username=username, password=PASSWORD)
        if role:
            org_services.grant_role(actor=None, user=u, org=org, role=role)
        if member is not None:
            member.user = u
            member.save(update_fields=["user"])
        return u

    w.users = {
        "city_admin": user("city_admin", "org_admin", w.city),
        "county_admin": user("county_admin", "org_admin", w.county),
        "town_admin": user("town_admin", "org_admin", w.t1),
        "town2_admin": user("town2_admin", "org_admin", w.t2),
        "secretary": user("secretary", "secretary", w.b1, w.m_secretary),
        "secretary2": user("secretary2", "secretary", w.b2),
        "committee": user("committee", "committee", w.b1, w.m_committee),
        "member": user("member", "member", w.b1, w.m_member),
        "audit_admin": user("audit_admin", "audit_admin", w.county),
        "security_admin": user("security_admin", "security_admin", w.county),
        "outsider": user("outsider"),
    }
    return w


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Build the standard world once per session; each test sees it inside its own
    rolled-back transaction, so tests stay isolated and the suite stays fast."""
    from dangjian.core import crypto

    crypto.keyring.cache_clear()
    with django_db_blocker.unblock():
        _SNAPSHOT.append(build_world())


_SNAPSHOT: list = []


def _world_present() -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username="county_admin").exists()


def _fresh_world():
    """A private copy of the world's instances (the DB rows are rolled back after each test)."""
    if _SNAPSHOT and _world_present():
        return copy.deepcopy(_SNAPSHOT[0])
    _SNAPSHOT[:] = [build_world()]
    return copy.deepcopy(_SNAPSHOT[0])


@pytest.fixture
def world(db):
    return _fresh_world()


def set_audit_triggers(enabled: bool) -> None:
    """The audit tables (rows and seals) refuse DELETE/TRUNCATE by trigger; a transactional test's teardown
    flushes every table, so the triggers are lifted for the flush and put back afterwards."""
    from django.db import connection

    from dangjian.core.migrations import _audit_sql as sql  # noqa: PLC0415

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in ("core_auditevent", "core_auditseal"):
                cur.execute(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
        else:
            for stmt in sql.CURRENT_SQLITE_DROP:
                cur.execute(stmt)
            if enabled:
                for stmt in sql.CURRENT_SQLITE:
                    cur.execute(stmt)


@pytest.fixture(autouse=True)
def _builtin_meeting_types(request):
    """A transactional test's final flush empties every table, including the built-in meeting
    types of orglife's data migration: put them back for any test that uses the database."""
    names = set(request.fixturenames)
    if names & {"transactional_db", "live_world", "live_server"}:
        request.getfixturevalue("transactional_db")
    elif names & {"db", "world"} or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    from dangjian.orglife.builtin_types import ensure_builtin_types

    ensure_builtin_types()


@pytest.fixture
def transactional_db(transactional_db):
    """pytest-django's transactional_db, with the audit triggers lifted for its final flush."""
    set_audit_triggers(True)
    yield
    set_audit_triggers(False)


@pytest.fixture
def live_world(transactional_db):
    """The standard world for tests that run a live server (browser tests)."""
    return _fresh_world()


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in (bypassing axes) and returns it."""

    def _login(user, c=None):
        c = c or client
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return _login


@pytest.fixture
def audit_refused(db):
    """The database refuses every new audit row ("disk full") for the rest of the test: an audited
    action must then fail whole (SECURITY.md "an action fails if its audit row cannot be written")."""
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("CREATE FUNCTION test_refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END; $$ LANGUAGE plpgsql")
            cur.execute("CREATE TRIGGER test_refuse_audit BEFORE INSERT ON core_auditevent FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()")
        else:
            cur.execute("CREATE TRIGGER test_refuse_audit BEFORE INSERT ON core_auditevent BEGIN SELECT RAISE(ABORT, 'disk full'); END")
