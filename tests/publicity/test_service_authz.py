"""The services assert their actor (decisions.md 38): an actor of a sibling organization (or a role
the row does not name) is refused with ``not_permitted`` and nothing is written; the actor the
POLICY row allows succeeds. The system (``actor=None``) drafts — other apps generate notices — but
never approves, returns, withdraws or selects an honour: a person does (P1, H1)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from dangjian.core import policy
from dangjian.core.errors import codes
from dangjian.core.models import AuditEvent
from dangjian.publicity import services
from dangjian.publicity.models import NoticeStatus
from tests.authz import assert_refused_then_allowed
from tests.factories import make_id_number

pytestmark = pytest.mark.django_db

ID = make_id_number(dt.date(1990, 1, 1))


def _draft(w):
    return services.create_notice(org=w.b1, board="party", title="十月主题党日安排", body="10月15日开展主题党日活动。", actor=None)


def _pending(w):
    return services.submit_notice(actor=None, notice=_draft(w))


def _published(w):
    return services.approve_notice(actor=w.users["secretary"], notice=_pending(w))


def _honour(w):
    return services.select_honour(actor=w.users["town_admin"], year=2025, kind="branch", org=w.b1, citation="组织生活规范。")


# name: (set up -> target, call(actor, w, target), refused actors, allowed actor)
CASES = {
    "create_notice": (lambda w: w.b1, lambda a, w, org: services.create_notice(org=org, board="party", title="通知", body="正文", actor=a),
                      ("secretary2", "town2_admin", "member"), "committee"),
    "edit_notice": (_draft, lambda a, w, n: services.edit_notice(actor=a, notice=n, title="更正", body="新正文"),
                    ("secretary2", "town2_admin", "member"), "committee"),
    "submit_notice": (_draft, lambda a, w, n: services.submit_notice(actor=a, notice=n),
                      ("secretary2", "town2_admin", "member"), "committee"),
    "approve_notice": (_pending, lambda a, w, n: services.approve_notice(actor=a, notice=n),
                       ("secretary2", "town2_admin", "committee"), "town_admin"),
    "reject_notice": (_pending, lambda a, w, n: services.reject_notice(actor=a, notice=n, reason="金额需核对"),
                      ("secretary2", "town2_admin", "committee"), "secretary"),
    "withdraw_notice": (_published, lambda a, w, n: services.withdraw_notice(actor=a, notice=n, reason="内容有误"),
                        ("secretary2", "town2_admin", "committee"), "secretary"),
    "select_honour": (lambda w: w.b1, lambda a, w, org: services.select_honour(actor=a, year=2025, kind="branch", org=org, citation="事迹"),
                      ("town2_admin", "secretary", "secretary2"), "town_admin"),
    "withdraw_honour": (_honour, lambda a, w, e: services.withdraw_honour(actor=a, entry=e, reason="程序有误"),
                        ("town2_admin", "secretary"), "county_admin"),
}


def _written():
    """Every publicity row with all its values, the audit trail's and the inbox's size."""
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in apps.get_app_config("publicity").get_models()}
    return rows, AuditEvent.objects.count(), apps.get_model("notify", "InboxMessage").objects.count()


@pytest.mark.parametrize("name", sorted(CASES))
def test_out_of_scope_actor_is_refused_and_nothing_is_written(world, name):
    setup, call, refused, allowed = CASES[name]
    target = setup(world)
    assert_refused_then_allowed(lambda actor: call(actor, world, target), [world.users[w] for w in refused],
                                world.users[allowed], _written)


@pytest.mark.parametrize("name", ["approve_notice", "reject_notice", "withdraw_notice", "select_honour", "withdraw_honour"])
def test_the_system_does_not_approve_nor_select(world, name):
    setup, call, _refused, _allowed = CASES[name]
    target = setup(world)
    before = _written()
    with pytest.raises(policy.NotPermitted):
        call(None, world, target)
    assert _written() == before


def test_the_system_drafts_and_submits(world):
    n = services.create_notice(org=world.b1, board="party", title="通知", body="正文", actor=None, publish=True)
    assert n.status == NoticeStatus.PENDING  # publish=True by the system: submitted, not published (P1)
    services.edit_notice(actor=None, notice=n, title="通知（更正）", body="正文")
    assert services.submit_notice(actor=None, notice=n).status == NoticeStatus.PENDING


def test_the_refusal_comes_before_the_domain_rule(world):
    """An ID number in the text is refused to everyone (P6, ``pii_id_number``), but a sibling's
    secretary hears first that they may not act here at all."""
    n = _draft(world)
    with pytest.raises(policy.NotPermitted):
        services.edit_notice(actor=world.users["secretary2"], notice=n, title="公示", body=f"身份证 {ID}")
    with pytest.raises(ValidationError) as exc:
        services.edit_notice(actor=world.users["secretary"], notice=n, title="公示", body=f"身份证 {ID}")
    assert "pii_id_number" in codes(exc.value)
    with pytest.raises(policy.NotPermitted):
        services.create_notice(org=world.b1, board="party", title="公示", body=f"身份证 {ID}", actor=world.users["secretary2"])
    with pytest.raises(policy.NotPermitted):  # a member of another town: refused before H2 and P6
        services.select_honour(actor=world.users["town_admin"], year=2025, kind="member", org=world.b1,
                               member=world.m_b3[0], citation=f"身份证 {ID}")
