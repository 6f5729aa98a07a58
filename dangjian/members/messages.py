"""Message kinds of the members app: one table, registered from ``AppConfig.ready`` with
:func:`dangjian.core.messages.register_kinds` (the one way every app declares its messages)."""
from __future__ import annotations

KINDS = {
    # To the organization department above both records (members.services.sensitive.route_duplicate);
    # the user who typed the number is told only that it was passed on.
    "members.duplicate_routed": dict(
        title={"zh-hans": "身份证号重复待处理", "en": "Duplicate ID number to resolve"},
        body={"zh-hans": "{user}在{org}登记党员时填写的身份证号已在{existing_org}的党员信息中登记，请核实处理并告知对方。", "en": "{user} entered, for {org}, an ID number already recorded for a member of {existing_org}; " "please check, resolve it and tell them."},
    ),
    # To the security admins above the user (members.services.sensitive.authorize_exact_search).
    "members.exact_search_burst": dict(
        title={"zh-hans": "按身份证号或手机号查询次数异常", "en": "Burst of searches by ID or phone number"},
        body={"zh-hans": "用户{user}在{minutes}分钟内按完整身份证号或手机号查询了{n}次，详见审计日志。", "en": "User {user} searched {n} times by a full ID or phone number within {minutes} minutes; " "see the audit log."},
    ),
    # A finished roster export (members.roster_xlsx, job kind roster_export): the job page has the download.
    "export_ready": dict(
        title={"zh-hans": "导出完成：{title}", "en": "Export ready: {title}"},
        body={"zh-hans": "{title}（{rows} 行）已生成，请打开任务页面下载。", "en": "{title} ({rows} rows) is ready: open the job page to download it."},
        link="/jobs/{job_id}/",
    ),
}
