"""Attendance points (PointsEntry): the versioned rule table and the points of a closed meeting
(DOMAIN §11 "Indices, points & warnings": a versioned rule table)."""
from __future__ import annotations

from django.utils import translation

from dangjian.core import config

from ..models import Attendance, AttendanceStatus, Meeting, PointsEntry

DEFAULT_POINTS = {
    "version": "orglife-points-2026.11",
    "rules": {"present": 2, "late": 1, "leave": 0, "absent": -2, "exempt": 0, "makeup": 1},
}


def points_rules() -> dict:
    """[cfg] ``DANGJIAN_ORGLIFE_POINTS``: {"version": ..., "rules": {attendance status: delta}}
    (DOMAIN §11 "Indices, points & warnings": a versioned rule table)."""
    conf = dict(DEFAULT_POINTS)
    conf.update(config.value("ORGLIFE_POINTS", {}) or {})
    return conf


def award_points(*, meeting: Meeting) -> int:
    """Write the attendance points of a closed meeting by the rule table ``points_rules()``
    (one row per member and rule; a second call writes nothing). Zero-point rules write no row."""
    conf = points_rules()
    rules, version = conf["rules"], str(conf["version"])[:40]
    with translation.override("zh-hans"):  # the ledger is a record: written in the default language
        labels = {k: str(v) for k, v in AttendanceStatus.choices}
    rows = []
    for att in Attendance.objects.filter(meeting=meeting).only("member_id", "status"):
        delta = int(rules.get(att.status, 0) or 0)
        if delta:
            rows.append(PointsEntry(member_id=att.member_id, meeting=meeting, delta=delta,
                                    reason=f"{meeting.title[:150]}：{labels.get(att.status, att.status)}",
                                    rule_id=f"orglife.attendance.{att.status}", rule_version=version))
    before = PointsEntry.objects.filter(meeting=meeting).count()
    PointsEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return PointsEntry.objects.filter(meeting=meeting).count() - before
