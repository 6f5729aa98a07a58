"""Supervision (督查): the monthly tiered bulletin (分级分档通报) of org-life completion.

Completion status itself is computed on the fly from ``orglife.Meeting`` (see ``completion``);
only the published bulletin is stored, so that what was published stays as it was published
(seed 003 "Hejian": 分级分档管理，每月通报一次).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import Organization
from dangjian.core.scoping import OrgPathField


class Bulletin(models.Model):
    """One month's bulletin published by a town/county committee over its subtree."""
    scope_resource = "supervision"  # its POLICY resource: core.policy registers it at start-up

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by"))
    org_path = OrgPathField(source="org", db_index=False)  # led by Meta index bulletin_orgpath_period
    period = models.DateField(_("month"))  # the first day of the graded month
    rule_version = models.CharField(_("rule version"), max_length=40)
    thresholds = models.JSONField(default=dict)
    totals = models.JSONField(default=dict)  # {"branches": n, "A": n, "B": n, "C": n, "D": n, "warned": n}
    revision = models.PositiveSmallIntegerField(default=1)
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-period", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org", "period"], name="bulletin_unique_org_period")]
        indexes = [models.Index(fields=["org_path", "period"], name="bulletin_orgpath_period")]
        verbose_name = _("bulletin")

    def __str__(self) -> str:
        return f"{self.org_id} {self.period:%Y-%m}"


class Grade(models.TextChoices):
    A = "A", _("A — all required meetings held, good attendance")
    B = "B", _("B — mostly held, attendance acceptable")
    C = "C", _("C — org life held but incomplete or poorly attended")
    D = "D", _("D — no organizational life in the month")


class BulletinRow(models.Model):
    """One organization's grade and figures in a bulletin (a copy: names may change later)."""
    scope_unlisted = "read only through its bulletin"

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="rows")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org")  # the graded organization's path
    org_name = models.CharField(max_length=200)
    grade = models.CharField(max_length=1, choices=Grade.choices)
    required_count = models.PositiveSmallIntegerField(default=0)
    done_count = models.PositiveSmallIntegerField(default=0)
    completion = models.FloatField(null=True, blank=True)  # per cent
    attendance = models.FloatField(null=True, blank=True)  # per cent, mean over held meetings
    meetings_held = models.PositiveIntegerField(default=0)
    overdue = models.JSONField(default=list)  # names of the meeting types not held
    warned = models.BooleanField(default=False)

    class Meta:
        ordering = ["bulletin", "grade", "org_path"]
        indexes = [models.Index(fields=["org", "bulletin"], name="bulletinrow_org")]
        verbose_name = _("bulletin row")

    def __str__(self) -> str:
        return f"{self.org_name}: {self.grade}"
