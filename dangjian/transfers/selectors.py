"""Reads of organizational relationship, always through the caller's scope."""
from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from dangjian.core.models import MEMBER_HOLDING_KINDS, Organization
from dangjian.members.api import Member, RecordState

from .models import AwayKind, AwayRecord, IncomingTransfer, InflowRecord, MembershipCase, Transfer, TransferKind, TransferStatus
from .services import away_findings, receipt_overdue


def member_choices(org: Organization):
    """Members on record (active) in ``org``'s subtree, by name: whom a transfer or a register
    entry may be made for (the form's member list; the view checks the scope on the choice)."""
    return Member.objects.filter(org_path__startswith=org.path, state=RecordState.ACTIVE).order_by("name")


def _receiving_orgs():
    """Organizations that can hold members' records and are active (a transfer's receiving or a
    flowing member's inflow organization)."""
    return Organization.objects.filter(kind__in=MEMBER_HOLDING_KINDS, status="active")


def receiving_org_by_number(number: int) -> Organization | None:
    """The active member-holding organization with this number, or None."""
    return _receiving_orgs().filter(pk=number).first()


def receiving_orgs_named(name: str, limit: int = 2) -> list[Organization]:
    """Up to ``limit`` active member-holding organizations with exactly this name (more than one
    means the name is ambiguous)."""
    return list(_receiving_orgs().filter(name=name)[:limit])


def own_member(user) -> Member | None:
    """The user's own member record on file (active), or None."""
    return Member.objects.filter(user=user, state=RecordState.ACTIVE).first()


def org_history(member):
    """The member's organization history, oldest first (lazy: a queryset)."""
    return member.org_history.select_related("org").order_by("started_on", "id")


def away_contacts(rec: AwayRecord, limit: int = 200):
    """The contacts logged on a register entry with who logged them (lazy: a sliced queryset)."""
    return rec.contacts.select_related("by")[:limit]


def outgoing(scope, org, status: str = ""):
    qs = scope.filter(Transfer.objects.filter(from_path__startswith=org.path).exclude(kind=TransferKind.IN), "view")
    if status == "open":
        qs = qs.filter(status__in=(TransferStatus.REQUESTED, TransferStatus.PENDING, TransferStatus.ISSUED, TransferStatus.LEFT))
    return qs.select_related("member").order_by("-requested_at", "-id")


def incoming(scope, org, status: str = ""):
    qs = scope.filter(IncomingTransfer.objects.filter(to_path__startswith=org.path)
                      .filter(Q(kind=TransferKind.IN) | Q(kind=TransferKind.INTERNAL, status__in=(
                          TransferStatus.ISSUED, TransferStatus.ACCEPTED, TransferStatus.REJECTED, TransferStatus.EXPIRED))),
                      "view")
    if status == "open":
        qs = qs.filter(status=TransferStatus.ISSUED)
    return qs.select_related("member").order_by("-requested_at", "-id")


def transfer_flags(t: Transfer, today=None) -> list[str]:
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    out = []
    if t.status == TransferStatus.ISSUED and t.valid_until and t.valid_until < today:
        out.append(_("The letter expired on %(d)s without report-in.") % {"d": t.valid_until})
    if t.status == TransferStatus.EXPIRED:
        out.append(_("The letter expired on %(d)s without report-in.") % {"d": t.valid_until})
    if receipt_overdue(t, today):
        out.append(_("The receipt has not been returned within one month."))
    return out


def away_register(scope, org, kind: str = ""):
    qs = scope.filter(AwayRecord.objects.filter(org_path__startswith=org.path, closed_on__isnull=True), "view")
    if kind:
        qs = qs.filter(kind=kind)
    today = timezone.localdate()
    rows = list(qs.select_related("member", "org").order_by("kind", "since", "id")[:500])
    for r in rows:
        r.findings = away_findings(r, today)
    return rows


def flowing_in(scope, org):
    """Members flowing in: open flowing entries naming ``org`` or an organization below it as the
    inflow organization (教育管理条例 art. 32), as the inflow side sees them (``flowing_in``)."""
    qs = InflowRecord.objects.filter(inflow_path__startswith=org.path, kind=AwayKind.FLOWING, closed_on__isnull=True)
    return scope.filter(qs, "view").select_related("member", "org", "inflow_org").order_by("inflow_path", "since", "id")


def inflow_attendance(rec):
    """The member's attendance at meetings of the inflow organization (its subtree), newest first:
    what the inflow side recorded itself. The org-life app, above this one, provides the rows
    (:func:`dangjian.transfers.api.register_inflow_attendance`); without it there are none."""
    from . import api

    if not rec.inflow_path or api.inflow_attendance_source is None:
        return []
    return api.inflow_attendance_source(member_id=rec.member_id, inflow_path=rec.inflow_path)


def cases(scope, org):
    return scope.filter(MembershipCase.objects.filter(org_path__startswith=org.path), "view").select_related("member").order_by("status", "-opened_on")


def member_panel(request, member, scope):
    """The member page's panel: the member's transfers and register entries, as far as the viewer
    may see them (their transfer view / flowing view rows)."""
    if not (scope.has_any("transfer", "view") or scope.has_any("flowing", "view")):
        return None
    transfers = list(scope.filter(Transfer.objects.filter(member=member), "view").order_by("-requested_at")[:20]) \
        if scope.has_any("transfer", "view") else []
    away = list(scope.filter(AwayRecord.objects.filter(member=member), "view")) if scope.has_any("flowing", "view") else []
    today = timezone.localdate()
    for r in away:
        r.findings = away_findings(r, today)
    member_cases = list(scope.filter(MembershipCase.objects.filter(member=member), "view")) if scope.has_any("flowing", "view") else []
    can_request = scope.path_allows("transfer", "request", member.org_path)
    return {"member": member, "transfers": transfers, "away": away, "cases": member_cases, "can_request": can_request}
