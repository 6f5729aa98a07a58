"""The demo data of this app: a pending transfer, an incoming letter, a flowing member with a
contact log, a lost-contact member with a stop case (issue 5 demo)."""
from __future__ import annotations

import io

from django.core.management import call_command

from tests.demo.conftest import empty_db  # noqa: F401  (fixture)


def test_demo_has_transfers_and_flowing_members(empty_db):  # noqa: F811
    from dangjian.elections.models import CommitteeMember
    from dangjian.elections.services import term_state
    from dangjian.transfers.models import AwayRecord, ContactLog, MembershipCase, Transfer

    call_command("demo_data", scale="tiny", seed=7, stdout=io.StringIO())
    statuses = set(Transfer.objects.values_list("status", flat=True))
    assert {"pending", "issued"} <= statuses
    flowing = AwayRecord.objects.get(kind="flowing", contacts__isnull=False, contacts__method="phone", contacts__note__contains="电话")
    assert flowing.contact_person and ContactLog.objects.filter(record=flowing).count() == 3
    # it takes part in org life elsewhere; another branch's member flows in to the demo branch (art. 32)
    assert flowing.inflow_org is not None and not flowing.inflow_path.startswith(flowing.org_path)
    inflow = AwayRecord.objects.exclude(pk=flowing.pk).get(kind="flowing")
    assert inflow.inflow_org is not None and inflow.inflow_org.name != inflow.org.name
    assert MembershipCase.objects.filter(kind="stop", status="open").exists()
    # elections demo
    from dangjian.core.models import Organization

    states = [term_state(o)[0] for o in Organization.objects.filter(kind="branch", status="active")]
    assert "expired" in states and "soon" in states
    assert CommitteeMember.objects.filter(position="secretary", approved_on__isnull=False).exists()
