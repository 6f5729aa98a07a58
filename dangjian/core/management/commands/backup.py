"""``manage.py backup FILE``: back the database up (SQLite backup API or ``pg_dump -Fc``) with a manifest of
row counts and per-table checksums beside it (``FILE.manifest.json``), both 0600. docs/operations.md §8."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from dangjian.core import backup


class Command(BaseCommand):
    help = "Back the database up to FILE (SQLite backup API / pg_dump -Fc) and write FILE.manifest.json."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write (mode 0600)")

    def handle(self, *args, file: str, **options):
        manifest = backup.backup(Path(file))
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"backup written: {file} ({len(manifest['tables'])} tables, {rows} rows; manifest {backup.manifest_path(Path(file))})")
