"""Message kinds of the notify app: one table, registered from ``AppConfig.ready`` with
:func:`dangjian.core.messages.register_kinds` (the one way every app declares its messages)."""
from __future__ import annotations

KINDS = {
    "job.failed": dict(
        title={"zh-hans": "任务失败：{title}", "en": "Job failed: {title}"},
        body={"zh-hans": "{title}未能完成。请打开任务页面查看原因并重新开始。", "en": "{title} did not finish. Open the job page to see why and start it again."},
        link="/jobs/{job_id}/",
    ),
    # A plain notice (administrators' announcements, tests, the demo).
    "notice": dict(
        title={"zh-hans": "{title}", "en": "{title}"},
        body={"zh-hans": "{text}", "en": "{text}"},
    ),
}
