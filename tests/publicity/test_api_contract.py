"""The contract of dangjian.publicity.api.create_notice that other apps code against."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.publicity.api import create_notice
from dangjian.publicity.models import Notice, NoticeStatus, VersionState

pytestmark = pytest.mark.django_db


def test_draft_by_default(world):
    n = create_notice(org=world.b1, board="party", title="党员大会通知", body="本月主题党日……", actor=world.users["committee"])
    assert n.status == NoticeStatus.DRAFT
    assert n.org_path == world.b1.path
    assert n.current is None and n.latest.number == 1 and n.latest.state == VersionState.DRAFT


def test_same_source_updates_the_draft_instead_of_duplicating(world):
    a = create_notice(org=world.b1, board="development", title="发展对象公示", body="v1", actor=None, source="development:12")
    b = create_notice(org=world.b1, board="development", title="发展对象公示（更正）", body="v2", actor=None, source="development:12")
    assert a.pk == b.pk
    assert Notice.objects.filter(source="development:12").count() == 1
    assert b.versions.count() == 1 and b.latest.title == "发展对象公示（更正）" and b.latest.body == "v2"


def test_other_source_or_board_is_another_notice(world):
    a = create_notice(org=world.b1, board="dues", title="党费公示", body="x", actor=None, source="dues:2026-10")
    b = create_notice(org=world.b1, board="dues", title="党费公示", body="x", actor=None, source="dues:2026-11")
    assert a.pk != b.pk


def test_publish_by_secretary_publishes(world):
    n = create_notice(org=world.b1, board="finance", title="10月财务收支", body="收入…支出…", actor=world.users["secretary"], publish=True)
    assert n.status == NoticeStatus.PUBLISHED
    assert n.current == n.latest and n.current.approved_by == world.users["secretary"]
    assert n.published_at is not None


def test_publish_by_town_admin_above_publishes(world):
    n = create_notice(org=world.b1, board="supervision", title="督查通报", body="…", actor=world.users["town_admin"], publish=True)
    assert n.status == NoticeStatus.PUBLISHED


def test_publish_without_approval_right_is_submitted_not_published(world):
    n = create_notice(org=world.b1, board="party", title="t", body="b", actor=world.users["committee"], publish=True)
    assert n.status == NoticeStatus.PENDING and n.current is None
    n2 = create_notice(org=world.b1, board="party", title="t", body="b", actor=None, publish=True, source="sys:1")
    assert n2.status == NoticeStatus.PENDING


def test_same_source_after_publication_adds_a_revision(world):
    sec = world.users["secretary"]
    a = create_notice(org=world.b1, board="dues", title="党费公示", body="v1", actor=sec, source="dues:b1:2026-10", publish=True)
    b = create_notice(org=world.b1, board="dues", title="党费公示", body="v2", actor=None, source="dues:b1:2026-10")
    assert a.pk == b.pk and b.status == NoticeStatus.PUBLISHED
    assert b.current.body == "v1" and b.latest.number == 2 and b.latest.state == VersionState.DRAFT


def test_bad_board_and_empty_text_are_refused(world):
    with pytest.raises(ValidationError) as ei:
        create_notice(org=world.b1, board="gossip", title="t", body="b", actor=None)
    assert [e.code for e in ei.value.error_dict["board"]] == ["unknown_board"]
    with pytest.raises(ValidationError) as ei:
        create_notice(org=world.b1, board="party", title=" ", body="b", actor=None)
    assert [e.code for e in ei.value.error_dict["title"]] == ["no_title"]
    assert not Notice.objects.exists()


def test_actor_outside_the_org_may_not_draft(world):
    with pytest.raises(PermissionDenied):
        create_notice(org=world.b3, board="party", title="t", body="b", actor=world.users["secretary"])
    with pytest.raises(PermissionDenied):
        create_notice(org=world.b1, board="party", title="t", body="b", actor=world.users["member"])
    assert not Notice.objects.exists()


def test_attachments_as_name_bytes_pairs(world):
    n = create_notice(org=world.b1, board="finance", title="t", body="b", actor=None,
                      attachments=[("报表.pdf", b"%PDF-1.4\n%%EOF\n")])
    att = n.latest.attachments.get()
    assert att.name == "报表.pdf" and att.content_type == "application/pdf"


def test_database_refuses_a_second_live_notice_for_one_source(world):
    from django.db import IntegrityError, transaction

    a = create_notice(org=world.b1, board="dues", title="t", body="b", actor=None, source="dues:x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(org=world.b1, org_path=world.b1.path, board="dues", source="dues:x")
    # once withdrawn, the same source makes a new notice
    from dangjian.publicity.services import approve_notice, withdraw_notice

    approve_notice(actor=world.users["secretary"], notice=a)
    withdraw_notice(actor=world.users["secretary"], notice=a, reason="重做")
    b = create_notice(org=world.b1, board="dues", title="t2", body="b2", actor=None, source="dues:x")
    assert b.pk != a.pk and b.status == NoticeStatus.DRAFT
