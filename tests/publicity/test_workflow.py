"""Workflow rules P1–P3: approval by the branch secretary, versions, withdrawal."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.publicity import services
from dangjian.publicity.models import NoticeStatus, VersionState

pytestmark = pytest.mark.django_db


def draft(world, actor="committee", org=None, **kw):
    return services.create_notice(org=org or world.b1, board=kw.pop("board", "party"), title=kw.pop("title", "十月主题党日安排"),
                                  body=kw.pop("body", "10月15日上午9时在村党群服务中心开展主题党日活动。"), actor=world.users[actor] if actor else None, **kw)


def test_committee_drafts_and_submits_secretary_approves(world):
    n = draft(world)
    n = services.submit_notice(actor=world.users["committee"], notice=n)
    assert n.status == NoticeStatus.PENDING and n.latest.state == VersionState.PENDING
    with pytest.raises(PermissionDenied):
        services.approve_notice(actor=world.users["committee"], notice=n)
    n = services.approve_notice(actor=world.users["secretary"], notice=n)
    assert n.status == NoticeStatus.PUBLISHED and n.current.approved_by == world.users["secretary"]
    assert AuditEvent.objects.filter(action="publicity.publish", object_id=str(n.pk)).exists()


@pytest.mark.parametrize("who,ok", [("secretary", True), ("town_admin", True), ("county_admin", True),
                                     ("committee", False), ("member", False), ("secretary2", False), ("town2_admin", False)])
def test_who_may_approve(world, who, ok):
    n = services.submit_notice(actor=world.users["committee"], notice=draft(world))
    if ok:
        assert services.approve_notice(actor=world.users[who], notice=n).status == NoticeStatus.PUBLISHED
    else:
        with pytest.raises(PermissionDenied):
            services.approve_notice(actor=world.users[who], notice=n)
        n.refresh_from_db()
        assert n.status == NoticeStatus.PENDING


def test_editing_a_published_notice_makes_a_new_version_and_public_keeps_the_old(world, client):
    n = draft(world, actor="secretary", publish=True, title="村集体经济收支公示", body="收入 12,000 元")
    v2 = services.edit_notice(actor=world.users["committee"], notice=n, title="村集体经济收支公示（更正）", body="收入 12,500 元")
    n.refresh_from_db()
    assert v2.number == 2 and n.current.number == 1 and n.status == NoticeStatus.PUBLISHED
    r = client.get(reverse("publicity-public-notice", args=[n.pk]))
    assert "12,000" in r.content.decode() and "12,500" not in r.content.decode()
    services.submit_notice(actor=world.users["committee"], notice=n)
    r = client.get(reverse("publicity-public-notice", args=[n.pk]))
    assert "12,500" not in r.content.decode()
    services.approve_notice(actor=world.users["secretary"], notice=n)
    r = client.get(reverse("publicity-public-notice", args=[n.pk]))
    html = r.content.decode()
    assert "12,500" in html and 'data-testid="pub-revised"' in html and 'data-testid="pub-versions"' in html
    # the older approved version stays readable, marked as replaced
    r1 = client.get(reverse("publicity-public-version", args=[n.pk, 1]))
    assert r1.status_code == 200 and "12,000" in r1.content.decode() and 'data-testid="pub-old-version"' in r1.content.decode()


def test_unapproved_version_number_is_404_publicly(world, client):
    n = draft(world, actor="secretary", publish=True)
    services.edit_notice(actor=world.users["secretary"], notice=n, title="新标题", body="尚未审批的修改")
    assert client.get(reverse("publicity-public-version", args=[n.pk, 2])).status_code == 404


def test_reject_needs_a_reason_and_returns_to_draft(world):
    n = services.submit_notice(actor=world.users["committee"], notice=draft(world))
    with pytest.raises(ValidationError) as ei:
        services.reject_notice(actor=world.users["secretary"], notice=n, reason="  ")
    assert [e.code for e in ei.value.error_dict["reason"]] == ["no_reason"]
    n = services.reject_notice(actor=world.users["secretary"], notice=n, reason="金额需与账目核对")
    assert n.status == NoticeStatus.DRAFT and n.latest.state == VersionState.REJECTED and n.latest.reject_reason


def test_withdraw_needs_reason_and_hides_everything(world, client):
    n = draft(world, actor="secretary", publish=True, title="将被撤回的公告")
    with pytest.raises(ValidationError) as ei:
        services.withdraw_notice(actor=world.users["secretary"], notice=n, reason="")
    assert [e.code for e in ei.value.error_dict["reason"]] == ["no_reason"]
    with pytest.raises(PermissionDenied):
        services.withdraw_notice(actor=world.users["committee"], notice=n, reason="错误")
    services.withdraw_notice(actor=world.users["secretary"], notice=n, reason="内容有误，重新发布")
    n.refresh_from_db()
    assert n.status == NoticeStatus.WITHDRAWN and n.withdraw_reason
    assert client.get(reverse("publicity-public-notice", args=[n.pk])).status_code == 404
    assert "将被撤回的公告" not in client.get(reverse("publicity-public-board", args=[world.b1.pk])).content.decode()
    with pytest.raises(ValidationError) as ei:
        services.edit_notice(actor=world.users["secretary"], notice=n, title="x", body="y")
    assert ei.value.code == "withdrawn"
    with pytest.raises(ValidationError) as ei:
        services.approve_notice(actor=world.users["secretary"], notice=n)
    assert ei.value.code == "withdrawn"


def test_withdrawn_stays_listed_for_staff(world, login):
    n = draft(world, actor="secretary", publish=True, title="撤回后仍列出")
    services.withdraw_notice(actor=world.users["secretary"], notice=n, reason="过期")
    c = login(world.users["secretary"])
    r = c.get(reverse("publicity-org", args=[world.b1.pk]) + "?status=withdrawn")
    assert "撤回后仍列出" in r.content.decode()
    r = c.get(reverse("publicity-notice", args=[n.pk]))
    assert 'data-testid="withdrawn-note"' in r.content.decode() and "过期" in r.content.decode()


# ---- staff pages through the browser client ----------------------------------------------------

def test_secretary_creates_and_publishes_through_the_editor(world, login, client):
    c = login(world.users["secretary"])
    r = c.post(reverse("publicity-create", args=[world.b1.pk]),
               {"board": "finance", "title": "2026年10月村级财务收支明细", "body": "本月收入：土地租金 8,000 元。", "intent": "publish"})
    assert r.status_code == 302
    from dangjian.publicity.models import Notice

    n = Notice.objects.get()
    assert n.status == NoticeStatus.PUBLISHED and n.board == "finance"
    client.logout()
    html = client.get(reverse("publicity-public-board-tab", args=[world.b1.pk, "finance"])).content.decode()
    assert "2026年10月村级财务收支明细" in html


def test_committee_cannot_publish_via_the_editor_only_submit(world, login):
    c = login(world.users["committee"])
    r = c.post(reverse("publicity-create", args=[world.b1.pk]), {"board": "party", "title": "t", "body": "b", "intent": "publish"})
    assert r.status_code == 302
    from dangjian.publicity.models import Notice

    assert Notice.objects.get().status == NoticeStatus.PENDING
    r = c.get(reverse("publicity-create", args=[world.b1.pk]))
    assert 'data-testid="publish-notice"' not in r.content.decode()


def test_empty_title_shows_error_and_writes_nothing(world, login):
    from dangjian.publicity.models import Notice

    c = login(world.users["secretary"])
    r = c.post(reverse("publicity-create", args=[world.b1.pk]), {"board": "party", "title": "", "body": "b"})
    assert r.status_code == 200 and 'data-testid="error-title"' in r.content.decode()
    assert not Notice.objects.exists()


def test_approval_queue_and_post_actions(world, login):
    n = services.submit_notice(actor=world.users["committee"], notice=draft(world, title="待审批的公告"))
    c = login(world.users["secretary"])
    assert "待审批的公告" in c.get(reverse("publicity-home")).content.decode()
    r = c.post(reverse("publicity-approve", args=[n.pk]))
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.status == NoticeStatus.PUBLISHED
    # approving again: a clear message, nothing changes
    r = c.post(reverse("publicity-approve", args=[n.pk]), follow=True)
    assert r.status_code == 200
    r = c.post(reverse("publicity-withdraw", args=[n.pk]), {"reason": "重复发布"})
    assert r.status_code == 302
    n.refresh_from_db()
    assert n.status == NoticeStatus.WITHDRAWN


def test_revise_through_editor_keeps_public_version(world, login, client):
    n = draft(world, actor="secretary", publish=True, title="原标题", body="原文")
    c = login(world.users["committee"])
    r = c.get(reverse("publicity-edit", args=[n.pk]))
    assert 'data-testid="revision-hint"' in r.content.decode()
    c.post(reverse("publicity-edit", args=[n.pk]), {"title": "修订标题", "body": "修订文", "intent": "submit"})
    n.refresh_from_db()
    assert n.latest.number == 2 and n.latest.state == VersionState.PENDING and n.current.title == "原标题"
    client.logout()
    html = client.get(reverse("publicity-public-board", args=[world.b1.pk])).content.decode()
    assert "原标题" in html and "修订标题" not in html


def test_submission_reaches_the_secretary_inbox_and_return_reaches_the_author(world):
    from dangjian.notify.models import InboxMessage as Message

    n = services.submit_notice(actor=world.users["committee"], notice=draft(world, title="请审批的公告"))
    assert Message.objects.filter(user=world.users["secretary"], kind="publicity.submitted").exists()
    services.reject_notice(actor=world.users["secretary"], notice=n, reason="请补充附件")
    assert Message.objects.filter(user=world.users["committee"], kind="publicity.returned").exists()
