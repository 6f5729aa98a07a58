"""Member records (Member, MemberOrgHistory): validated, created, edited, moved and closed —
keyword-only, actor first, one transaction, audited; head-counts (rollups) follow.

Rules encoded (DOMAIN.md):
* §4 / 党章 art. 1: a member joined at 18 or older.
* §4.2: probation lasts one year from admission; a full member has a conversion date on or
  after the join date; a probationary member has none.
* §11 "Organisational relationship" [block]: a member is always in exactly one branch.
* §11 "Structure" [block]: a branch needs ≥3 full members — a move that would leave the
  sending branch below that is refused unless it is part of a merge or dissolution.
* §10 / SECURITY.md: the audit row never holds ID number, phone and address in clear (masked
  values only). A duplicate ID number is named only when the user may see the record that holds
  it; otherwise it is refused unnamed and routed (:mod:`.sensitive`).
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, config, policy, rollups
from dangjian.core.errors import collected
from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization
from dangjian.core.policy import Scope
from dangjian.core.privacy import MASKERS, birth_date_from_id, gender_from_id, validate_id_number, validate_phone

from ..models import Category, Education, Gender, Member, MemberOrgHistory, MemberStatus, Position, RecordState, RightsRestriction
from ._common import DUPLICATE_ON_RECORD, DuplicateElsewhere, _on_record_elsewhere, _person, normalize_id
from .sensitive import SENSITIVE, refuse_duplicate

EDITABLE = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "phone", "address", "education", "joined_on",
    "full_member_on", "status", "category", "work_unit", "position",
)
REQUIRED = ("name", "gender", "birth_date", "id_number", "education", "joined_on", "status", "category")


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def clean_member_data(data: dict, *, instance: Member | None = None, check_duplicates: bool = True, actor=None) -> dict:
    """Validate and normalize member fields; raise ValidationError({field: [coded errors]}).

    Used by the web forms, the REST API and (later) the Excel import, so every entry path
    gives the same messages. A bulk caller (the roster import) passes ``check_duplicates=False``
    and checks the whole file against the database at once with :func:`existing_id_numbers`.
    A duplicate ID number is named (code ``id_duplicate``) only when ``actor`` may see the record
    that holds it (or no actor is given: system callers); otherwise :class:`DuplicateElsewhere`.
    """
    errors: dict[str, list[ValidationError]] = {}
    out = dict(data)
    merged = {f: getattr(instance, f) for f in EDITABLE} if instance else {}
    merged.update(out)

    def err(field: str, code: str, msg: str) -> None:
        errors.setdefault(field, []).append(ValidationError(msg, code=code))

    for f in REQUIRED:
        if merged.get(f) in (None, ""):
            err(f, "required", _("This field is required."))
    if out.get("name") is not None:
        out["name"] = (out["name"] or "").strip()
    if "id_number" in out and out["id_number"]:
        try:
            out["id_number"] = validate_id_number(out["id_number"])
            merged["id_number"] = out["id_number"]
        except ValidationError as e:
            errors.setdefault("id_number", []).append(e.error_list[0])  # the validator's code (id_format, ...)
    if out.get("phone"):
        try:
            out["phone"] = validate_phone(out["phone"])
        except ValidationError as e:
            errors.setdefault("phone", []).append(e.error_list[0])
    choices = {"gender": Gender, "education": Education, "status": MemberStatus, "category": Category, "position": Position}
    for f, enum in choices.items():
        if f in out and out[f] not in enum.values and not (f == "position" and out[f] in ("", None)):
            err(f, "invalid_choice", _("Choose one of the listed values."))
    today = timezone.localdate()
    idn, birth = merged.get("id_number"), merged.get("birth_date")
    if idn and "id_number" not in errors and birth:
        if birth_date_from_id(idn) != birth:
            err("birth_date", "birth_date_mismatch", _("The birth date does not match the ID number (%(d)s).") % {"d": birth_date_from_id(idn)})
        if merged.get("gender") and gender_from_id(idn) != merged["gender"]:
            err("gender", "gender_mismatch", _("The gender does not match the ID number."))
    joined, full_on, status = merged.get("joined_on"), merged.get("full_member_on"), merged.get("status")
    if birth and birth > today:
        err("birth_date", "in_future", _("The birth date is in the future."))
    if joined:
        if joined > today:
            err("joined_on", "in_future", _("The join date is in the future."))
        if birth and _age(birth, joined) < 18:
            err("joined_on", "under_18", _("A member must be at least 18 when joining the Party (Party Constitution art. 1)."))
    if status == MemberStatus.FULL:
        if not full_on:
            err("full_member_on", "no_full_member_date", _("A full member needs the date of becoming a full member."))
        elif joined and full_on < joined:
            err("full_member_on", "full_before_joining", _("Becoming a full member cannot come before joining."))
        elif full_on > today:
            err("full_member_on", "in_future", _("The date of becoming a full member is in the future."))
    elif status == MemberStatus.PROBATIONARY:
        if full_on:
            err("full_member_on", "probationary_with_full_date", _("A probationary member has no full-membership date yet."))
        out["full_member_on"] = None
    if check_duplicates and idn and "id_number" not in errors and "id_number" in out:
        bidx = Member._meta.get_field("id_number").index_of(idn)
        dup = Member.objects.filter(id_number_bidx=bidx)
        if instance:
            dup = dup.exclude(pk=instance.pk)
        existing = dup.first()
        if existing is not None:
            if actor is not None and not Scope.for_user(actor).can("view", existing):
                raise DuplicateElsewhere(existing, idn)
            errors.setdefault("id_number", []).append(ValidationError(DUPLICATE_ON_RECORD, code="id_duplicate"))
    if errors:
        raise collected(errors)
    return out


def _current_org(org: Organization) -> Organization:
    """Re-read the organization inside the transaction: it must still exist."""
    current = Organization.objects.filter(pk=getattr(org, "pk", None)).first()
    if current is None:
        raise ValidationError({"org": [ValidationError(_("This organization does not exist."), code="not_found")]})
    return current


def existing_records(id_numbers: list[str], batch: int = 1000) -> dict[str, Member]:
    """The member records holding these (normalized) ID numbers, by blind index, in batches."""
    field = Member._meta.get_field("id_number")
    by_index = {field.index_of(i): i for i in id_numbers if i}
    keys = list(by_index)
    found: dict[str, Member] = {}
    for start in range(0, len(keys), batch):
        for m in Member.objects.filter(id_number_bidx__in=keys[start : start + batch]).select_related("org"):
            found[by_index[m.id_number_bidx]] = m
    return found


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
        raise ValidationError({"org": [ValidationError(_("Members belong to a branch, general branch, Party group or primary committee, not to “%(o)s”.") % {"o": org.name}, code="not_member_holding")]})
    if not org.is_active:
        raise ValidationError({"org": [ValidationError(_("“%(o)s” is dissolved.") % {"o": org.name}, code="inactive")]})


def _masked(field: str, value) -> str:
    return MASKERS[field](value) if field in MASKERS else value


def create_member(*, actor, org: Organization, data: dict) -> Member:
    """Add a member to a branch (DOMAIN §2, §4): validated, encrypted, counted, audited.

    An ID number on record where ``actor`` cannot see it is refused without naming where
    (``id_duplicate_routed``) and routed to the organization department above both.

    Row ``member.add`` on ``org`` (the add form, ``POST /api/v1/members/``; the callers of other
    apps reach the same roles: a transfer in from outside, an admission by the upper committee)."""
    policy.authorize(actor, "member", "add", org)
    try:
        clean = clean_member_data(data, actor=_person(actor))
    except DuplicateElsewhere as exc:
        raise refuse_duplicate(actor=actor, org=org, exc=exc, via="create") from None
    try:
        return _create_member(actor=actor, org=org, clean=clean)
    except IntegrityError:
        elsewhere = _on_record_elsewhere(_person(actor), clean.get("id_number"))
        if elsewhere is not None:
            raise refuse_duplicate(actor=actor, org=org, exc=elsewhere, via="create") from None
        raise ValidationError({"id_number": [ValidationError(DUPLICATE_ON_RECORD, code="id_duplicate")]}) from None


def _create_member(*, actor, org: Organization, clean: dict) -> Member:
    with transaction.atomic():
        org = _current_org(org)
        _check_org_holds_members(org)
        m = Member(org=org, org_path=org.path, **{k: v for k, v in clean.items() if k in EDITABLE})
        m.save()  # a unique-index race raises IntegrityError: create_member answers it
        MemberOrgHistory.objects.create(member=m, org=org, started_on=timezone.localdate(), reason=_("record created"),
                                        actor=actor if getattr(actor, "pk", None) else None)
        rollups.apply_delta([(org.path, rollups.member_keys(m), +1)])
        audit.record(actor=actor, action="member.create", obj=m,
                     data={"name": m.name, "org": org.pk, **{f: _masked(f, getattr(m, f)) for f in SENSITIVE}})
    return m


def update_member(*, actor, member: Member, data: dict) -> Member:
    """Edit a member's record; changed fields are audited (sensitive ones masked). Row
    ``member.change`` on the member (the edit form, ``PATCH /api/v1/members/{id}/``)."""
    policy.authorize(actor, "member", "change", member)
    changes = {k: v for k, v in data.items() if k in EDITABLE}
    try:
        return _update_member(actor=actor, member=member, changes=changes)
    except DuplicateElsewhere as exc:
        raise refuse_duplicate(actor=actor, org=member.org, exc=exc, via="update") from None
    except IntegrityError:
        elsewhere = _on_record_elsewhere(_person(actor), normalize_id(changes.get("id_number")), exclude_pk=member.pk)
        if elsewhere is not None:
            raise refuse_duplicate(actor=actor, org=member.org, exc=elsewhere, via="update") from None
        raise ValidationError({"id_number": [ValidationError(DUPLICATE_ON_RECORD, code="id_duplicate")]}) from None


def _update_member(*, actor, member: Member, changes: dict) -> Member:
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        clean = clean_member_data(changes, instance=member, actor=_person(actor))
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
        member.save()  # a unique-index race raises IntegrityError: update_member answers it
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

    Rows ``member.move`` on the member and ``member.add`` on ``to_org`` (the member page's view:
    its targets are those of ``member.add``). A member arriving by a transfer letter goes through
    :func:`receive_member`."""
    policy.authorize(actor, "member", "move", member)
    policy.authorize(actor, "member", "add", to_org)
    return _move(actor=actor, member=member, to_org=to_org, reason=reason, allow_below_minimum=allow_below_minimum, on=on)


def receive_member(*, actor, member: Member, to_org: Organization, reason: str, on: dt.date | None = None) -> Member:
    """The receiving organization takes in a member whose sending organization issued a transfer
    letter (组织关系转接, transfers): the same move as :func:`move_member`, asserted on the
    receiving side only — row ``member.add`` on ``to_org`` — because the receiving side holds no
    right on the sending branch; the letter it accepts is the sender's consent, and checking the
    letter is the transfers app's (its ``accept_transfer`` asserts ``transfer_in.accept``)."""
    policy.authorize(actor, "member", "add", to_org)
    return _move(actor=actor, member=member, to_org=to_org, reason=reason, allow_below_minimum=False, on=on)


def _move(*, actor, member: Member, to_org: Organization, reason: str, allow_below_minimum: bool, on: dt.date | None) -> Member:
    on = on or timezone.localdate()
    with transaction.atomic():
        to_org = _current_org(to_org)
        _check_org_holds_members(to_org)
        member = Member.objects.select_for_update().get(pk=member.pk)
        from_org = member.org
        if from_org.pk == to_org.pk:
            raise ValidationError({"org": [ValidationError(_("The member is already in this organization."), code="already_there")]})
        if member.state != RecordState.ACTIVE:
            raise ValidationError({"org": [ValidationError(_("This record is closed."), code="record_closed")]})
        branch = from_org.parent if from_org.kind == "party_group" and from_org.parent else from_org
        minimum = config.value("STRUCTURE")["branch_min_full_members"]
        leaving_branch = not to_org.path.startswith(branch.path)
        if (leaving_branch and member.status == MemberStatus.FULL and not allow_below_minimum and not branch.is_joint
                and full_members_in(branch) - 1 < minimum):
            raise ValidationError({"org": [ValidationError(_("“%(b)s” would be left with fewer than %(n)s full members (条例 art. 4). Merge it or attach it to a joint branch instead.") % {"b": branch.name, "n": minimum}, code="below_minimum")]})
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
    of a leaving branch is the caller's to check (a transfer counts its other open transfers).

    Row ``member.change`` on the member (the callers: the sending side's approval of a transfer
    out, the upper committee cancelling a probation — both organization admins above)."""
    policy.authorize(actor, "member", "change", member)
    on = on or timezone.localdate()
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.state != RecordState.ACTIVE:
            raise ValidationError(_("This record is closed."), code="record_closed")
        keys = rollups.member_keys(member)
        MemberOrgHistory.objects.filter(member=member, ended_on__isnull=True).update(ended_on=on)
        member.state, member.updated_at = RecordState.LEFT, timezone.now()
        member.save(update_fields=["state", "updated_at"])
        rollups.apply_delta([(member.org_path, keys, -1)])
        audit.record(actor=actor, action="member.left", obj=member, data={"reason": reason})
        return member
