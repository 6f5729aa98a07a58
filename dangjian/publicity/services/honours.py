"""Aggregate: an entry of the honour roll (时代先锋) — select, withdraw.

Rules encoded (rule version :data:`~._common.RULE_VERSION`; sources: issue 5, seed 001 "时代先锋",
DOMAIN §10 and §11 "Personal information"):

* H1 The honour roll (时代先锋) is selected by the superior: an org admin names organizations
  strictly below their own (POLICY ``honour.select`` = DESCENDANTS); a member must belong to such
  an organization; one entry per year, honour and honoured. The citation follows P6 (no ID
  number, no phone number at all).
* H2 An excellent Communist Party member (优秀共产党员) of year Y must have been a member with full
  rights in Y: [block] a member whose record is closed (left the Party / the platform); [block] a
  member admitted after Y; [block] a member whose rights were restricted at any time in Y —
  留党察看 (党章 art. 40: rights restricted during the probation within the Party) or 留置/arrest
  (选举工作条例 art. 5: rights suspended; DOMAIN §1.2 and §11 "Votes & elections"). Confidence:
  inferred — DOMAIN states no eligibility rule for the honour itself; a member who may not even
  vote in the year is not held up as a model of it (DOMAIN §6: 优秀 → public praise). A
  probationary member is **not** refused: DOMAIN lists no such rule (the form says so).
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, policy
from dangjian.core.errors import collected
from dangjian.core.models import Organization

from .. import pii
from ..models import HonourEntry, HonourKind
from ._common import _invalidate


def _require_select(actor, target, message: str) -> None:
    """H1: only an org admin of an organization strictly above ``target`` (an organization or an
    entry) selects or withdraws — POLICY ``honour.select`` (DESCENDANTS), asserted through
    ``policy.authorize`` (decisions.md 38). The system (actor None) does not: the roll names the
    selecting organization. Raises ``policy.NotPermitted`` with ``message``."""
    if actor is None:
        raise policy.NotPermitted(message)
    try:
        policy.authorize(actor, "honour", "select", target)
    except policy.NotPermitted:
        raise policy.NotPermitted(message) from None


def _selecting_org(actor, org: Organization) -> Organization | None:
    """The selecting organization: the closest one strictly above ``org`` where ``actor`` selects."""
    reaches = policy.scope_for(actor).reaches("honour", "select")
    for _reach, path in sorted(reaches, key=lambda rp: -len(rp[1])):
        if org.path.startswith(path) and org.path != path:
            return Organization.objects.get(path=path)
    return None


def _citation_errors(citation: str) -> list[ValidationError]:
    """P6 on an honour citation: no ID number and no mobile number at all (no hotline belongs there)."""
    out = []
    ids = pii.find_id_numbers(citation)
    if ids:
        out.append(ValidationError(_("The citation contains an ID number (%(numbers)s). The honour roll is public: remove it.") % {
            "numbers": "、".join(ids)}, code="pii_id_number"))
    phones = pii.find_mobiles(citation)
    if phones:
        out.append(ValidationError(_("The citation contains a mobile phone number (%(numbers)s). The honour roll is public: remove it.") % {
            "numbers": "、".join(phones)}, code="pii_mobile"))
    return out


def honour_member_error(member, year: int) -> ValidationError | None:
    """H2: why ``member`` cannot be an excellent Communist Party member (优秀共产党员) of ``year``,
    as a coded refusal, or None. Closed record (left, ``record_closed``); admitted after the year
    (``joined_after_year``); rights restricted (留党察看 — 党章 art. 40 — or 留置/arrest — 选举工作条例
    art. 5) on any day of the year (``rights_restricted``), read from the members app's record of
    restrictions (``dangjian.members``)."""
    import datetime as dt

    if member.state != "active":
        return ValidationError(_("%(name)s's record is closed (no longer a member here): a closed record cannot be honoured.") % {
            "name": member.name}, code="record_closed")
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if member.joined_on and member.joined_on > last:
        return ValidationError(_("%(name)s joined the Party on %(d)s, after %(y)s: choose a member of that year.") % {
            "name": member.name, "d": member.joined_on.isoformat(), "y": year}, code="joined_after_year")
    restriction = _restriction_in_year(member, first, last)
    if restriction is not None:
        return ValidationError(
            _("%(name)s's rights as a Party member were restricted in %(y)s (%(kind)s, from %(d)s): a member under "
              "留党察看 or whose rights were suspended cannot be an excellent Communist Party member of that year "
              "(党章 art. 40).") % {"name": member.name, "y": year, "kind": restriction.get_kind_display(),
                                     "d": restriction.starts_on.isoformat()}, code="rights_restricted")
    return None


def honour_member_refusal(member, year: int) -> str | None:
    """H2: why ``member`` cannot be honoured for ``year`` (``honour_member_error``), as text, or None."""
    refused = honour_member_error(member, year)
    return refused.message if refused is not None else None


def _restriction_in_year(member, first, last):
    """The first restriction of ``member`` in force on some day between ``first`` and ``last``."""
    from dangjian.members.api import restrictions_during

    return restrictions_during([member.pk], first, last).first()


def select_honour(*, actor, year: int, kind: str, org: Organization, citation: str, member=None) -> HonourEntry:
    """Put an excellent branch (``kind="branch"``) or member (``kind="member"``, ``member`` of
    ``org`` or below) on the honour roll of ``year`` (H1). Only an org admin of an organization
    strictly above ``org`` may select (POLICY ``honour.select``, DESCENDANTS). H2: a member must
    have been one with full rights in ``year`` (``honour_member_error``); P6: the citation holds
    no ID or phone number."""
    if member is not None and kind == HonourKind.MEMBER:
        org = member.org
    if not isinstance(org, Organization) or not org.is_active:
        raise ValidationError({"org": [ValidationError(_("Choose an active organization."), code="org_inactive")]})
    _require_select(actor, org, _("Only a superior organization may select %(org)s.") % {"org": org.name})
    if kind not in HonourKind.values:
        raise ValidationError({"kind": [ValidationError(_("Unknown honour."), code="unknown_honour")]})
    citation = (citation or "").strip()
    errors = {}
    if not citation:
        errors["citation"] = [ValidationError(_("Write the citation (事迹简介)."), code="no_citation")]
    elif len(citation) > 4000:
        errors["citation"] = [ValidationError(_("The citation is too long (at most 4000 characters)."), code="citation_too_long")]
    now_year = timezone.localdate().year
    if not (2000 <= int(year) <= now_year):
        errors["year"] = [ValidationError(_("Choose a year between 2000 and %(y)s.") % {"y": now_year}, code="year_out_of_range")]
    if not errors.get("citation") and _citation_errors(citation):  # P6: the citation is public
        errors["citation"] = _citation_errors(citation)
    if kind == HonourKind.MEMBER:
        if member is None:
            errors["member"] = [ValidationError(_("Choose the member."), code="no_member")]
        else:
            why = honour_member_error(member, int(year)) if not errors.get("year") else None
            if why:
                errors["member"] = [why]
    elif member is not None:
        errors["member"] = [ValidationError(_("An honoured organization has no member."), code="member_for_organization")]
    if errors:  # every field error above is coded; the outer code names the whole refusal
        raise collected(errors)
    selector = _selecting_org(actor, org)
    with transaction.atomic():
        dup = HonourEntry.objects.filter(year=year, kind=kind, org=org, withdrawn_at__isnull=True)
        dup = dup.filter(member=member) if member is not None else dup
        if dup.exists():
            raise ValidationError(_("%(name)s is already on the honour roll of %(year)s.") % {
                "name": member.name if member is not None else org.name, "year": year}, code="already_honoured")
        entry = HonourEntry.objects.create(
            year=year, kind=kind, org=org, member=member,
            display_name=member.name if member is not None else org.name, org_name=org.name,
            citation=citation, selected_by_org=selector, selected_by=actor,
        )
        audit.record(actor=actor, action="honour.select", obj=entry, data={"year": year, "kind": kind})
        _invalidate(org)
        return entry


def withdraw_honour(*, actor, entry: HonourEntry, reason: str) -> HonourEntry:
    """Take an entry off the public honour roll, with a reason (H1: same reach as selection)."""
    _require_select(actor, entry, _("You may not do this for this organization."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [ValidationError(_("Give the reason for the withdrawal."), code="no_reason")]})
    with transaction.atomic():
        entry = HonourEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.withdrawn_at is not None:
            raise ValidationError(_("This entry is already withdrawn."), code="already_withdrawn")
        entry.withdrawn_at = timezone.now()
        entry.withdrawn_by = actor
        entry.withdraw_reason = reason[:2000]
        entry.save()
        audit.record(actor=actor, action="honour.withdraw", obj=entry, data={"reason": reason[:500]})
        _invalidate(entry.org)
        return entry
