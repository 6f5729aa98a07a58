"""A bulletin as Excel (openpyxl) and as PDF (dangjian.core.pdf): no personal data is in a bulletin
(organization names and figures only); exports are audited by the views."""
from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from .completion import TZ


def rows_of(b) -> list:
    return list(b.rows.all().order_by("grade", "org_path"))


def _safe(text: str) -> str:
    """No formula injection in exported cells."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def bulletin_xlsx(b) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"{b.period:%Y-%m}"
    ws.append([_("Organization-life bulletin"), _safe(b.org.name), f"{b.period:%Y-%m}", _("Rule version"), b.rule_version])
    ws.append([])
    ws.append([_("Organization"), _("Grade"), _("Required"), _("Held on time"), _("Completion %"),
               _("Average attendance %"), _("Meetings held"), _("Not held"), _("Warned")])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    for r in rows_of(b):
        ws.append([_safe(r.org_name), r.grade, r.required_count, r.done_count, r.completion, r.attendance,
                   r.meetings_held, _safe("、".join(r.overdue)), _("yes") if r.warned else _("no")])
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["H"].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bulletin_pdf(b) -> bytes:
    from dangjian.core.pdf import render_pdf

    return render_pdf("supervision/pdf/bulletin.html", {"b": b, "rows": rows_of(b), "thresholds": b.thresholds,
                                                         "generated": timezone.localtime(b.generated_at, TZ)})
