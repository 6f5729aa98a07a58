"""P6: no personal data on a public board — ID numbers always refused, mobile numbers unless the
author confirms they are public contact numbers; checked on save, submit and approve, for the
forms and for the notices other apps generate through ``publicity.api.create_notice``."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from dangjian.core.models import AuditEvent
from dangjian.publicity import pii, services
from dangjian.publicity.api import create_notice
from dangjian.publicity.models import Notice, NoticeStatus, NoticeVersion, VersionState
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

ID = make_id_number(dt.date(1990, 1, 1))
MASKED_ID = ID[:4] + "*" * 14  # the first four only (docs/decisions.md, masked ID numbers)


def _bad_check_digit(v: str) -> str:
    return v[:17] + ("0" if v[17] != "0" else "1")


# -- the scanner (pure) ---------------------------------------------------------------------------

def test_scanner_finds_valid_id_numbers_masked_in_every_written_form():
    assert pii.find_id_numbers(f"身份证号{ID}。") == [MASKED_ID]
    grouped = f"{ID[:6]} {ID[6:14]} {ID[14:]}"
    assert pii.find_id_numbers(f"号码：{grouped}") == [MASKED_ID]
    full_width = ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert pii.find_id_numbers(full_width) == [MASKED_ID]
    x_id = next(make_id_number(dt.date(1985, 6, d)) for d in range(1, 29) for _ in range(30)
                if make_id_number(dt.date(1985, 6, d)).endswith("X"))
    assert pii.find_id_numbers(f"id {x_id.lower()} end") == [x_id[:4] + "*" * 14]


def test_scanner_leaves_long_numbers_that_are_not_id_numbers():
    # 18 digits with a wrong check digit, an impossible date, or inside a longer run: not an ID number
    assert pii.find_id_numbers(f"订单号 {_bad_check_digit(ID)}") == []
    assert pii.find_id_numbers("流水号 123456789012345678") == []
    assert pii.find_id_numbers(f"银行账号 6{ID}5") == []
    assert pii.find_id_numbers("收入合计 36,480.00 元，结余 15,164.50 元") == []
    # 15-digit old numbers are not detected (no check character: see pii's docstring)
    assert pii.find_id_numbers("370702900101123") == []


def test_scanner_finds_mobiles_but_not_longer_runs():
    text = "联系人电话13812345678；热线 139-1234-5678；+86 150 1234 5678；１３７１２３４５６７８"
    assert pii.find_mobiles(text) == ["138****5678", "139****5678", "150****5678", "137****5678"]
    assert pii.find_mobiles("编号 213812345678，单号 1381234567890，固话 0371-12345678") == []
    assert pii.find_mobiles("年租金 9,600 元，2026年10月15日") == []
    assert pii.find_mobiles(f"身份证{ID}") == []  # the digits of an ID number are not read as a phone


# -- service layer: save ----------------------------------------------------------------------------

def test_id_number_in_the_body_is_refused_with_where_and_the_masked_number(world):
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.create_notice(org=world.b1, board="party", title="通知", body=f"张三 身份证号 {ID}",
                               actor=world.users["committee"])
    msgs = ei.value.message_dict
    assert list(msgs) == ["body"] and [e.code for e in ei.value.error_dict["body"]] == ["pii_id_number"]
    assert MASKED_ID in msgs["body"][0]
    assert ID not in str(ei.value)
    assert not Notice.objects.exists() and not NoticeVersion.objects.exists()


def test_id_number_in_the_title_is_refused_even_with_the_phone_box_ticked(world):
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.create_notice(org=world.b1, board="party", title=f"关于{ID}的公示", body="正文",
                               actor=world.users["secretary"], publish=True, public_phones=True)
    assert list(ei.value.message_dict) == ["title"] and [e.code for e in ei.value.error_dict["title"]] == ["pii_id_number"]
    assert not Notice.objects.exists()


def test_a_long_number_that_is_not_an_id_number_passes(world):
    n = services.create_notice(org=world.b1, board="finance", title="转账凭证", body=f"凭证号 {_bad_check_digit(ID)}",
                               actor=world.users["secretary"], publish=True)
    assert n.status == NoticeStatus.PUBLISHED


def test_mobile_refused_without_the_confirmation_and_accepted_with_it(world):
    body = "如有意见，请拨打服务热线 13912345678 反映。"
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.create_notice(org=world.b1, board="village", title="意见征集", body=body, actor=world.users["committee"])
    assert [e.code for e in ei.value.error_dict["body"]] == ["pii_mobile"]
    msg = ei.value.message_dict["body"][0]
    assert "139****5678" in msg and "13912345678" not in msg
    assert not Notice.objects.exists()
    n = services.create_notice(org=world.b1, board="village", title="意见征集", body=body, actor=world.users["committee"],
                               public_phones=True)
    assert n.latest.public_phones is True
    ev = AuditEvent.objects.filter(action="publicity.create", object_id=str(n.pk)).get()
    assert ev.data["public_phones"] is True and "13912345678" not in str(ev.data)
    services.submit_notice(actor=world.users["committee"], notice=n)
    n = services.approve_notice(actor=world.users["secretary"], notice=Notice.objects.get(pk=n.pk))
    assert n.status == NoticeStatus.PUBLISHED
    assert AuditEvent.objects.filter(action="publicity.publish", object_id=str(n.pk)).get().data["public_phones"] is True


def test_mobile_in_the_title_says_title(world):
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.create_notice(org=world.b1, board="party", title="联系电话 15012345678", body="正文", actor=None)
    assert [e.code for e in ei.value.error_dict["title"]] == ["pii_mobile"] and "150****5678" in ei.value.message_dict["title"][0]


def test_the_confirmation_belongs_to_the_version_a_revision_needs_it_again(world):
    n = services.create_notice(org=world.b1, board="village", title="热线", body="热线 13912345678", actor=world.users["secretary"],
                               publish=True, public_phones=True)
    with pytest.raises(ValidationError):
        services.edit_notice(actor=world.users["committee"], notice=n, title="热线", body="新热线 13712345678")
    n.refresh_from_db()
    assert n.versions.count() == 1 and n.current.body == "热线 13912345678"
    v2 = services.edit_notice(actor=world.users["committee"], notice=n, title="热线", body="新热线 13712345678", public_phones=True)
    assert v2.number == 2 and v2.public_phones
    # a revision without any phone needs no confirmation
    v2b = services.edit_notice(actor=world.users["committee"], notice=n, title="热线", body="热线已停用")
    assert v2b.pk == v2.pk and v2b.public_phones is False


def test_an_edit_that_adds_an_id_number_to_a_draft_changes_nothing(world):
    n = services.create_notice(org=world.b1, board="party", title="通知", body="原文", actor=world.users["committee"])
    with pytest.raises(ValidationError):
        services.edit_notice(actor=world.users["committee"], notice=n, title="通知", body=f"原文 {ID}")
    n.latest.refresh_from_db()
    assert n.latest.body == "原文"


# -- submit and approve check the stored version again ----------------------------------------------

def _smuggle(notice, body, public_phones=False):
    """A version written before the rule existed (or outside the service)."""
    NoticeVersion.objects.filter(pk=notice.latest_id).update(body=body, public_phones=public_phones)


def test_submit_and_approve_refuse_a_stored_version_with_personal_data(world):
    n = services.create_notice(org=world.b1, board="party", title="通知", body="原文", actor=world.users["committee"])
    _smuggle(n, f"联系 13812345678 身份证 {ID}")
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.submit_notice(actor=world.users["committee"], notice=n)
    assert ei.value.code == "pii_stored_version"
    msg = " ".join(ei.value.messages)
    assert MASKED_ID in msg and "138****5678" in msg and ID not in msg
    with pytest.raises(ValidationError) as ei:
        services.approve_notice(actor=world.users["secretary"], notice=n)
    assert ei.value.code == "pii_stored_version"
    n.refresh_from_db()
    assert n.status == NoticeStatus.DRAFT and n.latest.state == VersionState.DRAFT and n.current is None
    assert not AuditEvent.objects.filter(action__in=["publicity.submit", "publicity.publish"], object_id=str(n.pk)).exists()
    # a stored confirmation covers the phone but never the ID number
    _smuggle(n, "热线 13812345678", public_phones=True)
    assert services.approve_notice(actor=world.users["secretary"], notice=n).status == NoticeStatus.PUBLISHED


# -- other apps' generated notices go through the same check ----------------------------------------

def test_generated_notices_are_checked_too(world):
    with pytest.raises(ValidationError):
        create_notice(org=world.b1, board="development", title="发展对象公示", body=f"张某某，身份证号{ID}", actor=None,
                      source="development:1:object")
    assert not Notice.objects.exists()
    n = create_notice(org=world.b1, board="development", title="发展对象公示", body="张某某，男，1996年生，大专学历。",
                      actor=None, source="development:1:object")
    assert n.status == NoticeStatus.DRAFT


def test_dues_totals_and_supervision_bulletin_texts_pass(world):
    from dangjian.dues.services import publish_totals  # noqa: F401 - the generator exists
    body = ("2026年10月，东村党支部应缴党费党员28人，已缴27人，免缴1人；应缴党费合计612.00元，已收598.50元。\n"
            "依据《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）。")
    assert create_notice(org=world.b1, board="dues", title="东村党支部2026年10月党费收缴情况公示", body=body, actor=None,
                         source="dues:x:2026-10").pk
    body = "12 Party organizations graded: A 5, B 4, C 2, D 1."
    assert create_notice(org=world.b1, board="supervision", title="Organizational-life bulletin 2026-10", body=body,
                         actor=None, source="supervision:bulletin:1").pk


# -- the editor form --------------------------------------------------------------------------------

def test_editor_shows_the_refusal_under_the_field_and_writes_nothing(world, login):
    c = login(world.users["secretary"])
    url = reverse("publicity-create", args=[world.b1.pk])
    r = c.post(url, {"board": "village", "title": "意见征集", "body": "请拨打 13912345678 反映", "intent": "publish"},
               HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="error-body"' in html and "139****5678" in html
    assert "These phone numbers are public contact numbers" in html
    assert not Notice.objects.exists()
    r = c.post(url, {"board": "village", "title": "意见征集", "body": "请拨打 13912345678 反映", "intent": "publish",
                     "public_phones": "on"})
    assert r.status_code == 302
    n = Notice.objects.get()
    assert n.status == NoticeStatus.PUBLISHED and n.current.public_phones
    page = c.get(reverse("publicity-notice", args=[n.pk])).content.decode()
    assert 'data-testid="public-phones-1"' in page
    # the edit form starts with the version's confirmation
    assert 'name="public_phones" ' in c.get(reverse("publicity-edit", args=[n.pk])).content.decode()


def test_editor_refuses_an_id_number_in_the_title(world, login):
    c = login(world.users["committee"])
    r = c.post(reverse("publicity-create", args=[world.b1.pk]),
               {"board": "party", "title": f"关于{ID}", "body": "正文", "intent": "save", "public_phones": "on"},
               HTTP_ACCEPT_LANGUAGE="en")
    html = r.content.decode()
    assert r.status_code == 200 and 'data-testid="error-title"' in html
    error = html.split('data-testid="error-title">', 1)[1].split("</div>", 1)[0]
    assert "The title contains an ID number" in error and MASKED_ID in error and ID not in error
    assert not Notice.objects.exists()


def test_approve_button_on_a_bad_stored_version_shows_the_message(world, login):
    n = services.create_notice(org=world.b1, board="party", title="通知", body="原文", actor=world.users["committee"])
    _smuggle(n, f"身份证 {ID}")
    c = login(world.users["secretary"])
    r = c.post(reverse("publicity-approve", args=[n.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    html = r.content.decode()
    assert "cannot go to the public board" in html and MASKED_ID in html
    n.refresh_from_db()
    assert n.status == NoticeStatus.DRAFT


# -- attachment file names are listed publicly too ------------------------------------------------

def test_file_names_with_personal_numbers_are_refused(world):
    pdf = b"%PDF-1.4\n%%EOF\n"
    with translation.override("en"), pytest.raises(ValidationError) as ei:
        services.create_notice(org=world.b1, board="party", title="通知", body="见附件", actor=world.users["secretary"],
                               attachments=[(f"张三{ID}.pdf", pdf)])
    assert [e.code for e in ei.value.error_dict["attachments"]] == ["pii_file_name"]
    msg = ei.value.message_dict["attachments"][0]
    assert MASKED_ID in msg and ID not in msg
    with pytest.raises(ValidationError) as ei:
        services.create_notice(org=world.b1, board="party", title="通知", body="见附件", actor=world.users["secretary"],
                               attachments=[("联系人13812345678.pdf", pdf)])
    assert [e.code for e in ei.value.error_dict["attachments"]] == ["pii_file_name"]
    assert "13812345678" not in str(ei.value) and "138****5678" in str(ei.value)
    assert not Notice.objects.exists()
    # a hotline in a file name passes with the confirmation; an ordinary name passes anyway
    n = services.create_notice(org=world.b1, board="party", title="通知", body="见附件", actor=world.users["secretary"],
                               attachments=[("服务热线13812345678.pdf", pdf)], public_phones=True)
    assert n.latest.attachments.count() == 1
    n = services.create_notice(org=world.b1, board="party", title="通知2", body="见附件", actor=world.users["secretary"],
                               attachments=[("2026年10月报表.pdf", pdf)])
    assert n.latest.attachments.count() == 1


def test_mask_numbers_masks_everything_it_finds():
    assert pii.mask_numbers(f"张三{ID}_13812345678.pdf") == f"张三{MASKED_ID}_138****5678.pdf"


# -- public pages: second line of defence for versions approved before the rule -----------------------

def test_public_pages_mask_numbers_of_an_older_approved_version(world, client):
    n = services.create_notice(org=world.b1, board="village", title="公告", body="原文", actor=world.users["secretary"], publish=True)
    NoticeVersion.objects.filter(pk=n.current_id).update(title="公告 13812345678", body=f"身份证 {ID}，电话 13912345678。")
    from django.core.cache import cache

    cache.clear()
    html = client.get(reverse("publicity-public-notice", args=[n.pk])).content.decode()
    assert ID not in html and MASKED_ID in html
    assert "13912345678" not in html and "139****5678" in html and "13812345678" not in html
    board = client.get(reverse("publicity-public-board-tab", args=[world.b1.pk, "village"])).content.decode()
    assert "13812345678" not in board and "138****5678" in board
    # a version whose phones were confirmed as public contact numbers shows them; never the ID number
    NoticeVersion.objects.filter(pk=n.current_id).update(public_phones=True)
    cache.clear()
    html = client.get(reverse("publicity-public-notice", args=[n.pk])).content.decode()
    assert "13912345678" in html and ID not in html


def test_public_honour_roll_masks_an_older_citation(world, client):
    from dangjian.publicity.models import HonourEntry

    e = services.select_honour(actor=world.users["town_admin"], year=2025, kind="branch", org=world.b1, citation="事迹")
    HonourEntry.objects.filter(pk=e.pk).update(citation="书记电话 13812345678")
    html = client.get(reverse("publicity-public-honours"), {"year": 2025}).content.decode()
    assert "13812345678" not in html and "138****5678" in html


def test_mask_numbers_keeps_the_rest_of_the_text():
    text = f"（一）电话：１３８１２３４５６７８，身份证 {ID}。"
    assert pii.mask_numbers(text) == f"（一）电话：138****5678，身份证 {MASKED_ID}。"
    assert pii.mask_numbers(text, phones=False) == f"（一）电话：１３８１２３４５６７８，身份证 {MASKED_ID}。"
