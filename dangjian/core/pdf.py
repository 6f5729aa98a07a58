"""Printable documents (meeting records, introduction letters, receipts, bulletins) as PDF.

WeasyPrint renders an HTML template extending ``pdf/base.html`` (A4, Noto CJK from Debian's
fonts-noto-cjk, so Chinese prints without downloading anything). Rendering is CPU work of
~0.1–0.5 s a page: fine in a request for one document, use a job for batches.
"""
from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html).write_pdf()


def pdf_response(data: bytes, filename: str, inline: bool = True) -> HttpResponse:
    resp = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    resp["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    resp["Cache-Control"] = "private, no-store"
    return resp
