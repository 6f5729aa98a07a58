"""``manage.py audit_verify``: seal, recompute the audit hash chain against the signed seals and name the first broken row.

Prints ``audit chain OK: N rows`` (exit 0) or ``audit chain BROKEN at seq N: reason`` (exit 1),
so cron or a monitoring check can alert on it (SECURITY.md "Audit log").
"""
from __future__ import annotations

from django.core.management.base import BaseCommand

from dangjian.core import audit


class Command(BaseCommand):
    help = "Verify the append-only audit log's hash chain; exit 1 and name the first bad row if broken."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000, help="rows read per query (default 5000)")

    def handle(self, *args, batch: int = 5000, **options):
        result = audit.verify(batch=batch)
        if result.ok:
            extra = [f"{n} {what}" for n, what in ((result.unsealed, "unsealed rows after the signed head"),
                                                   (result.gaps, "known gaps")) if n]
            self.stdout.write(f"audit chain OK: {result.checked} rows" + (f" ({', '.join(extra)})" if extra else ""))
            return
        self.stderr.write(f"audit chain BROKEN at seq {result.bad_seq}: {result.reason}")
        raise SystemExit(1)
