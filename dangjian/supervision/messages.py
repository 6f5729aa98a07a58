"""Message kinds of the supervision app: one table, registered from ``AppConfig.ready`` with
:func:`dangjian.core.messages.register_kinds` (the one way every app declares its messages)."""
from __future__ import annotations

KINDS = {
    "supervision.bulletin": dict(
        title={"zh-hans": "{period} 组织生活分级分档通报（{org}）", "en": "Org-life bulletin {period} ({org})"},
        body={"zh-hans": "共{branches}个党组织：A档{a}个，B档{b}个，C档{c}个，D档{d}个；{warned}个需督促整改。", "en": "{branches} organizations: A {a}, B {b}, C {c}, D {d}; {warned} need follow-up."},
        link="/supervision/bulletins/{bulletin}/",
    ),
    "supervision.grade": dict(
        title={"zh-hans": "{period} 组织生活评定：{grade}档（{org}）", "en": "Org life {period}: grade {grade} ({org})"},
        body={"zh-hans": "应完成{items}项，已完成{done}项（完成率{completion}），平均参会率{attendance}。", "en": "{done} of {items} required meetings held (completion {completion}), average attendance {attendance}."},
        link="/supervision/org/{org_id}/",
    ),
    "supervision.members": dict(
        title={"zh-hans": "党员参加组织生活提醒：{org}（{period}）", "en": "Members' org life: {org} ({period})"},
        body={"zh-hans": "连续多月无故缺席（月数）：{absent}。连续6个月未参加组织生活、已建立自行脱党审查案件待支部核查（《党员教育管理工作条例》第三十一条，由支部大会决定并报上级批准，系统不作处理）：{lapse}。", "en": "Absent several months in a row (months): {absent}. No org life for 6 consecutive months — a 自行脱党 review case is open for the branch (教育管理条例 art. 31(6); the 支部大会 decides, the system changes nothing): {lapse}."},
        link="/supervision/org/{org_id}/lists/?list=absent&month={period}",
    ),
    "supervision.warning": dict(
        title={"zh-hans": "组织生活预警：{org}（{period}，{grade}档）", "en": "Org-life warning: {org} ({period}, grade {grade})"},
        body={"zh-hans": "{period}应完成{items}项，已完成{done}项；未按期召开：{overdue}；平均参会率{attendance}。请及时开展组织生活。", "en": "{period}: {done} of {items} required meetings held; not held: {overdue}; average attendance {attendance}. Please hold the missing meetings."},
        link="/supervision/org/{org_id}/",
    ),
}
