"""Message kinds of org life: one table, registered from ``OrglifeConfig.ready`` with
:func:`dangjian.core.messages.register_kinds`.

Notices carry no personal data beyond the member's own name: no ID numbers, no phones, and the
reason of a leave request goes to the inbox of the branch staff only (never by SMS)."""
from __future__ import annotations

MY = "/orglife/my/#meeting-{meeting_id}"
DETAIL = "/orglife/meetings/{meeting_id}/"

KINDS = {
    "orglife.meeting_planned": dict(
        title={"zh-hans": "会议通知：{title}", "en": "Meeting notice: {title}"},
        body={"zh-hans": "{org}定于{when}在{place}召开{type}，请准时参加；不能参加的请提前请假。",
              "en": "{org} holds a {type} at {place} on {when}. Please attend, or ask for leave beforehand."},
        link=MY),
    "orglife.meeting_changed": dict(
        title={"zh-hans": "会议变更：{title}", "en": "Meeting changed: {title}"},
        body={"zh-hans": "{org}的{type}改为{when}在{place}召开，请准时参加。",
              "en": "{org}'s {type} now takes place at {place} on {when}."},
        link=MY),
    "orglife.meeting_reminder": dict(
        title={"zh-hans": "会议提醒：{title}", "en": "Reminder: {title}"},
        body={"zh-hans": "{org}的{type}将于{when}在{place}召开，请准时参加。",
              "en": "{org}'s {type} starts at {place} on {when}."},
        link=MY),
    "orglife.meeting_cancelled": dict(
        title={"zh-hans": "会议取消：{title}", "en": "Meeting cancelled: {title}"},
        body={"zh-hans": "{org}原定{when}在{place}召开的{type}已取消。原因：{reason}",
              "en": "{org}'s {type} at {place} on {when} is cancelled. Reason: {reason}"},
        link=MY),
    "orglife.leave_requested": dict(
        title={"zh-hans": "请假申请：{member}", "en": "Leave request: {member}"},
        body={"zh-hans": "{member}申请不参加{org}{when}在{place}召开的{type}“{title}”。理由：{reason}",
              "en": "{member} asks for leave from {org}'s {type} \"{title}\" at {place} on {when}. Reason: {reason}"},
        link=DETAIL),
    "orglife.leave_approved": dict(
        title={"zh-hans": "请假已批准：{title}", "en": "Leave approved: {title}"},
        body={"zh-hans": "您不参加{org}{when}在{place}召开的{type}的请假已批准。备注：{note}",
              "en": "Your leave from {org}'s {type} at {place} on {when} is approved. Note: {note}"},
        link=MY),
    "orglife.leave_rejected": dict(
        title={"zh-hans": "请假未批准：{title}", "en": "Leave not approved: {title}"},
        body={"zh-hans": "您不参加{org}{when}在{place}召开的{type}的请假未获批准，请按时参加。备注：{note}",
              "en": "Your leave from {org}'s {type} at {place} on {when} is not approved: please attend. Note: {note}"},
        link=MY),
}
