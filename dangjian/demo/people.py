"""Generation of plausible Party members (plain field values, before encryption).

Distributions follow the published structure of the membership (DOMAIN §7: women ≈31 %,
≥61 years ≈29 %, farmers ≈26 %, retirees ≈21 %) shifted towards a rural county: village
branches are mostly older men with little schooling; organs and public institutions are
younger and better educated. Rules encoded (DOMAIN §4 / 党章 art. 1, §4.2):

* every member joined at 18 or older;
* probation lasts one year: a full member became full exactly one year after joining, on or
  before today; a probationary member joined less than a year ago and has no conversion date;
* national ID numbers follow GB 11643 (region, birth date, sequence whose last digit is odd for
  men and even for women, MOD 11-2 check character) and are unique.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from dangjian.core.privacy import id_check_char

from . import pools

# Age bands (lo, hi, weight) per kind of unit.
AGES = {
    "village": [(20, 30, 5), (31, 40, 8), (41, 50, 14), (51, 60, 22), (61, 70, 25), (71, 80, 17), (81, 95, 9)],
    "community": [(20, 30, 8), (31, 40, 10), (41, 50, 12), (51, 60, 15), (61, 70, 25), (71, 80, 20), (81, 95, 10)],
    "organ": [(23, 30, 18), (31, 40, 30), (41, 50, 28), (51, 59, 24)],
    "institution": [(23, 30, 20), (31, 40, 30), (41, 50, 28), (51, 59, 22)],
    "enterprise": [(21, 30, 20), (31, 40, 32), (41, 50, 28), (51, 60, 20)],
    "retired": [(60, 70, 40), (71, 80, 38), (81, 95, 22)],
    "student": [(19, 23, 1)],
}
MALE_SHARE = {"village": 0.78, "community": 0.52, "organ": 0.62, "institution": 0.45, "enterprise": 0.66, "retired": 0.6, "student": 0.45}
EDUCATION = {  # (young <60, old >=60) weights over primary, junior, senior, college, bachelor, master, doctor
    "village": ([8, 38, 30, 15, 9, 0, 0], [45, 37, 14, 3, 1, 0, 0]),
    "community": ([1, 14, 27, 30, 25, 3, 0], [14, 34, 30, 13, 9, 0, 0]),
    "organ": ([0, 0, 3, 15, 60, 20, 2], [0, 2, 10, 30, 50, 8, 0]),
    "institution": ([0, 0, 4, 20, 60, 14, 2], [0, 2, 12, 35, 46, 5, 0]),
    "enterprise": ([0, 6, 26, 34, 30, 4, 0], [2, 15, 35, 30, 18, 0, 0]),
    "retired": ([0, 5, 25, 35, 35, 0, 0], [5, 18, 32, 25, 20, 0, 0]),
    "student": ([0, 0, 0, 40, 60, 0, 0], [0, 0, 0, 40, 60, 0, 0]),
}
EDU_VALUES = ["primary", "junior", "senior", "college", "bachelor", "master", "doctor"]
PROBATIONARY_YOUNG, PROBATIONARY_OLD = 0.16, 0.01  # share of probationary members under / over 36


@dataclass(frozen=True)
class UnitContext:
    """Where the members of one branch live and work."""

    flavor: str  # village | community | organ | institution | enterprise | retired | student
    region: str  # 6-digit administrative division code used in ID numbers
    home: str  # address prefix down to the village or community
    unit_name: str  # the work unit of members in service
    farm: str = ""  # work unit written for farmers ("东城镇王家庄村")
    estates: tuple[str, ...] = ()  # residential estates of the county seat (urban addresses)
    employers: tuple[str, ...] = ()  # employers of the county, for community and retired members


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class IdNumbers:
    """Unique GB 11643 numbers for one region: 500 sequence slots per (birth date, gender)."""

    def __init__(self):
        self.used: dict[tuple, int] = defaultdict(int)

    def make(self, region: str, birth: dt.date, gender: str) -> str | None:
        key = (region, birth, gender)
        k = self.used[key]
        if k >= 500:
            return None
        self.used[key] = k + 1
        slot = (k * 37 + birth.toordinal()) % 500  # 37 is coprime with 500: distinct slots
        seq = slot * 2 + (1 if gender == "M" else 0)  # last digit odd for men (GB 11643)
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        return first17 + id_check_char(first17)


class PersonGenerator:
    """Draws members for one region; deterministic for a given ``random.Random``."""

    def __init__(self, rng: random.Random, today: dt.date, minority_share: float = 0.03):
        self.rng = rng
        self.today = today
        self.names = pools.NamePool(rng)
        self.ids = IdNumbers()
        self.minority_share = minority_share
        self._latest_full_join = today - dt.timedelta(days=367)

    # -- single attributes ---------------------------------------------------------------
    def age(self, flavor: str) -> int:
        bands = AGES[flavor]
        lo, hi, _w = self.rng.choices(bands, weights=[b[2] for b in bands])[0]
        return self.rng.randint(lo, hi)

    def birth(self, age: int) -> dt.date:
        """A birth date giving exactly ``age`` today."""
        anniversary = add_years(self.today, -age)
        return anniversary - dt.timedelta(days=self.rng.randrange(1, 365))

    def education(self, flavor: str, age: int) -> str:
        young, old = EDUCATION[flavor]
        return self.rng.choices(EDU_VALUES, weights=young if age < 60 else old)[0]

    def category(self, flavor: str, age: int) -> str:
        r = self.rng.random()
        if flavor == "student":
            return "student"
        if flavor == "retired":
            return "retired"
        if flavor in ("organ", "institution", "enterprise"):
            return "in_service" if age < 60 else "retired"
        if flavor == "village":
            if age >= 60:
                return "farmer" if r < 0.8 else ("retired" if r < 0.92 else "other")
            if age <= 24 and r < 0.35:
                return "student"
            return "farmer" if r < 0.55 else "flowing" if r < 0.77 else "in_service" if r < 0.87 else "unemployed" if r < 0.92 else "other"
        # community
        if age >= 58:
            return "retired" if r < 0.85 else "other"
        return "in_service" if r < 0.45 else "flowing" if r < 0.55 else "unemployed" if r < 0.72 else "other"

    def work_unit(self, ctx: UnitContext, category: str) -> str:
        r = self.rng
        if category == "farmer":
            return ctx.farm
        if category == "in_service":
            if ctx.flavor == "community" and ctx.employers:
                return r.choice(ctx.employers)
            return ctx.unit_name
        if category == "retired":
            base = r.choice(ctx.employers) if ctx.flavor in ("village", "community") and ctx.employers else ctx.unit_name
            return f"{base}（退休）" if base else ""
        if category == "flowing":
            return f"外出务工（{r.choice(pools.FLOWING_PLACES)}）"
        if category == "student":
            return ctx.unit_name if ctx.flavor == "student" else "在读"
        return ""

    def address(self, ctx: UnitContext) -> str:
        r = self.rng
        if ctx.flavor == "village":
            return f"{ctx.home}{r.randint(1, 320)}号"
        home = ctx.home if ctx.flavor == "community" or not ctx.estates else r.choice(ctx.estates)
        return f"{home}{r.randint(1, 30)}号楼{r.randint(1, 4)}单元{r.randint(1, 18)}0{r.randint(1, 4)}室"

    def joining(self, birth: dt.date, status: str | None) -> tuple[str, dt.date, dt.date | None]:
        """(status, joined_on, full_member_on): at 18 or older, full one year after joining."""
        r = self.rng
        eighteen = add_years(birth, 18)
        age = age_on(birth, self.today)
        if status is None:
            status = "probationary" if r.random() < (PROBATIONARY_YOUNG if age < 36 else PROBATIONARY_OLD) else "full"
        if status == "full" and eighteen > self._latest_full_join:
            status = "probationary"  # too young to have finished a year of probation
        if status == "probationary":
            earliest = max(eighteen, self.today - dt.timedelta(days=360))
            span = (self.today - dt.timedelta(days=7) - earliest).days
            joined = earliest + dt.timedelta(days=r.randrange(max(span, 1)))
            return status, min(joined, self.today), None
        join_age = 18 + int(r.gammavariate(2.0, 4.0))
        joined = add_years(birth, join_age) + dt.timedelta(days=r.randrange(365))
        if joined > self._latest_full_join:
            span = (self._latest_full_join - eighteen).days
            joined = eighteen + dt.timedelta(days=r.randrange(span + 1))
        return status, joined, add_years(joined, 1)

    # -- one member -------------------------------------------------------------------------
    def person(self, ctx: UnitContext, *, status: str | None = None, age_range: tuple[int, int] | None = None) -> dict:
        r = self.rng
        flavor = ctx.flavor
        age = r.randint(*age_range) if age_range else self.age(flavor)
        gender = "M" if r.random() < MALE_SHARE[flavor] else "F"
        birth = self.birth(age)
        id_number = self.ids.make(ctx.region, birth, gender)
        while id_number is None:  # 500 people of one sex born the same day in one county: move a day
            birth -= dt.timedelta(days=1)
            id_number = self.ids.make(ctx.region, birth, gender)
        status, joined, full_on = self.joining(birth, status)
        category = self.category(flavor, age)
        return {
            "name": self.names.name(gender, birth.year),
            "gender": gender,
            "ethnicity": r.choice(pools.MINORITIES) if r.random() < self.minority_share else "汉族",
            "birth_date": birth,
            "id_number": id_number,
            "phone": "" if age >= 80 and r.random() < 0.3 else pools.phone(r),
            "address": self.address(ctx),
            "education": self.education(flavor, age),
            "joined_on": joined,
            "full_member_on": full_on,
            "status": status,
            "category": category,
            "work_unit": self.work_unit(ctx, category),
            "position": "",
        }
