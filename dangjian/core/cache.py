"""The database cache with an atomic ``incr`` (settings CACHES when Redis is not configured).

Django's DatabaseCache increments by get + set, so two workers counting the same rate-limit key at
once both write n + 1 and the limit lets more through than it says (issue 10 item 8). Here the
read and the write share one transaction: on SQLite the project opens every transaction with
``BEGIN IMMEDIATE`` (settings DATABASES ``transaction_mode``), which serializes writers; on
PostgreSQL the row is locked with ``SELECT ... FOR UPDATE`` first.
"""
from __future__ import annotations

from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction


class SharedDatabaseCache(DatabaseCache):
    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        conn = connections[db]
        with transaction.atomic(using=db):
            if conn.features.has_select_for_update:
                table = conn.ops.quote_name(self._table)
                with conn.cursor() as cursor:
                    cursor.execute(f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608 (table name from settings)  # nosec B608
                                   [self.make_and_validate_key(key, version=version)])
            return super().incr(key, delta, version)
