"""Core models: the organization tree, role assignments, the audit chain and subtree rollups."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PATH_STEP = 4  # characters per tree level; base-36 segments ("0001", "00a9", ...)
PATH_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def encode_segment(n: int) -> str:
    out = ""
    for _i in range(PATH_STEP):
        n, r = divmod(n, 36)
        out = PATH_ALPHABET[r] + out
    if n:
        raise ValueError("too many children under one organization")
    return out


def decode_segment(s: str) -> int:
    n = 0
    for ch in s:
        n = n * 36 + PATH_ALPHABET.index(ch)
    return n


def path_index(field: str, name: str) -> models.Index:
    """Index usable by ``LIKE 'prefix%'`` on PostgreSQL (varchar_pattern_ops); plain elsewhere."""
    return models.Index(fields=[field], name=name, opclasses=["varchar_pattern_ops"])


class OrgKind(models.TextChoices):
    PROVINCE_COMMITTEE = "province", _("Provincial Party committee")
    CITY_COMMITTEE = "city", _("City Party committee")
    COUNTY_COMMITTEE = "county", _("County Party committee")
    TOWN_COMMITTEE = "town", _("Town/street Party committee")
    PRIMARY_COMMITTEE = "primary_committee", _("Primary Party committee")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")
    PARTY_GROUP = "party_group", _("Party group")


# Which kinds may sit under which (DOMAIN §2: party groups are not a level of organization and
# have no children; branches hold only party groups).
ALLOWED_CHILDREN: dict[str, set[str]] = {
    OrgKind.PROVINCE_COMMITTEE: {OrgKind.CITY_COMMITTEE},
    OrgKind.CITY_COMMITTEE: {OrgKind.COUNTY_COMMITTEE, OrgKind.PRIMARY_COMMITTEE},
    OrgKind.COUNTY_COMMITTEE: {OrgKind.TOWN_COMMITTEE, OrgKind.PRIMARY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.TOWN_COMMITTEE: {OrgKind.PRIMARY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.PRIMARY_COMMITTEE: {OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.GENERAL_BRANCH: {OrgKind.BRANCH, OrgKind.PARTY_GROUP},
    OrgKind.BRANCH: {OrgKind.PARTY_GROUP},
    OrgKind.PARTY_GROUP: set(),
}
# Kinds that hold members directly (a "branch" in the sense of 支部 work, plus its groups).
MEMBER_HOLDING_KINDS = {OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.PARTY_GROUP, OrgKind.PRIMARY_COMMITTEE}


class AreaType(models.TextChoices):
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    ORGAN = "organ", _("Government organ")
    ENTERPRISE = "enterprise", _("Enterprise")
    INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")
    MERGED = "merged", _("Merged")


class Organization(models.Model):
    """A Party organization in the tree; ``path`` is a materialized path (subtree = prefix)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices)
    area_type = models.CharField(_("area type"), max_length=16, choices=AreaType.choices, default=AreaType.OTHER)
    code = models.CharField(_("organization code"), max_length=32, blank=True, default="")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, unique=True)
    depth = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(_("status"), max_length=16, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    is_joint = models.BooleanField(_("joint branch"), default=False)
    unit_count = models.PositiveSmallIntegerField(_("units covered"), default=1)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from")
    term_started_on = models.DateField(_("current term started on"), null=True, blank=True)
    term_ends_on = models.DateField(_("current term ends on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["path"]
        # path: the unique constraint's own index, plus Django's varchar_pattern_ops copy of it on
        # PostgreSQL, serve both "=" and LIKE 'prefix%'.
        indexes = [models.Index(fields=["parent", "status"], name="org_parent_status")]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    def ancestor_paths(self) -> list[str]:
        return [self.path[:i] for i in range(PATH_STEP, len(self.path) + 1, PATH_STEP)]

    def ancestors(self) -> models.QuerySet[Organization]:
        return Organization.objects.filter(path__in=self.ancestor_paths()[:-1]).order_by("path")

    def descendants(self, include_self: bool = True) -> models.QuerySet[Organization]:
        qs = Organization.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)


class Role(models.TextChoices):
    """Roles of SECURITY.md. ``org_admin`` at a county org is the county org-department admin,
    at a town the town Party-committee admin: the level comes from the organization."""

    ORG_ADMIN = "org_admin", _("Organization-department admin")
    SECRETARY = "secretary", _("Branch secretary")
    COMMITTEE = "committee", _("Committee member")
    MEMBER = "member", _("Party member")
    AUDIT_ADMIN = "audit_admin", _("Audit admin")
    SECURITY_ADMIN = "security_admin", _("Security admin")


class RoleAssignment(models.Model):
    scoping_exempt = "a role is held at the organization itself: scopes are built from it (policy.Scope)"
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    active = models.BooleanField(default=True)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], condition=Q(active=True), name="uniq_active_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.org}"


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a second person")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RoleGrantRequest(models.Model):
    """A grant of a privileged role waiting for a second person (two-person rule of
    :mod:`dangjian.core.roles`): applied only when another security admin approves it."""

    scoping_exempt = "a pending role grant, read by the security admins through the organization itself"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grant_requests")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="role_grant_requests")
    role = models.CharField(max_length=32, choices=Role.choices)
    status = models.CharField(max_length=16, choices=GrantStatus.choices, default=GrantStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    assignment = models.ForeignKey(RoleAssignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], condition=Q(status="pending"), name="uniq_pending_role_grant")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.org} ({self.status})"


class AuditEvent(models.Model):
    """Append-only, hash-chained audit row (SECURITY.md "Audit log").

    Written inside the audited action's transaction with its position ``seq`` from the database
    (a sequence on PostgreSQL) and no hash: the sealer (:func:`dangjian.core.audit.seal`) chains
    committed rows later, ``hash = SHA-256(prev_hash || canonical JSON of the row)``, and signs
    each batch (:class:`AuditSeal`). Database triggers refuse UPDATE and DELETE, except the one
    sealing update that fills ``prev_hash``/``hash`` of an unsealed row and changes nothing else;
    ``manage.py audit_verify`` seals, recomputes the chain and names the first broken row.
    """

    scoping_exempt = "the log keeps the path as it was when the event happened (append-only): a move never rewrites it"

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    org_path = models.CharField(max_length=255, blank=True, default="")
    ip = models.CharField(max_length=64, blank=True, default="")
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64, blank=True, default="")  # "" until sealed
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object"), path_index("org_path", "audit_org_path_like")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit rows are append-only")


class AuditHead(models.Model):
    """The published head of the sealed chain: last sealed seq and hash, signed (``mac`` is the
    last :class:`AuditSeal`'s HMAC). Only the sealer locks and updates it; writers never touch it."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    mac = models.CharField(max_length=64, blank=True, default="")
    sealed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AuditSeal(models.Model):
    """One sealed batch of audit rows ``first_seq..last_seq`` (append-only, database triggers).

    ``gaps`` lists the positions in the range that no committed transaction holds (a rolled-back
    transaction's sequence value on PostgreSQL), ``hash`` is the chain hash of the batch's last
    row, and ``mac`` an HMAC-SHA256 over all of it and the previous seal's ``mac``, keyed by a key
    derived from the key file (outside the database): a rewritten chain cannot be re-signed.
    """

    first_seq = models.BigIntegerField(unique=True)
    last_seq = models.BigIntegerField(unique=True)
    rows = models.IntegerField()
    gaps = models.JSONField(default=list)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()
    prev_mac = models.CharField(max_length=64, blank=True, default="")
    mac = models.CharField(max_length=64)

    class Meta:
        ordering = ["first_seq"]

    def __str__(self) -> str:
        return f"audit seal #{self.first_seq}–{self.last_seq}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit seals are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit seals are append-only")


class OrgRollup(models.Model):
    scoping_exempt = "one row per organization, keyed by it (read through the organization's own scope)"
    """Head-counts of an organization's whole subtree, one JSON row per organization.

    ``counts`` maps buckets to numbers: ``{"total": 812, "gender:F": 301, "age:31-40": 90,
    "edu:bachelor": 120, "status:full": 790, "cat:farmer": 400}``. Kept exact by deltas in the
    member services (ancestor rows locked in path order) and rebuilt by
    ``manage.py refresh_rollups`` (age bands move with birthdays, so the rebuild runs nightly).
    """

    org = models.OneToOneField(Organization, primary_key=True, on_delete=models.CASCADE, related_name="rollup")
    counts = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"rollup of {self.org_id}: {self.counts.get('total', 0)}"
