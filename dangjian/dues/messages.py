"""Message kinds of the dues app: one table, registered from ``AppConfig.ready`` with
:func:`dangjian.core.messages.register_kinds` (the one way every app declares its messages)."""
from __future__ import annotations

KINDS = {
    "dues.export_ready": dict(
        title={"zh-hans": "导出完成：{title}", "en": "Export ready: {title}"},
        body={"zh-hans": "{title}（{rows} 行）已生成，请打开任务页面下载。", "en": "{title} ({rows} rows) is ready: open the job page to download it."},
        link="/jobs/{job_id}/",  # a literal path: reversing URLs at start-up would load every URLconf early
    ),
    "dues.arrears_1": dict(
        title={"zh-hans": "党费提醒：{member}有{months}个月未交党费", "en": "Dues reminder: {member} has not paid for {months} month(s)"},
        body={"zh-hans": "{member}自{since}起有{months}个月党费未交，请及时交纳（中组发〔2008〕3号第十二条）。", "en": "{member} has not paid Party dues for {months} month(s) since {since}; please pay soon (art. 12)."},
        link="/dues/mine/",
    ),
    "dues.arrears_3": dict(
        title={"zh-hans": "党费预警：{member}已连续{months}个月未交党费", "en": "Dues warning: {member} has not paid for {months} consecutive months"},
        body={"zh-hans": "{member}自{since}起已连续{months}个月未交党费。连续6个月不交纳党费且无正当理由的，按自行脱党处理（第十三条）：请支部及时谈话提醒。", "en": "{member} has not paid Party dues for {months} consecutive months since {since}. Six consecutive months without good reason are treated as self-lapse (art. 13): the branch should talk with the member."},
        link="/dues/arrears/",
    ),
    "dues.arrears_3_superior": dict(
        title={"zh-hans": "党费预警（上报）：{branch}党员{member}已连续{months}个月未交党费", "en": "Dues warning (escalated): {member} of {branch} has not paid for {months} consecutive months"},
        body={"zh-hans": "{branch}党员{member}自{since}起已连续{months}个月未交党费。连续6个月不交纳党费且无正当理由的，按自行脱党处理（中组发〔2008〕3号第十三条）：请督促支部及时谈话提醒、批评教育。", "en": "{member} of {branch} has not paid Party dues for {months} consecutive months since {since}. Six consecutive months without good reason are treated as self-lapse (art. 13 of 中组发〔2008〕3号): please see that the branch talks with the member."},
        link="/dues/arrears/",
    ),
    "dues.review_case": dict(
        title={"zh-hans": "党费审查事项：{member}连续{months}个月未交党费", "en": "Dues review case: {member}, {months} consecutive unpaid months"},
        body={"zh-hans": "{member}自{since}起连续{months}个月未交党费，已为支部生成审查事项。须经批评教育、限期改正，由支部大会讨论决定；系统不会自动处理任何党员。", "en": "{member} has not paid for {months} consecutive months since {since}. A review case was opened for the branch: criticism, a deadline to correct, then a decision of the branch general meeting. The system removes no one."},
        link="/dues/cases/{case_id}/",
    ),
    "dues.paid_at_inflow": dict(
        title={"zh-hans": "{member}在流入地党组织交纳党费", "en": "{member} paid dues at the inflow organization"},
        body={"zh-hans": "流动党员{member}在{org}交纳党费{total}元（收据{receipt}），相应月份已记为已交。", "en": "The flowing member {member} paid {total} yuan of dues at {org} (receipt {receipt}); those months are marked paid."},
        link="/dues/receipts/{payment_id}/",
    ),
    "dues.remit_centre": dict(
        title={"zh-hans": "自愿多交党费{amount}元须全额上缴中央", "en": "Voluntary dues of {amount} yuan go wholly to the Centre"},
        body={"zh-hans": "{member}一次性自愿多交党费{amount}元（收据{receipt}），按第十一条须全额上缴中央（经省级组织部门）。", "en": "{member} paid {amount} yuan of voluntary dues at once (receipt {receipt}); by art. 11 it is remitted wholly to the Centre via the provincial organization department."},
        link="/dues/receipts/{payment_id}/",
    ),
    "dues.rebase_due": dict(
        title={"zh-hans": "{year}年度党费基数核定", "en": "Dues base re-assessment for {year}"},
        body={"zh-hans": "{org}有{n}名党员的党费交纳基数尚未按{year}年度重新核定（年初核定，年内一般不变动）。", "en": "{org}: the dues base of {n} member(s) has not been re-assessed for {year} (assessed at the start of the year)."},
        link="/dues/",
    ),
}
