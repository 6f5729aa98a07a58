"""Excel export of a month's dues (openpyxl): one row per billed member of a subtree.

Direct download up to ``DANGJIAN_DUES_DIRECT_EXPORT_ROWS`` (2,000) rows, a background job above
(dangjian.jobs.api, progress page, inbox message). Every export writes a ``dues.export`` audit row.
No ID numbers or phones are exported.
"""
from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core import audit, config
from dangjian.core.models import Organization
from dangjian.core.policy import Scope

from .models import DuesBill
from .months import label, parse_month

EXPORT_JOB_KIND = "dues.export"
HEADERS = ["序号", "党组织", "姓名", "月份", "应缴金额（元）", "状态", "收据号", "交纳日期", "交纳方式"]
STATUS = {"unpaid": "未交", "paid": "已交", "exempt": "免交", "excused": "未交（理由已认可）"}
METHOD = {"cash": "现金", "transfer": "转账", "online": "线上支付"}


def direct_export_limit() -> int:
    return int(config.value("DUES_DIRECT_EXPORT_ROWS", 2000))


def bills_for(org, month):
    return (DuesBill.objects.filter(org_path__startswith=org.path, month=month)
            .select_related("member__org", "payment").order_by("org_path", "member__name", "member_id"))


def build_workbook(*, actor, org, month, progress=None) -> tuple[str, bytes, int]:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党费")
    title_font = Font(bold=True, size=14)
    from openpyxl.cell import WriteOnlyCell

    t = WriteOnlyCell(ws, value=f"{org.name} {label(month)} 党费收缴明细")
    t.font = title_font
    ws.append([t])
    ws.append(HEADERS)
    qs = bills_for(org, month)
    total = qs.count()
    n = 0
    for n, b in enumerate(qs.iterator(chunk_size=2000), start=1):
        p = b.payment
        ws.append([n, b.member.org.name, b.member.name, label(b.month), b.amount_due,
                   STATUS.get(b.status, b.status), p.receipt_no if p else "", p.paid_on.isoformat() if p else "",
                   METHOD.get(p.method, "") if p else ""])
        if progress and n % 1000 == 0:
            progress(min(98, int(n * 100 / max(total, 1))), f"{n}/{total}")
    buf = io.BytesIO()
    wb.save(buf)
    audit.record(actor=actor, action="dues.export", org_path=org.path, object_type="dues.month", object_id=label(month),
                 data={"org": org.pk, "month": label(month), "rows": n})
    return f"党费_{org.name}_{label(month)}.xlsx", buf.getvalue(), n


def run_export_job(job, progress):
    """Job body: re-check the actor's export reach now, then build the workbook."""
    from dangjian.notify import api as notify_api

    actor = job.actor
    params = job.params or {}
    scope = Scope.for_user(actor)
    org = Organization.objects.filter(scope.q_paths("dues", "export", "path"), pk=params.get("org")).first()
    month = parse_month(params.get("month"))
    if org is None or month is None:
        raise ValidationError(_("You may no longer export this organization's dues."), code="not_permitted")
    filename, data, n = build_workbook(actor=actor, org=org, month=month, progress=progress)
    with transaction.atomic():
        notify_api.notify(recipients=[actor], kind="dues.export_ready", actor=actor, org=org,
                          context={"title": f"{org.name} {label(month)} 党费", "rows": n, "job_id": job.pk})
    return filename, data


def register_export_job() -> None:
    from dangjian.jobs import api as jobs_api

    jobs_api.register_job_kind(EXPORT_JOB_KIND, run_export_job)
