"""The demo generator loads only into an empty database, but the suite's session fixture builds
the standard world in the test database. ``empty_db`` hides that world inside the test's own
transaction (rolled back afterwards): its rows are deleted and its users renamed so the demo
usernames are free."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat

TABLES = ["members_memberorghistory", "members_member", "core_roleassignment", "core_orgrollup", "core_organization"]


@pytest.fixture
def empty_db(db):
    get_user_model().objects.update(username=Concat(Value("world-"), F("username")))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in TABLES:
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    yield
