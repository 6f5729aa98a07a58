"""Member records with the fields of the national Party-member information records."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.models import Organization
from dangjian.core.privacy import normalize_id_number, normalize_phone
from dangjian.core.scoping import OrgPathField


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school or below")
    JUNIOR = "junior", _("Junior middle school")
    SENIOR = "senior", _("Senior middle school / technical")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTOR = "doctor", _("Doctorate")


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")


class Category(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    RETIRED = "retired", _("Retired")
    FARMER = "farmer", _("Farmer / herdsman")
    STUDENT = "student", _("Student")
    FLOWING = "flowing", _("Flowing member")
    UNEMPLOYED = "unemployed", _("Unemployed")
    OTHER = "other", _("Other")


class Position(models.TextChoices):
    NONE = "", _("Member")
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZATION = "organization", _("Organization committee member")
    PROPAGANDA = "propaganda", _("Propaganda committee member")
    DISCIPLINE = "discipline", _("Discipline-inspection committee member")
    COMMITTEE = "committee", _("Committee member")
    GROUP_LEADER = "group_leader", _("Party group leader")


COMMITTEE_POSITIONS = {
    Position.SECRETARY,
    Position.DEPUTY_SECRETARY,
    Position.ORGANIZATION,
    Position.PROPAGANDA,
    Position.DISCIPLINE,
    Position.COMMITTEE,
}


class RecordState(models.TextChoices):
    ACTIVE = "active", _("In the organization")
    LEFT = "left", _("Left (transferred out of the platform, deceased, removed)")


ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族",
    "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族",
    "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族",
    "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
]


class Member(models.Model):
    """One Party member. ``org_path`` copies the organization's path for subtree scans."""
    scope_resource = "member"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "user"  # the user whose own row it is (SELF)

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    org_path = OrgPathField(source="org", db_index=False)  # led by Meta index member_orgpath_id_c (C-collated on PostgreSQL)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member")
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=16, default="汉族")
    birth_date = models.DateField(_("birth date"))
    id_number = EncryptedTextField(_("ID number"), blind_index="id_number_bidx", normalizer=normalize_id_number)
    id_number_bidx = models.CharField(max_length=64, null=True, blank=True)
    phone = EncryptedTextField(_("phone"), blind_index="phone_bidx", normalizer=normalize_phone)
    phone_bidx = models.CharField(max_length=64, null=True, blank=True)
    address = EncryptedTextField(_("residence"))
    education = models.CharField(_("education"), max_length=16, choices=Education.choices)
    joined_on = models.DateField(_("joined the Party on"))
    full_member_on = models.DateField(_("became a full member on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MemberStatus.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    work_unit = models.CharField(_("work unit"), max_length=200, blank=True, default="")
    position = models.CharField(_("position in the branch"), max_length=32, choices=Position.choices, blank=True, default="")
    state = models.CharField(max_length=8, choices=RecordState.choices, default=RecordState.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["org_path", "id"]
        indexes = [
            # org_path is C-collated on PostgreSQL (migration 0003), so this one b-tree serves both
            # LIKE 'prefix%' (the subtree) and ORDER BY org_path, id (the roster's keyset pages).
            models.Index(fields=["org_path", "id"], name="member_orgpath_id_c"),
            # blind indexes are only compared with "=": plain b-tree, no LIKE copy
            models.Index(fields=["phone_bidx"], name="member_phone_bidx"),
            models.Index(fields=["name"], name="member_name"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_bidx"], name="member_unique_id_number"),
            models.CheckConstraint(
                condition=Q(status="probationary", full_member_on__isnull=True) | Q(status="full", full_member_on__isnull=False),
                name="member_status_dates",
            ),
        ]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.name

    @property
    def is_committee(self) -> bool:
        return self.position in COMMITTEE_POSITIONS


class MemberOrgHistory(models.Model):
    """Which organization a member belonged to, and when (moves are kept as history)."""

    scoping_exempt = "history of the member's organizations: read through the member, never by organization scope"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="org_history")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["member", "started_on", "id"]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.org_id} from {self.started_on}"


class RestrictionKind(models.TextChoices):
    PROBATION = "probation", _("Placed on probation within the Party (留党察看)")
    DETAINED = "detained", _("Detained (留置) or arrested")


class RightsRestriction(models.Model):
    """A period in which a member's rights as a Party member are restricted.

    留党察看 (党章 art. 40; DOMAIN §11): no right to vote, to elect or to stand, and no right to
    introduce an applicant (细则 art. 15) until the rights are restored; 留置 or arrest suspends the
    rights likewise (选举工作条例 art. 5). ``ends_on`` empty = still in force. The table keeps its
    first name (``elections_rightsrestriction``): elections recorded restrictions before development
    and the meeting records needed them too.
    """
    scope_resource = "member"  # its POLICY resource: core.policy registers it at start-up
    scope_self = "member__user"  # the user whose own row it is (SELF)

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="rights_restrictions")
    org_path = OrgPathField(source="member")
    kind = models.CharField(_("kind"), max_length=10, choices=RestrictionKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "elections_rightsrestriction"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return f"{self.member.name}: {self.get_kind_display()}"

    def in_force(self, on) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)
