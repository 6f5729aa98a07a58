"""Issue 10 item 9: the personal-data filter of notices (rule P6) is not passed by writing the number
differently — non-breaking / zero-width / ideographic spaces, dots, hyphens, groups of 4,
full-width digits, mixed — neither in the title and text nor inside attachments (PDF text, xlsx
cells, docx text); and ordinary numbers (dates, money, counts) are not refused."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from dangjian.publicity import pii, services
from dangjian.publicity.models import Notice, NoticeAttachment, NoticeStatus
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

ID = make_id_number(dt.date(1963, 7, 12))
MOBILE = "13812345678"
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def _id_forms(v: str) -> dict[str, str]:
    return {
        "nbsp": f"{v[:6]}\u00a0{v[6:14]}\u00a0{v[14:]}",
        "zwsp": "\u200b".join(v),
        "dots": f"{v[:4]}.{v[4:8]}.{v[8:12]}.{v[12:16]}.{v[16:]}",
        "groups": f"{v[:4]} {v[4:8]} {v[8:12]} {v[12:16]} {v[16:]}",
        "full_width": v.translate(WIDE),
        "hyphens": f"{v[:6]}-{v[6:14]}-{v[14:]}",
        "ideographic": f"{v[:6]}\u3000{v[6:14]}\u3000{v[14:]}",
        "mixed": f"{v[:4]}\u00a0{v[4:8]}.{v[8:12]}\u200b{v[12:16]}－{v[16:]}".translate(WIDE),
    }


MOBILE_FORMS = {
    "nbsp": "138\u00a01234\u00a05678",
    "zwsp": "1\u200b3\u200b8\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7\u200b8",
    "dots": "138.1234.5678",
    "groups": "1381 234 5678",
    "full_width": "１３８１２３４５６７８",
    "hyphens": "138‐1234—5678",
    "mixed": "１３８\u00a01234.５６７８",
}
MASKED_MOBILE = "138****5678"
MASKED_ID = ID[:4] + "*" * 14


def _codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict[field]]


@pytest.mark.parametrize("form", list(_id_forms(ID)))
def test_an_id_number_written_to_evade_is_refused_in_title_and_body(world, form):
    written = _id_forms(ID)[form]
    for title, body, field in ((f"关于{written}的公示", "正文", "title"), ("公示", f"身份证号：{written}。", "body")):
        with pytest.raises(ValidationError) as ei:
            services.create_notice(org=world.b1, board="party", title=title, body=body, actor=world.users["secretary"],
                                   publish=True, public_phones=True)
        assert _codes(ei.value, field) == ["pii_id_number"]
        assert MASKED_ID in " ".join(ei.value.messages)
        assert ID not in str(ei.value)
    assert not Notice.objects.exists()


@pytest.mark.parametrize("form", list(MOBILE_FORMS))
def test_a_mobile_written_to_evade_is_refused_in_title_and_body(world, form):
    written = MOBILE_FORMS[form]
    for title, body, field in ((f"联系{written}", "正文", "title"), ("通知", f"请拨打 {written} 报名", "body")):
        with pytest.raises(ValidationError) as ei:
            services.create_notice(org=world.b1, board="village", title=title, body=body, actor=world.users["secretary"], publish=True)
        assert _codes(ei.value, field) == ["pii_mobile"]
        assert MASKED_MOBILE in " ".join(ei.value.messages) and MOBILE not in str(ei.value)
    assert not Notice.objects.exists()


def test_mask_numbers_masks_the_evasions_on_the_public_pages():
    for written in list(_id_forms(ID).values()):
        out = pii.mask_numbers(f"号码：{written}。")
        assert out == f"号码：{MASKED_ID}。"
    for written in MOBILE_FORMS.values():
        assert pii.mask_numbers(f"电话{written}，") == f"电话{MASKED_MOBILE}，"


ORDINARY = [
    "会议定于2026.11.30上午9:00召开，截止日期2026-12-31，报送至2026/12/15。",
    "2026年10月15日 14:30，第3会议室。",
    "收入合计 36,480.00 元，结余 15,164.50 元，年租金 9,600 元。",
    "应缴 612.00 元，已收 598.50 元，差额 13.50 元。",
    "东村党支部党员28人，已缴27人，免缴1人；共12个党组织：A 5，B 4，C 2，D 1。",
    "合计 1500 2300 600 元",
    "固话 0371-12345678，邮编 450000，文号 中组发〔2008〕3号。",
    "1. 学习党章 2. 交流发言 3. 民主评议",
    "订单号 123456789012345678，银行账号 6222 0212 3456 7890 123",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_numbers_are_not_refused(world, text):
    assert pii.find_id_numbers(text) == [] and pii.find_mobiles(text) == []
    n = services.create_notice(org=world.b1, board="finance", title="公示", body=text, actor=world.users["secretary"], publish=True)
    assert n.status == NoticeStatus.PUBLISHED and n.current.body == text


# -- attachments ------------------------------------------------------------------------------------

def _pdf(text: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf()


def _xlsx(*cells) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "备注"])
    ws.append(list(cells))
    hidden = wb.create_sheet("hidden")
    hidden.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _docx(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                   f'<w:body><w:p><w:r><w:t>联系人 </w:t></w:r><w:r><w:t xml:space="preserve">{text[:5]}</w:t></w:r>'
                   f'<w:r><w:t>{text[5:]}</w:t></w:r></w:p></w:body></w:document>')
    return buf.getvalue()


def _refused_attachment(world, name, data, *, public_phones=False) -> list[str]:
    with pytest.raises(ValidationError) as ei:
        services.create_notice(org=world.b1, board="party", title="公示", body="见附件", actor=world.users["secretary"],
                               publish=True, attachments=[(name, data)], public_phones=public_phones)
    assert ID not in str(ei.value) and MOBILE not in str(ei.value)
    assert not Notice.objects.exists() and not NoticeAttachment.objects.exists()
    return _codes(ei.value, "attachments")


@pytest.mark.parametrize("form", ["groups", "dots", "hyphens", "nbsp"])
def test_an_id_number_in_a_pdf_is_refused(world, form):
    assert _refused_attachment(world, "名单.pdf", _pdf(f"张三 {_id_forms(ID)[form]}"), public_phones=True) == ["pii_id_number_in_file"]


def test_a_mobile_in_a_pdf_is_refused_unless_confirmed(world):
    data = _pdf("联系电话 138.1234.5678")
    assert _refused_attachment(world, "通知.pdf", data) == ["pii_mobile_in_file"]
    n = services.create_notice(org=world.b1, board="party", title="公示", body="见附件", actor=world.users["secretary"],
                               publish=True, attachments=[("通知.pdf", data)], public_phones=True)
    assert n.status == NoticeStatus.PUBLISHED and n.current.attachments.count() == 1


@pytest.mark.parametrize("form", ["zwsp", "full_width", "mixed", "groups"])
def test_an_id_number_in_an_xlsx_cell_is_refused(world, form):
    assert _refused_attachment(world, "名单.xlsx", _xlsx("张三", _id_forms(ID)[form])) == ["pii_id_number_in_file"]


def test_a_mobile_in_an_xlsx_cell_even_as_a_number_is_refused(world):
    assert _refused_attachment(world, "名单.xlsx", _xlsx("张三", int(MOBILE))) == ["pii_mobile_in_file"]
    assert _refused_attachment(world, "名单.xlsx", _xlsx("张三", MOBILE_FORMS["nbsp"])) == ["pii_mobile_in_file"]


def test_the_text_of_a_docx_is_scanned_across_runs():
    # notices take PDF, images and xlsx only (P5); the docx reader is shared for the text check
    text = pii.attachment_text(_docx(_id_forms(ID)["nbsp"]), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert pii.find_id_numbers(text) == [MASKED_ID]
    text = pii.attachment_text(_docx(MOBILE_FORMS["dots"]))
    assert pii.find_mobiles(text) == [MASKED_MOBILE]


def test_attachments_with_ordinary_numbers_pass(world):
    pdf = _pdf("2026.11.30 收入合计 36,480.00 元，党员28人")
    xlsx = _xlsx("2026-11-30", 612.5)
    n = services.create_notice(org=world.b1, board="finance", title="公示", body="见附件", actor=world.users["secretary"],
                               publish=True, attachments=[("收支.pdf", pdf), ("收支.xlsx", xlsx)])
    assert n.status == NoticeStatus.PUBLISHED and n.current.attachments.count() == 2


def test_an_edit_adding_a_bad_attachment_changes_nothing(world):
    n = services.create_notice(org=world.b1, board="party", title="公示", body="正文", actor=world.users["secretary"], publish=True)
    with pytest.raises(ValidationError) as ei:
        services.edit_notice(actor=world.users["secretary"], notice=n, title="公示", body="正文",
                             attachments=[("名单.xlsx", _xlsx("张三", _id_forms(ID)["dots"]))])
    assert _codes(ei.value, "attachments") == ["pii_id_number_in_file"]
    n.refresh_from_db()
    assert n.versions.count() == 1 and not NoticeAttachment.objects.exists()
