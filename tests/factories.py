"""Test data builders: valid national ID numbers and member field sets."""
from __future__ import annotations

import datetime as dt
import itertools

from dangjian.core.privacy import id_check_char

_serial = itertools.count(1)


def make_id_number(birth: dt.date, sex: str = "M", region: str | None = None) -> str:
    """A valid GB 11643 ID number for ``birth`` and ``sex`` (odd 17th digit = male), unique for
    the whole test session (500 per region, birth date and sex; the region moves on after)."""
    n = next(_serial)
    region = region or f"37{(n // 500) % 10000:04d}"
    parity = "13579"[(n // 100) % 5] if sex == "M" else "02468"[(n // 100) % 5]
    first17 = f"{region}{birth:%Y%m%d}{n % 100:02d}{parity}"
    return first17 + id_check_char(first17)


_phone = itertools.count(10000000)


def member_data(**over) -> dict:
    birth = over.pop("birth_date", dt.date(1980, 5, 17))
    sex = over.pop("gender", "M")
    status = over.get("status", "full")
    data = {
        "name": "张建国",
        "gender": sex,
        "ethnicity": "汉族",
        "birth_date": birth,
        "id_number": make_id_number(birth, sex),
        "phone": f"139{next(_phone):08d}",
        "address": "山东省潍坊市某县东镇东村12号",
        "education": "senior",
        "joined_on": birth.replace(year=birth.year + 25),
        "full_member_on": birth.replace(year=birth.year + 26) if status == "full" else None,
        "status": status,
        "category": "farmer",
        "work_unit": "东村村委会",
        "position": "",
    }
    data.update(over)
    return data
