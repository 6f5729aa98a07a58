"""``manage.py demo_data [--scale county|province|tiny] [--seed N] [--reset] [--password P]``

Loads a realistic demo county (or a province, for benchmarks) into an EMPTY database.

The audit log is append-only (database triggers refuse UPDATE, DELETE and TRUNCATE), so demo
data cannot be wiped in place. ``--reset`` therefore only works on an SQLite file that
demo_data loaded itself: it deletes that file and migrates a fresh one. On PostgreSQL drop and
recreate the database (``dropdb``/``createdb``, then ``migrate``).
"""
from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from dangjian.demo import generator
from dangjian.demo.accounts import DEFAULT_PASSWORD, check_password_strength, format_accounts


class Command(BaseCommand):
    help = "Load demo organizations, members and sign-in accounts into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["tiny", "county", "province"], default="county",
                            help="tiny (~350 members, for tests), county (~800 orgs, ~20k members; default), "
                                 "province (~320k orgs, ~7.4 M members; PostgreSQL only, for benchmarks)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of every demo account (≥12 characters)")
        parser.add_argument("--reset", action="store_true",
                            help="replace a previous demo SQLite database with a fresh one first (see the module docstring)")
        parser.add_argument("--fraction", type=float, default=1.0, help="province only: load this share of the cities (e.g. 0.25)")
        parser.add_argument("--workers", type=int, default=2, help="province only: generator processes")

    def handle(self, *args, scale, seed, password, reset, fraction, workers, **options):
        try:
            check_password_strength(password)
        except ValidationError as e:
            raise CommandError("Demo password refused: " + " ".join(e.messages)) from None
        if scale == "province" and connection.vendor != "postgresql":
            raise CommandError("--scale province needs PostgreSQL (DANGJIAN_DB=postgres and PG* variables); "
                               "it loads ~7 M members with COPY. Use --scale county on SQLite.")
        if reset:
            self.reset()
        if not generator.database_is_empty():
            raise CommandError(
                "The database already holds organizations or members; demo_data only loads into an empty database.\n"
                "Audit rows are append-only, so demo data cannot be deleted in place. Use a fresh database: "
                "`manage.py demo_data --reset` (SQLite demo file), or on PostgreSQL dropdb/createdb and migrate."
            )
        if scale == "province":
            return self.province(seed, password, fraction, workers)
        self.stdout.write(f"Loading the {scale} demo (seed {seed}) ...")
        result = generator.load(scale, seed, password, say=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {len(result.org_ids)} organizations and {result.members} members in {result.timings['total']:.1f} s."
        ))
        self.stdout.write("\nDemo accounts (all share one password):\n" + format_accounts(result.accounts))

    def province(self, seed: int, password: str, fraction: float, workers: int) -> None:
        from dangjian.demo import province

        accounts = province.load(seed=seed, password=password, fraction=fraction, workers=workers, say=self.stdout.write)
        self.stdout.write("\nDemo accounts (all share one password):\n" + format_accounts(accounts))

    def reset(self) -> None:
        """Replace the SQLite demo database file by a freshly migrated one (refused elsewhere)."""
        if generator.database_is_empty():
            return
        if connection.vendor != "sqlite":
            raise CommandError("--reset works only on the SQLite demo file: audit rows are append-only. "
                               "On PostgreSQL: dropdb and createdb the database, then `manage.py migrate`.")
        name = str(connection.settings_dict["NAME"])
        if connection.is_in_memory_db() or not Path(name).exists():
            raise CommandError("--reset needs an SQLite database file; this one is in memory.")
        if not generator.demo_was_loaded():
            raise CommandError(f"{name} holds data that demo_data did not load; refusing to delete it.")
        self.stdout.write(f"--reset: deleting {name} and migrating a fresh database ...")
        connections.close_all()
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(name + suffix):
                os.remove(name + suffix)
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
