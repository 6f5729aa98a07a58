"""A canonical, valid development timeline and helpers to drive a case through it.

Dates (an applicant born 2000-05-17, branch 东村 B1 of the standard world):
step 3 (activist) 2023-07-03; object publicity 2024-07-01..07-05 (5 working days), step 7 on
2024-07-08; admission publicity 2024-09-11..09-18 (across the Mid-Autumn holiday of 15–17 Sep,
with Saturday 14 Sep a working day); 支部大会 2024-09-20; approval 2024-10-15; probation ends
2025-09-20; conversion meeting 2025-09-22.
"""
from __future__ import annotations

import datetime as dt

from dangjian.development import services
from dangjian.development.models import DevelopmentCase
from dangjian.members.models import Member, MemberStatus
from tests.factories import make_id_number

D = dt.date
BIRTH = D(2000, 5, 17)
TIMELINE = {
    1: D(2023, 3, 1), 2: D(2023, 3, 10), 3: D(2023, 7, 3), 4: D(2023, 7, 8), 5: D(2023, 7, 10), 6: D(2024, 6, 20),
    7: D(2024, 7, 8), 8: D(2024, 7, 10), 9: D(2024, 7, 12), 10: D(2024, 8, 1), 11: D(2024, 8, 10), 12: D(2024, 9, 2),
    13: D(2024, 9, 10), 14: D(2024, 9, 12), 15: D(2024, 9, 20), 16: D(2024, 10, 8), 17: D(2024, 10, 15),
    18: D(2024, 10, 20), 19: D(2024, 10, 21), 20: D(2024, 10, 25), 21: D(2025, 6, 1), 22: D(2025, 9, 10),
    23: D(2025, 9, 22), 24: D(2025, 10, 9), 25: D(2025, 10, 10),
}
PUBLICITY = {"object": (6, D(2024, 7, 1)), "admission": (13, D(2024, 9, 11)), "conversion": (22, D(2025, 9, 11))}
VOTE = {"voters_total": 10, "voters_present": 8, "yes": 7, "no": 1, "abstain": 0, "written_yes": 0, "written_total": 0}
ARCHIVE = ["application", "volunteer_form", "political_review", "training_records", "conversion_application"]


def applicant(**over) -> dict:
    birth = over.pop("birth_date", BIRTH)
    sex = over.pop("gender", "F")
    data = {"name": "周申请", "gender": sex, "birth_date": birth, "ethnicity": "汉族", "education": "bachelor",
            "category": "in_service", "work_unit": "东村合作社", "id_number": make_id_number(birth, sex), "phone": "13912345678"}
    data.update(over)
    return data


def full_members(world, n=2):
    return list(Member.objects.filter(org=world.b1, status=MemberStatus.FULL).order_by("id")[:n])


def step_kwargs(world, code: int, date=None) -> dict:
    """Valid arguments for step ``code`` (the defaults of the canonical timeline)."""
    kw = {"date": date or TIMELINE[code], "documents": [], "conclusion": "", "data": {}}
    if code == 5:
        kw["data"] = {"contacts": [m.pk for m in full_members(world, 1)]}
    elif code == 9:
        kw["data"] = {"introducers": [m.pk for m in full_members(world, 2)]}
    elif code in (10, 13):
        kw["conclusion"] = "passed"
    elif code == 11:
        kw["data"] = {"training_days": 3, "training_hours": 24}
    elif code in (15, 23):
        kw["data"] = dict(VOTE)
    elif code == 25:
        kw["data"] = {"archive": list(ARCHIVE)}
    return kw


def actor_for(world, code: int):
    from dangjian.development.rules import STEP_BY_CODE

    return world.users["town_admin"] if STEP_BY_CODE[code].needs_approve else world.users["secretary"]


def open_case(world, application_date=None, **over) -> DevelopmentCase:
    return services.open_case(actor=world.users["secretary"], org=world.b1, data=applicant(**over),
                              application_date=application_date or TIMELINE[1])


def record(world, case, code, date=None, **over):
    kw = step_kwargs(world, code, date)
    kw.update(over)
    return services.record_step(actor=over.pop("actor", None) or actor_for(world, code), case=case, code=code,
                                **{k: v for k, v in kw.items() if k != "actor"})


def advance(world, case, to_code: int, publicity: bool = True) -> DevelopmentCase:
    """Record every step up to and including ``to_code`` on the canonical dates (starting the
    publicities where the 2026 pack needs them)."""
    case.refresh_from_db()
    for code in range(case.last_code + 1, to_code + 1):
        record(world, case, code)
        case.refresh_from_db()
        if publicity:
            for point, (after, start) in PUBLICITY.items():
                if case.last_code == after and case.pack.on(f"publicity_{point}"):
                    services.start_publicity(actor=world.users["secretary"], case=case, point=point, starts_on=start, offline=True)
    return case
