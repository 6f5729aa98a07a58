"""Message kinds of the appraisal app: one table, registered from ``AppConfig.ready`` with
:func:`dangjian.core.messages.register_kinds` (the one way every app declares its messages)."""
from __future__ import annotations

KINDS = {
    "appraisal.self_open": dict(
        title={"zh-hans": "{year}年度民主评议党员开始：请撰写自我评议", "en": "Democratic appraisal {year}: write your self-appraisal"},
        body={"zh-hans": "{org}{year}年度民主评议党员已开始，请登录撰写个人自我评议材料。", "en": "The {year} democratic appraisal of members of {org} has begun; please write your self-appraisal."},
        link="/appraisal/mine/",
    ),
    "appraisal.assessment_open": dict(
        title={"zh-hans": "{year}年度民主测评开始：请投票", "en": "Democratic assessment {year}: please vote"},
        body={"zh-hans": "{org}{year}年度民主评议党员进入民主测评（无记名），请登录对参加评议的党员（含本人）逐一测评。", "en": "The {year} appraisal of {org} has reached the democratic assessment (anonymous ballot); please rate every member appraised, yourself included."},
        link="/appraisal/mine/",
    ),
    "appraisal.self_reminder": dict(
        title={"zh-hans": "提醒：请撰写{year}年度自我评议", "en": "Reminder: your self-appraisal {year}"},
        body={"zh-hans": "{org}{year}年度民主评议党员正在进行个人自评，您尚未提交自我评议材料。", "en": "The {year} appraisal of {org} is at the self-appraisal stage; yours is not written yet."},
        link="/appraisal/mine/",
    ),
    "appraisal.vote_reminder": dict(
        title={"zh-hans": "提醒：{year}年度民主测评尚未投票", "en": "Reminder: democratic assessment {year}"},
        body={"zh-hans": "{org}{year}年度民主测评（无记名）正在进行，您尚未投票。", "en": "The {year} democratic assessment (anonymous) of {org} is open and you have not voted yet."},
        link="/appraisal/mine/",
    ),
    "appraisal.correction_due": dict(
        title={"zh-hans": "限期改正即将到期：{member}", "en": "限期改正 ends soon: {member}"},
        body={"zh-hans": "{member}的限期改正将于{date}到期，请支部做好帮教并准备评估改正情况。", "en": "The time limit for {member} to correct (限期改正) ends on {date}: continue the help and prepare the review."},
        link="/appraisal/case/{case_id}/",
    ),
    "appraisal.correction_ended": dict(
        title={"zh-hans": "限期改正已到期：{member}", "en": "限期改正 has ended: {member}"},
        body={"zh-hans": "{member}的限期改正已于{date}到期，请支部评估改正情况并按程序作出处理。", "en": "The time limit for {member} to correct (限期改正) ended on {date}: the branch reviews whether they corrected and decides by procedure."},
        link="/appraisal/case/{case_id}/",
    ),
}
