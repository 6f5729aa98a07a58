"""``manage.py backup_check MANIFEST``: compare the configured database (a restored copy) with a backup's
manifest — row count and checksum of every table — decrypt every encrypted field with the data keys and
verify the audit chain. Prints one line per finding; exit 1 on any. docs/operations.md §8."""
from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from dangjian.core import backup


class Command(BaseCommand):
    help = "Check a restored database against a backup manifest (row counts, checksums, decryption, audit chain)."

    def add_arguments(self, parser):
        parser.add_argument("manifest")

    def handle(self, *args, manifest: str, **options):
        expected = json.loads(Path(manifest).read_text())
        result = backup.check(expected)
        rows = sum(t["rows"] for t in expected["tables"].values())
        for line in result.mismatched:
            self.stderr.write(f"MISMATCH {line}")
        for line in result.decrypt_errors[:20]:
            self.stderr.write(f"DECRYPT FAILED {line}")
        if not result.audit_ok:
            self.stderr.write(f"AUDIT {result.audit_detail}")
        tables = len(expected["tables"])
        self.stdout.write(f"tables: {tables - len(result.mismatched)}/{tables} identical ({rows} rows); "
                          f"decrypted: {result.decrypted} values, {len(result.decrypt_errors)} failed; audit chain: "
                          f"{'OK ' if result.audit_ok else ''}{result.audit_detail}")
        if not result.ok:
            raise SystemExit(1)
