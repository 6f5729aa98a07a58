"""Message kinds of the publicity app: one table, registered from ``AppConfig.ready`` with
:func:`dangjian.core.messages.register_kinds` (the one way every app declares its messages)."""
from __future__ import annotations

KINDS = {
    "publicity.submitted": dict(
        title={"zh-hans": "待审批的公开事项：{title}", "en": "Notice to approve: {title}"},
        body={"zh-hans": "{org}的公开事项“{title}”（第{version}版）已提交，请审核后发布。", "en": "The notice \"{title}\" of {org} (version {version}) was submitted; please review and publish it."},
        link="/publicity/notice/{notice_id}/",
    ),
    "publicity.returned": dict(
        title={"zh-hans": "公开事项被退回：{title}", "en": "Notice returned: {title}"},
        body={"zh-hans": "公开事项“{title}”（第{version}版）被退回修改，原因：{reason}", "en": "The notice \"{title}\" (version {version}) was returned for changes: {reason}"},
        link="/publicity/notice/{notice_id}/",
    ),
}
