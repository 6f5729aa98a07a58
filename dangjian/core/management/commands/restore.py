"""``manage.py restore FILE --target T``: restore a backup into a *separate* database (a SQLite file path or a
PostgreSQL database name, never the configured one), then run ``backup_check`` against it with the
manifest written by ``backup``. Exit 1 when the check fails. docs/operations.md §8."""
from __future__ import annotations

import subprocess  # nosec B404 # runs our own manage.py, no shell
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dangjian.core import backup


class Command(BaseCommand):
    help = "Restore FILE into the database T (a SQLite path or a PostgreSQL database name) and check it against the manifest."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--target", required=True, help="SQLite: a new file path; PostgreSQL: a new database name")
        parser.add_argument("--replace", action="store_true", help="drop/overwrite an existing target")
        parser.add_argument("--no-check", action="store_true", help="restore only, do not run backup_check")

    def handle(self, *args, file: str, target: str, replace: bool, no_check: bool, **options):
        try:
            backup.restore(Path(file), target=target, replace=replace)
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            raise CommandError(f"restore failed: {exc} {detail.decode(errors='replace')[-500:] if isinstance(detail, bytes) else detail}") from exc
        self.stdout.write(f"restored {file} into {target}")
        if no_check:
            return
        manifest = backup.manifest_path(Path(file))
        out = subprocess.run([sys.executable, str(Path(settings.PROJECT_DIR) / "manage.py"), "backup_check", str(manifest)],  # noqa: S603 (our own manage.py)  # nosec B603
                             env=backup.check_env(target), capture_output=True, text=True, timeout=3600)
        self.stdout.write(out.stdout.rstrip())
        if out.returncode:
            self.stderr.write(out.stderr.rstrip())
            raise SystemExit(1)
