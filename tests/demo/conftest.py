"""The demo generator loads only into an empty database, but the suite's session fixture builds
the standard world in the test database. ``empty_db`` hides that world inside the test's own
transaction (rolled back afterwards): the rows of every project table except the append-only
audit chain are deleted and the users renamed, so the demo usernames are free. Foreign keys are
deferred, so the order of the deletes does not matter and the end-of-test constraint check sees
a consistent database."""
from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat

KEEP = {"core_auditevent", "core_audithead"}


def project_tables() -> list[str]:
    return [
        m._meta.db_table
        for cfg in apps.get_app_configs() if cfg.name.startswith("dangjian.")
        for m in cfg.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.db_table not in KEEP
    ]


@pytest.fixture
def empty_db(db):
    get_user_model().objects.update(username=Concat(Value("world-"), F("username")))
    with connection.cursor() as cur:
        for table in project_tables():
            try:
                with transaction.atomic():
                    cur.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 - model table names
            except DatabaseError:
                pass  # another append-only table: its rows do not stop the demo load
    yield
