"""``manage.py minutes_verify``: recompute the hash chain of every organization's signed meeting
records (DOMAIN §11 "records become append-only after sign-off (hash chain)").

Prints ``minutes chains OK: N organizations, M records`` (exit 0) or one line per broken chain
naming the organization and the first broken record (exit 1), so cron or monitoring can alert.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import translation

from dangjian.core.models import Organization
from dangjian.minutes.models import MeetingRecord
from dangjian.minutes.services import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chains of signed meeting records; exit 1 and name the first broken record per organization."

    def add_arguments(self, parser):
        parser.add_argument("--org", type=int, help="only this organization (primary key)")

    def handle(self, *args, org=None, **options):
        with translation.override("en"):
            self._verify(org)

    def _verify(self, org):
        ids = MeetingRecord.objects.filter(chain_seq__isnull=False).values_list("org_id", flat=True).distinct()
        orgs = Organization.objects.filter(pk__in=list(ids)).order_by("path")
        if org is not None:
            orgs = orgs.filter(pk=org)
        broken, records, n = 0, 0, 0
        for o in orgs.iterator():
            n += 1
            res = verify_chain(o)
            records += res.checked
            if not res.ok:
                broken += 1
                self.stderr.write(f"minutes chain BROKEN in {o.name} (org {o.pk}) at record {res.broken.pk} "
                                  f"(meeting {res.broken.meeting_id} v{res.broken.version}): {res.reason}")
        if broken:
            raise SystemExit(1)
        self.stdout.write(f"minutes chains OK: {n} organizations, {records} records")
