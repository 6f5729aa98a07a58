"""Aggregate: one organization — its creation under a parent and the edits of its own fields.

Rules: DOMAIN §2 (new organizations are decided by the upper organization; party groups are not
a level and hold no children; a joint branch covers ≤5 units, [warn] in §11; "Terms": the term
length by kind and area, 2018 意见 + 条例 art. 21 [cfg] ``DANGJIAN_STRUCTURE["term_years"]``);
every changed field audited (old → new); organization dates in a plausible range.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .. import audit, config, policy
from ..models import AreaType, Organization, OrgKind
from ._common import _check_parent, _next_child_path


def term_years(kind: str, area_type: str) -> int:
    """Term length in years (DOMAIN §2 "Terms", 2018 意见 + 条例 art. 21 [cfg]):
    village and community bodies 5; primary committees 5; general branch and branch 3."""
    cfg = config.value("STRUCTURE")["term_years"]
    if area_type in (AreaType.VILLAGE, AreaType.COMMUNITY):
        return cfg[area_type]
    if kind in (OrgKind.GENERAL_BRANCH, OrgKind.BRANCH):
        return cfg[kind]
    if kind == OrgKind.PRIMARY_COMMITTEE:
        return cfg["primary_committee"]
    return cfg["committee"]


TERM_DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2199, 12, 31))


def _check_dates(**dates: dt.date | None) -> None:
    """Dates on organizations lie in a plausible range; a term ends after it starts."""
    lo, hi = TERM_DATE_RANGE
    for field, value in dates.items():
        if value is not None and not (lo <= value <= hi):
            raise ValidationError({field: [ValidationError(_("Enter a date between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi},
                                                           code="date_out_of_range")]})
    start, end = dates.get("term_started_on"), dates.get("term_ends_on")
    if start and end and end <= start:
        raise ValidationError({"term_ends_on": [ValidationError(_("The term must end after it starts."), code="term_ends_before_start")]})


def term_end(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def create_organization(*, actor, parent: Organization | None, name: str, kind: str, area_type: str = AreaType.OTHER,
                        code: str = "", founded_on: dt.date | None = None, term_started_on: dt.date | None = None,
                        is_joint: bool = False, unit_count: int = 1) -> Organization:
    """Create an organization under ``parent``.

    DOMAIN §2: new organizations are decided by the upper organization (the actor must hold
    ``add_child`` on the parent, checked by the caller's scope); party groups are not a level of
    organization and hold no children; a joint branch covers ≤5 units ([warn] above, §11).
    The term end is computed from the term start and the term length of §2. Row
    ``organization.add_child`` on ``parent``; a top-level organization only by the system.
    """
    policy.authorize(actor, "organization", "add_child", parent if parent is not None else "")
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("The organization needs a name."), code="name")
    if kind not in OrgKind.values:
        raise ValidationError(_("Unknown organization kind."), code="kind")
    _check_dates(founded_on=founded_on, term_started_on=term_started_on)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if parent is not None:
                    # Re-read and lock the parent: it must exist now, and siblings are numbered
                    # one at a time under it.
                    parent = Organization.objects.select_for_update().filter(pk=parent.pk).first()
                    if parent is None:
                        raise ValidationError(_("The superior organization does not exist."), code="parent_missing")
                _check_parent(parent, kind)
                org = Organization(
                    name=name, kind=kind, area_type=area_type, code=code, parent=parent,
                    path=_next_child_path(parent), depth=(parent.depth + 1) if parent else 1,
                    founded_on=founded_on, term_started_on=term_started_on, is_joint=is_joint, unit_count=unit_count,
                )
                if term_started_on:
                    org.term_ends_on = term_end(term_started_on, term_years(kind, area_type))
                org.save()
                audit.record(actor=actor, action="org.create", obj=org,
                             data={"name": name, "kind": kind, "parent": parent.pk if parent else None})
                return org
        except IntegrityError:
            continue  # a concurrent sibling took the same path segment; take the next one
    raise ValidationError(_("Could not allocate a place in the tree; try again."), code="path")


EDITABLE_ORG_FIELDS = ("name", "area_type", "code", "founded_on", "term_started_on", "term_ends_on", "is_joint", "unit_count")
TERM_FIELDS = frozenset({"term_started_on", "term_ends_on"})


def _may_update(actor, org: Organization, fields) -> None:
    """Row ``organization.change`` on ``org``; a change of the term alone needs only
    ``organization.set_term`` (the branch secretary recording their branch's election result,
    the upper committee approving a postponement: DOMAIN §2)."""
    if fields and set(fields) <= TERM_FIELDS:
        policy.authorize(actor, "organization", "set_term", org)
        return
    policy.authorize(actor, "organization", "change", org)


def update_organization(*, actor, org: Organization, **changes) -> Organization:
    """Rename or edit an organization; every changed field is audited (old → new).

    Term end defaults to term start + term length (DOMAIN §2) when only the start changes.
    Row ``organization.change`` (:func:`_may_update`).
    """
    _may_update(actor, org, changes)
    unknown = set(changes) - set(EDITABLE_ORG_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be edited here: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="not_editable")
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValidationError(_("The organization needs a name."), code="name")
    if not org.is_active:
        raise ValidationError(_("A dissolved organization is kept read-only."), code="inactive")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        diff = {}
        for k, v in changes.items():
            old = getattr(org, k)
            if old != v:
                diff[k] = [old, v]
                setattr(org, k, v)
        _check_dates(founded_on=org.founded_on, term_started_on=org.term_started_on, term_ends_on=changes.get("term_ends_on"))
        if "term_started_on" in diff and "term_ends_on" not in changes and org.term_started_on:
            org.term_ends_on = term_end(org.term_started_on, term_years(org.kind, org.area_type))
            diff["term_ends_on"] = [None, org.term_ends_on]
        _check_dates(term_started_on=org.term_started_on, term_ends_on=org.term_ends_on)
        if diff:
            org.save()
            audit.record(actor=actor, action="org.update", obj=org, data={"changes": diff})
        return org
