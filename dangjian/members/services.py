"""State changes of member records (keyword-only, actor first, one transaction, audited).

Rules encoded (DOMAIN.md):
* §4 / 党章 art. 1: a member joined at 18 or older.
* §4.2: probation lasts one year from admission; a full member has a conversion date on or
  after the join date; a probationary member has none.
* §11 "Organisational relationship" [block]: a member is always in exactly one branch.
* §11 "Structure" [block]: a branch needs ≥3 full members — a move that would leave the
  sending branch below that is refused unless it is part of a merge or dissolution.
* §10 / SECURITY.md: ID number, phone and address are encrypted; the audit row never holds
  them in clear (masked values only); a reveal is audited.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, rollups
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization
from dangjian.core.privacy import (
    MASKERS,
    birth_date_from_id,
    gender_from_id,
    validate_id_number,
    validate_phone,
)

from .models import (
    Category,
    Education,
    Gender,
    Member,
    MemberOrgHistory,
    MemberStatus,
    Position,
    RecordState,
    RestrictionKind,
    RightsRestriction,
)

SENSITIVE = ("id_number", "phone", "address")
EDITABLE = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "address", "education", "joined_on",
    "full_member_on", "status", "category", "work_unit", "position",
)
REQUIRED = ("name", "gender", "birth_date", "id_number", "education", "joined_on", "status", "category")


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def clean_member_data(data: dict, *, instance: Member | None = None, check_duplicates: bool = True) -> dict:
    """Validate and normalize member fields; raise ValidationError({field: [messages]}).

    Used by the web forms, the REST API and (later) the Excel import, so every entry path
    gives the same messages. A bulk caller (the roster import) passes ``check_duplicates=False``
    and checks the whole file against the database at once with :func:`existing_id_numbers`.
    """
    errors: dict[str, list[str]] = {}
    out = dict(data)
    merged = {f: getattr(instance, f) for f in EDITABLE} if instance else {}
    merged.update(out)

    def err(field: str, msg: str) -> None:
        errors.setdefault(field, []).append(msg)

    for f in REQUIRED:
        if merged.get(f) in (None, ""):
            err(f, _("This field is required."))
    if out.get("name") is not None:
        out["name"] = (out["name"] or "").strip()
    if "id_number" in out and out["id_number"]:
        try:
            out["id_number"] = validate_id_number(out["id_number"])
            merged["id_number"] = out["id_number"]
        except ValidationError as e:
            err("id_number", e.messages[0])
    if out.get("phone"):
        try:
            out["phone"] = validate_phone(out["phone"])
        except ValidationError as e:
            err("phone", e.messages[0])
    choices = {"gender": Gender, "education": Education, "status": MemberStatus, "category": Category, "position": Position}
    for f, enum in choices.items():
        if f in out and out[f] not in enum.values and not (f == "position" and out[f] in ("", None)):
            err(f, _("Choose one of the listed values."))
    today = timezone.localdate()
    idn, birth = merged.get("id_number"), merged.get("birth_date")
    if idn and "id_number" not in errors and birth:
        if birth_date_from_id(idn) != birth:
            err("birth_date", _("The birth date does not match the ID number (%(d)s).") % {"d": birth_date_from_id(idn)})
        if merged.get("gender") and gender_from_id(idn) != merged["gender"]:
            err("gender", _("The gender does not match the ID number."))
    joined, full_on, status = merged.get("joined_on"), merged.get("full_member_on"), merged.get("status")
    if birth and birth > today:
        err("birth_date", _("The birth date is in the future."))
    if joined:
        if joined > today:
            err("joined_on", _("The join date is in the future."))
        if birth and _age(birth, joined) < 18:
            err("joined_on", _("A member must be at least 18 when joining the Party (Party Constitution art. 1)."))
    if status == MemberStatus.FULL:
        if not full_on:
            err("full_member_on", _("A full member needs the date of becoming a full member."))
        elif joined and full_on < joined:
            err("full_member_on", _("Becoming a full member cannot come before joining."))
        elif full_on > today:
            err("full_member_on", _("The date of becoming a full member is in the future."))
    elif status == MemberStatus.PROBATIONARY:
        if full_on:
            err("full_member_on", _("A probationary member has no full-membership date yet."))
        out["full_member_on"] = None
    if check_duplicates and idn and "id_number" not in errors and "id_number" in out:
        bidx = Member._meta.get_field("id_number").index_of(idn)
        dup = Member.objects.filter(id_number_bidx=bidx)
        if instance:
            dup = dup.exclude(pk=instance.pk)
        if dup.exists():
            err("id_number", _("A member with this ID number is already on record."))
    if errors:
        raise ValidationError(errors)
    return out


def _current_org(org: Organization) -> Organization:
    """Re-read the organization inside the transaction: it must still exist."""
    current = Organization.objects.filter(pk=getattr(org, "pk", None)).first()
    if current is None:
        raise ValidationError({"org": [_("This organization does not exist.")]})
    return current


def existing_id_numbers(id_numbers: list[str], batch: int = 1000) -> set[str]:
    """Which of these (normalized) ID numbers are already on record, by blind index, in batches."""
    field = Member._meta.get_field("id_number")
    by_index = {field.index_of(i): i for i in id_numbers if i}
    keys = list(by_index)
    found: set[str] = set()
    for start in range(0, len(keys), batch):
        chunk = keys[start : start + batch]
        found.update(by_index[k] for k in Member.objects.filter(id_number_bidx__in=chunk).values_list("id_number_bidx", flat=True))
    return found


def _check_org_holds_members(org: Organization) -> None:
    if org.kind not in MEMBER_HOLDING_KINDS:
        raise ValidationError({"org": [_("Members belong to a branch, general branch, Party group or primary committee, not to “%(o)s”.") % {"o": org.name}]})
    if not org.is_active:
        raise ValidationError({"org": [_("“%(o)s” is dissolved.") % {"o": org.name}]})


def _masked(field: str, value) -> str:
    return MASKERS[field](value) if field in MASKERS else value


def create_member(*, actor, org: Organization, data: dict) -> Member:
    """Add a member to a branch (DOMAIN §2, §4): validated, encrypted, counted, audited."""
    clean = clean_member_data(data)
    with transaction.atomic():
        org = _current_org(org)
        _check_org_holds_members(org)
        m = Member(org=org, org_path=org.path, **{k: v for k, v in clean.items() if k in EDITABLE})
        try:
            m.save()
        except IntegrityError:
            raise ValidationError({"id_number": [_("A member with this ID number is already on record.")]}) from None
        MemberOrgHistory.objects.create(member=m, org=org, started_on=timezone.localdate(), reason=_("record created"),
                                        actor=actor if getattr(actor, "pk", None) else None)
        rollups.apply_delta([(org.path, rollups.member_keys(m), +1)])
        audit.record(actor=actor, action="member.create", obj=m,
                     data={"name": m.name, "org": org.pk, **{f: _masked(f, getattr(m, f)) for f in SENSITIVE}})
    return m


def update_member(*, actor, member: Member, data: dict) -> Member:
    """Edit a member's record; changed fields are audited (sensitive ones masked)."""
    changes = {k: v for k, v in data.items() if k in EDITABLE}
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        clean = clean_member_data(changes, instance=member)
        before_keys = rollups.member_keys(member)
        diff = {}
        for k, v in clean.items():
            if k not in EDITABLE:
                continue
            old = getattr(member, k)
            if (old or None) != (v or None):
                diff[k] = [_masked(k, old), _masked(k, v)] if k in SENSITIVE else [old, v]
                setattr(member, k, v)
        if not diff:
            return member
        member.updated_at = timezone.now()
        try:
            member.save()
        except IntegrityError:
            raise ValidationError({"id_number": [_("A member with this ID number is already on record.")]}) from None
        after_keys = rollups.member_keys(member)
        if before_keys != after_keys:
            rollups.apply_delta([(member.org_path, before_keys, -1), (member.org_path, after_keys, +1)])
        audit.record(actor=actor, action="member.update", obj=member, data={"changes": diff})
        return member


def full_members_in(org: Organization) -> int:
    return Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE, status=MemberStatus.FULL).count()


def move_member(*, actor, member: Member, to_org: Organization, reason: str = "", allow_below_minimum: bool = False,
                on: dt.date | None = None) -> Member:
    """Move a member to another branch inside the platform; the old membership stays as history.

    DOMAIN §11 [block]: a branch needs ≥3 full members — the move is refused if it would leave
    the sending branch (not a Party group inside it) below that, unless ``allow_below_minimum``
    (used by merges and dissolutions, and recorded in the audit row).
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        to_org = _current_org(to_org)
        _check_org_holds_members(to_org)
        member = Member.objects.select_for_update().get(pk=member.pk)
        from_org = member.org
        if from_org.pk == to_org.pk:
            raise ValidationError({"org": [_("The member is already in this organization.")]})
        if member.state != RecordState.ACTIVE:
            raise ValidationError({"org": [_("This record is closed.")]})
        branch = from_org.parent if from_org.kind == "party_group" and from_org.parent else from_org
        minimum = settings.DANGJIAN_STRUCTURE["branch_min_full_members"]
        leaving_branch = not to_org.path.startswith(branch.path)
        if (leaving_branch and member.status == MemberStatus.FULL and not allow_below_minimum and not branch.is_joint
                and full_members_in(branch) - 1 < minimum):
            raise ValidationError({"org": [_("“%(b)s” would be left with fewer than %(n)s full members (条例 art. 4). Merge it or attach it to a joint branch instead.") % {"b": branch.name, "n": minimum}]})
        keys = rollups.member_keys(member)
        old_path = member.org_path
        MemberOrgHistory.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        MemberOrgHistory.objects.create(member=member, org=to_org, started_on=on, reason=reason,
                                        actor=actor if getattr(actor, "pk", None) else None)
        member.org = to_org
        member.org_path = to_org.path
        member.updated_at = timezone.now()
        member.save(update_fields=["org", "org_path", "updated_at"])
        RightsRestriction.objects.filter(member=member).update(org_path=to_org.path)
        rollups.apply_delta([(old_path, keys, -1), (to_org.path, keys, +1)])
        audit.record(actor=actor, action="member.move", obj=member,
                     data={"from": from_org.pk, "to": to_org.pk, "reason": reason, "below_minimum_allowed": allow_below_minimum})
        return member


def close_record(*, actor, member: Member, reason: str, on: dt.date | None = None) -> Member:
    """Close a member's record when they leave the platform (a transfer letter to an organization
    outside it; later death or removal decided by the organization): state "left", the open history
    row ends, head-counts follow. The record, its history and its organization stay readable —
    statutory Party records are restricted, never deleted (DOMAIN §10). The ≥3 full members rule
    of a leaving branch is the caller's to check (a transfer counts its other open transfers)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.state != RecordState.ACTIVE:
            raise ValidationError(_("This record is closed."))
        keys = rollups.member_keys(member)
        MemberOrgHistory.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        member.state, member.updated_at = RecordState.LEFT, timezone.now()
        member.save(update_fields=["state", "updated_at"])
        rollups.apply_delta([(member.org_path, keys, -1)])
        audit.record(actor=actor, action="member.left", obj=member, data={"reason": reason})
        return member


# -- rights restrictions (留党察看, 留置) ----------------------------------------------------------

def restrictions_during(member_ids, first: dt.date, last: dt.date, kinds=None):
    """The rights restrictions of these members in force on some day between ``first`` and
    ``last`` (started by ``last``, not ended before ``first``), earliest first."""
    qs = RightsRestriction.objects.filter(member_id__in=member_ids, starts_on__lte=last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first))
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("starts_on", "id")


def restricted_ids(member_ids, on: dt.date, kinds=None) -> set[int]:
    """Members among ``member_ids`` whose rights are restricted on ``on`` (a restriction in force:
    started on or before, not ended before). ``kinds`` narrows it (e.g. only 留党察看)."""
    return set(restrictions_during(member_ids, on, on, kinds).values_list("member_id", flat=True))


def add_restriction(*, actor, member: Member, kind: str, starts_on: dt.date, ends_on: dt.date | None = None,
                    note: str = ""):
    """Record that a member's rights are restricted from ``starts_on`` (until ``ends_on``, or until
    a later entry ends it). 留党察看 lasts one or two years (党章 art. 40): the end is optional
    because the organization decides the restoration; it is entered when decided."""
    if kind not in RestrictionKind.values:
        raise ValidationError({"kind": [_("Choose a kind of restriction.")]})
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("The end lies before the start.")]})
    with transaction.atomic():
        r = RightsRestriction.objects.create(member=member, org_path=member.org_path, kind=kind, starts_on=starts_on,
                                             ends_on=ends_on, note=(note or "")[:200],
                                             recorded_by=actor if getattr(actor, "pk", None) else None)
        audit.record(actor=actor, action="member.restriction", obj=r, org_path=r.org_path,
                     data={"member": member.pk, "kind": kind, "from": starts_on, "until": ends_on})
        return r


def end_restriction(*, actor, restriction, ends_on: dt.date, note: str = ""):
    """Enter the restoration of rights decided by the organization: the restriction is in force up
    to and including ``ends_on``. Audited; the start is never changed (a wrong entry is ended the
    day it started and a new one recorded)."""
    with transaction.atomic():
        r = RightsRestriction.objects.select_for_update().get(pk=restriction.pk)
        if ends_on < r.starts_on:
            raise ValidationError({"ends_on": [_("The end lies before the start.")]})
        previous = r.ends_on
        r.ends_on = ends_on
        if note:
            r.note = f"{r.note}；{note}"[:200] if r.note else note[:200]
        r.save(update_fields=["ends_on", "note"])
        audit.record(actor=actor, action="member.restriction_end", obj=r, org_path=r.org_path,
                     data={"member": r.member_id, "until": ends_on, "previous_until": previous})
        return r


def reveal_field(*, actor, member: Member, field: str, purpose: str = "") -> str:
    """Return one sensitive field in clear and audit the reveal (SECURITY.md "Field privacy")."""
    if field not in SENSITIVE:
        raise ValidationError(_("This field is not revealable."))
    with transaction.atomic():
        audit.record(actor=actor, action="member.reveal", obj=member, data={"field": field, "purpose": purpose})
        return getattr(member, field)
