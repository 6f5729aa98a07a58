"""Public pages (no login): the villages' three-affairs boards and the honour roll.

They show only published notices (their approved versions) — never drafts, pending or
withdrawn content, whatever id is guessed (404 alike). Rate-limited per IP (web.public_page)
and cached by organization + board + page + language + generation (cache.py; a publish or a
withdrawal bumps the generation, so changes show at once).
"""
from __future__ import annotations

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from dangjian.core import uploads

from . import cache as pcache
from . import selectors
from .models import Board, NoticeAttachment
from .web import public_page

PAGE_SIZE = 10


def _cached(key: str, build) -> str:
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, pcache.TIMEOUT)
    return mark_safe(html)  # noqa: S308 (our own rendered, auto-escaped template output)  # nosec B308, B703


@public_page
def public_index(request):
    q = (request.GET.get("q") or "").strip()[:50]
    page_no = request.GET.get("page") or "1"

    def build():
        page = Paginator(selectors.public_places(q), 40).get_page(page_no)
        return render_to_string("publicity/public/_index_list.html", {"page": page, "q": q}, request=request)

    key = pcache.page_key("index", get_language(), pcache.generation(), q, page_no)
    html = _cached(key, build) if len(q) <= 20 else mark_safe(build())  # noqa: S308  # nosec B308, B703 # our own auto-escaped template output
    return render(request, "publicity/public/index.html", {"q": q, "listing": html})


@public_page
def public_board(request, pk, board="party"):
    org = selectors.public_org(pk)
    if board not in Board.values:
        raise Http404
    page_no = request.GET.get("page") or "1"
    if not page_no.isdigit():
        page_no = "1"

    def build():
        page = Paginator(selectors.board_notices(org, board), PAGE_SIZE).get_page(page_no)
        return render_to_string("publicity/public/_board_list.html", {"page": page, "org": org, "board": board}, request=request)

    key = pcache.page_key("board", org.pk, board, page_no, get_language(), pcache.generation(org.pk))
    html = _cached(key, build)
    counts = selectors.board_counts(org)
    tabs = [(value, label, counts[value]) for value, label in Board.choices]
    return render(request, "publicity/public/board.html", {
        "org": org, "board": board, "board_label": Board(board).label, "tabs": tabs, "listing": html,
        "crumbs": [o for o in org.ancestors() if o.kind != "city" and o.kind != "province"],
    })


@public_page
def public_notice(request, pk, number=None):
    notice = selectors.public_notice(pk)
    version = notice.current if number is None else selectors.public_version(notice, number)
    versions = list(selectors.public_versions(notice))
    return render(request, "publicity/public/notice.html", {
        "notice": notice, "version": version, "versions": versions, "is_current": version.pk == notice.current_id,
        "attachments": list(version.attachments.all()),
    })


@public_page
def public_attachment(request, pk):
    att = selectors.attachment(pk)
    if att is None or not att.version.is_public:
        raise Http404
    return _file_response(att)


def _file_response(att: NoticeAttachment):
    try:
        fh = att.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # Only re-encoded images inline; PDFs and workbooks are downloads with a server-made name
    # (notice, attachment, validated extension), under a sandboxing CSP (issue 10 item 11).
    ext = att.name.rsplit(".", 1)[-1].lower() if "." in att.name else "bin"
    resp = FileResponse(fh, content_type=att.content_type)
    return uploads.download_headers(resp, filename=f"notice-{att.version.notice_id}-{att.pk}.{ext}",
                                    inline=att.content_type.startswith("image/"))


@public_page
def public_honours(request):
    years = selectors.honour_years()
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year - 1))
    except ValueError:
        year = years[0] if years else timezone.localdate().year - 1

    def build():
        entries = list(selectors.honour_roll(year))
        return render_to_string("publicity/public/_honour_list.html", {
            "year": year,
            "branches": [e for e in entries if e.kind == "branch"],
            "members": [e for e in entries if e.kind == "member"],
        }, request=request)

    key = pcache.page_key("honours", year, get_language(), pcache.generation())
    return render(request, "publicity/public/honours.html", {"years": years, "year": year, "listing": _cached(key, build)})
