"""A case from application to full member through the services (DOMAIN §4.1, all 25 steps)."""
from __future__ import annotations

import datetime as dt

from dangjian.core.models import AuditEvent
from dangjian.development.models import CaseStatus, CaseStep
from dangjian.members.models import Member

from .helpers import TIMELINE, advance, open_case


def test_application_to_full_member(world):
    case = open_case(world)
    assert case.rule_pack == "2026.05" and case.last_code == 1
    case = advance(world, case, 17)
    m = Member.objects.get(pk=case.member_id)
    assert m.status == "probationary" and m.joined_on == TIMELINE[15] and m.org_id == world.b1.pk
    assert m.id_number == case.id_number  # moved over encrypted
    assert case.probation_end == dt.date(2025, 9, 20)
    case = advance(world, case, 25)
    m.refresh_from_db()
    assert m.status == "full" and m.full_member_on == dt.date(2025, 9, 20)  # 党龄 from the end of probation
    assert case.status == CaseStatus.ADMITTED
    assert list(CaseStep.objects.filter(case=case).values_list("code", flat=True)) == list(range(1, 26))
    assert AuditEvent.objects.filter(action="development.step", object_id=str(case.pk)).count() == 24
