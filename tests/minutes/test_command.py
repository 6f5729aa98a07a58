"""``manage.py minutes_verify`` names the first broken record and exits 1."""
from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dangjian.minutes import services
from dangjian.minutes.models import MeetingRecord

from .conftest import complete


def test_minutes_verify_command(world, gm):
    r = complete(gm.record, world)
    services.sign(actor=world.users["secretary"], record=r)
    r = services.sign(actor=world.users["committee"], record=r)
    out = io.StringIO()
    call_command("minutes_verify", stdout=out)
    assert "minutes chains OK: 1 organizations, 1 records" in out.getvalue()
    MeetingRecord.objects.filter(pk=r.pk).update(agenda="改过的议程")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("minutes_verify", stdout=io.StringIO(), stderr=err)
    assert exc.value.code == 1 and f"at record {r.pk}" in err.getvalue() and "changed after sign-off" in err.getvalue()
