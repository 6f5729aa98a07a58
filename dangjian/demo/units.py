"""Filling one branch (and its Party groups) with members and offices.

Rules encoded (DOMAIN §2 "Branch structure"):

* every branch has a secretary, chosen among its full members (a secretary normally has ≥1
  year of Party standing — every full member here has);
* ≥7 full members → a branch committee of 3 or 5 (secretary, organization, propaganda, and
  for 5 also discipline inspection and a deputy secretary); fewer → one secretary and at
  most one deputy;
* Party groups have ≥3 members including ≥1 full member, led by a full member (a
  probationary member may not lead a group); the branch committee stays in the branch itself;
* general branches and primary committees hold their own committee members directly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .people import PersonGenerator, UnitContext, age_on

COMMITTEE_5 = ["secretary", "organization", "propaganda", "discipline", "deputy_secretary"]
COMMITTEE_3 = ["secretary", "organization", "propaganda"]
HEADER_POSITIONS = ["secretary", "deputy_secretary", "organization", "propaganda", "discipline", "committee", "committee"]


@dataclass
class UnitSpec:
    """Members to create for one member-holding organization (and the groups under it)."""

    org: int  # plan key of the branch, general branch or primary committee
    ctx: UnitContext
    size: int
    header: bool = False  # general branch / primary committee: committee members only
    groups: list[int] = field(default_factory=list)  # plan keys of Party groups inside the branch
    full_members: int | None = None  # force exactly this many full members (a deliberate finding)


def _secretary_pick(full: list[dict], today) -> dict:
    preferred = [p for p in full if 28 <= age_on(p["birth_date"], today) <= 65]
    return (preferred or full)[0]


def assign_offices(people: list[dict], gen: PersonGenerator) -> None:
    """Give the branch its secretary and, with ≥7 full members, a committee (DOMAIN §2)."""
    full = [p for p in people if p["status"] == "full"]
    if not full:
        return
    secretary = _secretary_pick(full, gen.today)
    others = [p for p in full if p is not secretary]
    if len(full) >= 7:
        positions = COMMITTEE_5 if len(full) >= 15 and gen.rng.random() < 0.6 else COMMITTEE_3
    elif len(full) >= 5 and gen.rng.random() < 0.3:
        positions = ["secretary", "deputy_secretary"]
    else:
        positions = ["secretary"]
    secretary["position"] = positions[0]
    for p, pos in zip(others, positions[1:], strict=False):
        p["position"] = pos


def _spread_over_groups(spec: UnitSpec, people: list[dict]) -> list[tuple[int, dict]]:
    """Committee members stay in the branch; the others go round-robin into its groups."""
    out = [(spec.org, p) for p in people if p["position"]]
    rest = [p for p in people if not p["position"]]
    rest.sort(key=lambda p: p["status"] != "full")  # full members first: one per group at least
    for i, p in enumerate(rest):
        group = spec.groups[i % len(spec.groups)]
        if i < len(spec.groups):
            p["position"] = "group_leader"
        out.append((group, p))
    return out


def populate(spec: UnitSpec, gen: PersonGenerator) -> list[tuple[int, dict]]:
    """Generate the members of one unit as (org key, field dict) pairs."""
    if spec.header:
        people = [gen.person(spec.ctx, status="full", age_range=(35, 58)) for _i in range(spec.size)]
        for p, pos in zip(people, HEADER_POSITIONS, strict=False):
            p["position"] = pos
        return [(spec.org, p) for p in people]
    if spec.full_members is not None:
        people = [gen.person(spec.ctx, status="full" if i < spec.full_members else "probationary") for i in range(spec.size)]
    else:
        people = [gen.person(spec.ctx) for _i in range(spec.size)]
    assign_offices(people, gen)
    if spec.groups and len(people) - 5 >= 3 * len(spec.groups):
        return _spread_over_groups(spec, people)
    return [(spec.org, p) for p in people]
