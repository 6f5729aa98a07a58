"""Message kinds of the elections app: one table, registered from ``AppConfig.ready`` with
:func:`dangjian.core.messages.register_kinds` (the one way every app declares its messages)."""
from __future__ import annotations

KINDS = {
    "elections.term_ending": dict(
        title={"zh-hans": "换届提醒：{org}", "en": "Term ending: {org}"},
        body={"zh-hans": "{org}本届任期将于{ends_on}届满，请提前做好换届选举准备（届满前6个月提醒）。", "en": "The term of {org} ends on {ends_on}; prepare the re-election (6-month reminder)."},
        link="/elections/org/{org_id}/",
    ),
    "elections.adjust_request": dict(
        title={"zh-hans": "延期/提前换届待审批：{org}", "en": "Term adjustment to approve: {org}"},
        body={"zh-hans": "{org}申请将任期届满日由{old}调整为{new}，请审批。", "en": "{org} asks to move its term end from {old} to {new}; please decide."},
        link="/elections/adjustments/{adjustment_id}/",
    ),
}
