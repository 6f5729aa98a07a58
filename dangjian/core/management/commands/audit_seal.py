"""``manage.py audit_seal``: chain and sign the committed audit rows after the head (docs/decisions.md 4b).

The ``core.audit_seal`` job runs the same every minute; ``audit_verify`` seals first too.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand

from dangjian.core import audit


class Command(BaseCommand):
    help = "Seal the committed audit rows after the signed head (batches of --batch rows)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000, help="rows per seal (default 2000)")

    def handle(self, *args, batch: int = 2000, **options):
        r = audit.seal(batch=batch)
        waiting = f"; waiting at seq {r.waiting_at}" if r.waiting_at is not None else ""
        self.stdout.write(f"sealed {r.sealed} rows in {r.seals} seals ({len(r.gaps)} known gaps); head seq {r.head}; "
                          f"{r.pending} rows unsealed{waiting}")
