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
* SECURITY.md "mask reconstruction": a search by a full ID number or phone is an exact look-up
  (an oracle for the masked digits): only roles with reveal rights run it, each one is audited,
  rate-limited, and a burst alerts the security admins (:func:`authorize_exact_search`). An ID
  number already recorded where the user cannot see it is not named: the refusal says the county
  organization department resolves it, and they are told (:func:`route_duplicate`).
"""
from __future__ import annotations

import datetime as dt
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit, config, rollups
from dangjian.core.errors import collected
from dangjian.core.models import MEMBER_HOLDING_KINDS, PATH_STEP, AuditEvent, Organization, Role, RoleAssignment
from dangjian.core.policy import Scope
from dangjian.core.privacy import (
    MASKERS,
    birth_date_from_id,
    gender_from_id,
    mask_phone,
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


DUPLICATE_ON_RECORD = gettext_lazy("A member with this ID number is already on record.")
DUPLICATE_ROUTED = gettext_lazy("This ID number cannot be recorded here. It has been passed to the organization department "
                                "above for resolution; they will contact you.")


class DuplicateElsewhere(ValidationError):
    """The ID number is on record in a member record (or an open development case) the user may
    not see (code ``id_duplicate_routed``).

    Carries the existing record for :func:`route_duplicate`; its message names nothing of it."""

    def __init__(self, existing, id_number: str):
        super().__init__({"id_number": [ValidationError(DUPLICATE_ROUTED, code="id_duplicate_routed")]})
        self.existing = existing
        self.id_number = id_number


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


def _common_path(paths: list[str]) -> str:
    """The path of the deepest organization above (or at) every path."""
    common = os.path.commonprefix(paths) if paths else ""
    return common[: len(common) - len(common) % PATH_STEP]


def _common_ancestor(paths: list[str]) -> Organization | None:
    common = _common_path(paths)
    return Organization.objects.filter(path=common).first() if common else None


def route_duplicate(*, actor, org: Organization | None, existing: Member, id_number: str, via: str) -> int:
    """Hand an ID number that is already on record outside the user's view to the organization
    department above both records (SECURITY.md "mask reconstruction"; PIPL: say only what the
    user may know). One audit row (``member.duplicate_routed``: both organizations, the number
    masked) and an inbox message to the org admins of the nearest organization above both (or,
    with none there, above it), in its own transaction: the refusal itself writes nothing else.
    Returns the number of messages."""
    from dangjian.core.messages import send as notify

    target_path = org.path if org is not None else ""
    paths = [p for p in (target_path, existing.org_path) if p]
    with transaction.atomic():
        audit.record(actor=actor, action="member.duplicate_routed", object_type=existing._meta.label_lower, object_id=existing.pk,
                     org_path=existing.org_path, data={"target_org": getattr(org, "pk", None), "existing_org": existing.org_id,
                                                       "id_number": MASKERS["id_number"](id_number), "via": via})
        _alert_on_duplicate_burst(actor)
        anchor = _common_ancestor(paths)
        while anchor is not None:
            admins = list(RoleAssignment.objects.filter(active=True, role=Role.ORG_ADMIN, org=anchor).select_related("user"))
            if admins:
                return notify(recipients=[a.user for a in admins], kind="members.duplicate_routed", org=anchor, actor=actor,
                              context={"org": org.name if org is not None else "", "existing_org": existing.org.name,
                                       "user": getattr(actor, "username", "") or "system"})
            anchor = anchor.parent
    return 0


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


def route_duplicates(*, actor, pairs: list[tuple[Organization, Member, str]], via: str) -> int:
    """:func:`route_duplicate` for a whole file: one audit row per number, one message per
    organization department (the count, the organizations), in one transaction."""
    from dangjian.core.messages import send as notify

    if not pairs:
        return 0
    groups: dict[int, list] = {}
    anchors: dict[int, Organization] = {}
    with transaction.atomic():
        for org, existing, idn in pairs:
            audit.record(actor=actor, action="member.duplicate_routed", object_type="members.member", object_id=existing.pk,
                         org_path=existing.org_path, data={"target_org": org.pk, "existing_org": existing.org_id,
                                                           "id_number": MASKERS["id_number"](idn), "via": via})
            _alert_on_duplicate_burst(actor)
            anchor = _common_ancestor([org.path, existing.org_path])
            while anchor is not None and not RoleAssignment.objects.filter(active=True, role=Role.ORG_ADMIN, org=anchor).exists():
                anchor = anchor.parent
            if anchor is not None:
                anchors[anchor.pk] = anchor
                groups.setdefault(anchor.pk, []).append((org, existing))
        sent = 0
        for pk, items in groups.items():
            admins = [ra.user for ra in RoleAssignment.objects.filter(active=True, role=Role.ORG_ADMIN, org_id=pk).select_related("user")]
            sent += notify(recipients=admins, kind="members.duplicate_routed", org=anchors[pk], actor=actor,
                           context={"org": "、".join(sorted({o.name for o, _e in items})),
                                    "existing_org": "、".join(sorted({e.org.name for _o, e in items})),
                                    "user": getattr(actor, "username", "") or "system"})
    return sent


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


def refuse_duplicate(*, actor, org, exc: DuplicateElsewhere, via: str) -> ValidationError:
    """Route ``exc``'s record (:func:`route_duplicate`) and return the refusal to raise; call it
    outside the caller's transaction so the audit row and the message stay."""
    route_duplicate(actor=actor, org=org, existing=exc.existing, id_number=exc.id_number, via=via)
    return ValidationError({"id_number": [ValidationError(DUPLICATE_ROUTED, code="id_duplicate_routed")]})


_refuse_duplicate = refuse_duplicate


def recorded_elsewhere(*, actor, id_number: str | None) -> DuplicateElsewhere | None:
    """The refusal for an ID number on record in a member record ``actor`` may not see, or None
    (also for an invalid number: the caller's own validation reports that)."""
    return _on_record_elsewhere(_person(actor), normalize_id(id_number))


def refuse_if_recorded_elsewhere(*, actor, org, id_number: str | None, via: str) -> None:
    """For callers that add a member inside their own transaction (a transfer in from outside):
    check first, so a routed duplicate is audited and passed on before their transaction starts."""
    exc = recorded_elsewhere(actor=actor, id_number=id_number)
    if exc is not None:
        raise refuse_duplicate(actor=actor, org=org, exc=exc, via=via)


def _on_record_elsewhere(actor, idn: str | None, exclude_pk=None) -> DuplicateElsewhere | None:
    """After a unique-index race: the record that won, when the actor may not see it."""
    if not idn or actor is None:
        return None
    existing = Member.objects.filter(id_number_bidx=Member._meta.get_field("id_number").index_of(idn)).exclude(pk=exclude_pk).first()
    if existing is not None and not Scope.for_user(actor).can("view", existing):
        return DuplicateElsewhere(existing, idn)
    return None


def create_member(*, actor, org: Organization, data: dict) -> Member:
    """Add a member to a branch (DOMAIN §2, §4): validated, encrypted, counted, audited.

    An ID number on record where ``actor`` cannot see it is refused without naming where
    (``id_duplicate_routed``) and routed to the organization department above both."""
    try:
        clean = clean_member_data(data, actor=_person(actor))
    except DuplicateElsewhere as exc:
        raise _refuse_duplicate(actor=actor, org=org, exc=exc, via="create") from None
    try:
        return _create_member(actor=actor, org=org, clean=clean)
    except IntegrityError:
        elsewhere = _on_record_elsewhere(_person(actor), clean.get("id_number"))
        if elsewhere is not None:
            raise _refuse_duplicate(actor=actor, org=org, exc=elsewhere, via="create") from None
        raise ValidationError({"id_number": [ValidationError(DUPLICATE_ON_RECORD, code="id_duplicate")]}) from None


def _person(actor):
    """The user whose view decides what a duplicate may say (None for system callers)."""
    return actor if getattr(actor, "pk", None) else None


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
    """Edit a member's record; changed fields are audited (sensitive ones masked)."""
    changes = {k: v for k, v in data.items() if k in EDITABLE}
    try:
        return _update_member(actor=actor, member=member, changes=changes)
    except DuplicateElsewhere as exc:
        raise _refuse_duplicate(actor=actor, org=member.org, exc=exc, via="update") from None
    except IntegrityError:
        elsewhere = _on_record_elsewhere(_person(actor), normalize_id(changes.get("id_number")), exclude_pk=member.pk)
        if elsewhere is not None:
            raise _refuse_duplicate(actor=actor, org=member.org, exc=elsewhere, via="update") from None
        raise ValidationError({"id_number": [ValidationError(DUPLICATE_ON_RECORD, code="id_duplicate")]}) from None


def normalize_id(value) -> str | None:
    try:
        return validate_id_number(value) if value else None
    except ValidationError:
        return None


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
    """
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
    of a leaving branch is the caller's to check (a transfer counts its other open transfers)."""
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
        raise ValidationError({"kind": [ValidationError(_("Choose a kind of restriction."), code="no_kind")]})
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": [ValidationError(_("The end lies before the start."), code="ends_before_start")]})
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
            raise ValidationError({"ends_on": [ValidationError(_("The end lies before the start."), code="ends_before_start")]})
        previous = r.ends_on
        r.ends_on = ends_on
        if note:
            r.note = f"{r.note}；{note}"[:200] if r.note else note[:200]
        r.save(update_fields=["ends_on", "note"])
        audit.record(actor=actor, action="member.restriction_end", obj=r, org_path=r.org_path,
                     data={"member": r.member_id, "until": ends_on, "previous_until": previous})
        return r


def reveal_field(*, actor, member: Member, field: str, purpose: str, purpose_note: str = "") -> str:
    """Return one sensitive field in clear and audit the reveal (SECURITY.md "Field privacy").

    The purpose is required (PIPL art. 6): one of :class:`dangjian.core.reveal.RevealPurpose`,
    with a note when it is "other" (:func:`dangjian.core.reveal.clean_purpose`; coded refusals)."""
    from dangjian.core.reveal import clean_purpose

    if field not in SENSITIVE:
        raise ValidationError(_("This field is not revealable."), code="field")
    purpose, purpose_note = clean_purpose(purpose, purpose_note)
    data = {"field": field, "purpose": purpose, **({"purpose_note": purpose_note} if purpose_note else {})}
    with transaction.atomic():
        audit.record(actor=actor, action="member.reveal", obj=member, data=data)
        return getattr(member, field)


# -- exact look-ups by a full ID number or phone -------------------------------------------------

EXACT_SEARCH_DEFAULTS = {"per_window": 20, "window_minutes": 10, "burst": 10}
SEARCH_EXACT, SEARCH_EXACT_REFUSED, SEARCH_EXACT_BURST = "member.search_exact", "member.search_exact_refused", "member.search_exact_burst"
EXACT_FORBIDDEN = gettext_lazy("Searching by a full ID number or phone number needs the right to reveal them; search by name instead.")
EXACT_RATE_LIMITED = gettext_lazy("Too many searches by ID number or phone number; try again in %(m)s minutes.")


def exact_search_conf() -> dict:
    """``DANGJIAN_EXACT_SEARCH`` (optional setting) over the defaults: ``per_window`` searches a
    user may run in ``window_minutes``; the ``burst``-th attempt in a window alerts."""
    return config.section("EXACT_SEARCH", EXACT_SEARCH_DEFAULTS)


class ExactSearchRefused(ValidationError):
    """A search by a full ID number or phone that may not run: code ``exact_search_forbidden``
    (no reveal right anywhere) or ``exact_search_rate_limited``."""

    def __init__(self, message, code: str):
        super().__init__(message, code=code)


def _masked_term(field: str, term: str) -> str:
    return MASKERS["id_number"](term) if field == "id_number" else mask_phone(term)


def security_admins_over(paths: list[str]):
    """Active users holding security_admin at or above any of these organization paths."""
    rows = RoleAssignment.objects.filter(active=True, role=Role.SECURITY_ADMIN).select_related("org", "user")
    return sorted({ra.user for ra in rows if any(p.startswith(ra.org.path) for p in paths)}, key=lambda u: u.pk)


def authorize_exact_search(*, actor, scope: Scope, field: str, term: str, via: str) -> None:
    """Let one search by a full ID number (``field="id_number"``) or phone run, or refuse it.

    SECURITY.md "mask reconstruction" (exact-value searches rate-limited and audited): an exact
    search confirms a guess of the masked digits, so it is an oracle. Rules:

    * only a user with the reveal right somewhere runs it, and the selector then matches only
      members they may reveal (``exact_search_forbidden`` otherwise);
    * at most ``per_window`` searches in ``window_minutes`` per user (``exact_search_rate_limited``);
    * every attempt, run or refused, writes one audit row (the term masked, its blind index kept
      for an investigation); counting and writing run under a lock of the user's row, so parallel
      requests cannot pass the limit together;
    * the ``burst``-th attempt of a window also writes ``member.search_exact_burst`` and sends the
      security admins above the user an inbox message.
    """
    cfg = exact_search_conf()
    now = timezone.now()
    field_def = Member._meta.get_field(field)
    with transaction.atomic():
        if getattr(actor, "pk", None):  # one user's searches run one at a time: parallel requests cannot pass the limit together
            get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        recent = AuditEvent.objects.filter(actor=actor, action__in=(SEARCH_EXACT, SEARCH_EXACT_REFUSED),
                                           created_at__gte=now - dt.timedelta(minutes=cfg["window_minutes"]))
        run = sum(1 for a in recent.values_list("action", flat=True) if a == SEARCH_EXACT)
        attempts = recent.count() + 1
        code = None
        if not scope.has_any("member", "reveal"):
            code = "exact_search_forbidden"
        elif run >= cfg["per_window"]:
            code = "exact_search_rate_limited"
        paths = [g.path for g in scope.grants]
        audit.record(actor=actor, action=SEARCH_EXACT_REFUSED if code else SEARCH_EXACT, object_type="members.member",
                     org_path=_common_path(paths),
                     data={"field": field, "term": _masked_term(field, term), "bidx": field_def.index_of(term), "via": via,
                           "refused": code or ""})
        if attempts == cfg["burst"]:
            _alert_burst(actor=actor, paths=paths, attempts=attempts, minutes=cfg["window_minutes"], field=field)
    if code == "exact_search_forbidden":
        raise ExactSearchRefused(EXACT_FORBIDDEN, code)
    if code:
        raise ExactSearchRefused(EXACT_RATE_LIMITED % {"m": cfg["window_minutes"]}, code)


def _alert_on_duplicate_burst(actor) -> None:
    """Each routed duplicate tells that a number is on the platform: the ``burst``-th of a user in a
    window alerts the security admins like a burst of exact searches (field ``duplicate``)."""
    if not getattr(actor, "pk", None):
        return
    cfg = exact_search_conf()
    n = AuditEvent.objects.filter(actor=actor, action="member.duplicate_routed",
                                  created_at__gte=timezone.now() - dt.timedelta(minutes=cfg["window_minutes"])).count()
    if n == cfg["burst"]:
        _alert_burst(actor=actor, paths=[g.path for g in Scope.for_user(actor).grants], attempts=n, minutes=cfg["window_minutes"],
                     field="duplicate")


def _alert_burst(*, actor, paths: list[str], attempts: int, minutes: int, field: str) -> None:
    from dangjian.core.messages import send as notify

    admins = security_admins_over(paths)
    audit.record(actor=actor, action=SEARCH_EXACT_BURST, object_type="accounts.user", object_id=getattr(actor, "pk", ""),
                 data={"attempts": attempts, "minutes": minutes, "field": field, "alerted": [u.pk for u in admins]})
    if admins:
        notify(recipients=admins, kind="members.exact_search_burst", actor=actor,
               context={"user": getattr(actor, "username", ""), "n": attempts, "minutes": minutes})
