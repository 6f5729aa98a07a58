"""Org life's shared pieces: the rule version, the attendance-status alias and the context of the
meeting notices (planned, changed, cancelled, reminder, leave) that several aggregates send."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models import AttendanceStatus, Meeting

RULE_VERSION = "orglife-2026.11 (支部工作条例2018; 党员教育管理工作条例2019 art.16/23)"
S = AttendanceStatus


def _fmt(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _notice_context(meeting: Meeting) -> dict:
    return {
        "title": meeting.title, "org": meeting.org.name, "type": meeting.type.name,
        "when": _fmt(meeting.starts_at), "place": meeting.place, "meeting_id": meeting.pk,
    }
