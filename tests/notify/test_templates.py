"""Templates per message kind: zh-hans / en, fallback, placeholders checked up front."""
from __future__ import annotations

import pytest

from dangjian.core.messages import KINDS, TemplateError, render
from dangjian.notify.api import notify
from dangjian.notify.models import InboxMessage
from dangjian.notify.services import save_preferences

pytestmark = pytest.mark.django_db


def test_renders_in_chinese_by_default_and_english_on_request(reminder, ctx):
    zh = render(reminder, ctx)
    assert zh.language == "zh-hans"
    assert zh.title == "会议提醒：支部党员大会"
    assert zh.body == "李书记同志，请于周五下午3点参加支部党员大会。"
    assert zh.link == f"/orgs/{ctx['org_id']}/"
    en = render(reminder, ctx, "en")
    assert en.title == "Meeting reminder: 支部党员大会" and en.body.startswith("Comrade 李书记")


def test_fallback_zh_then_en(scratch_kinds):
    scratch_kinds.register_kind("test.zh_only", title={"zh-hans": "仅中文{x}"}, body={"zh-hans": "正文{x}"})
    scratch_kinds.register_kind("test.en_only", title={"en": "English {x}"}, body={"en": "Body {x}"})
    assert render("test.zh_only", {"x": 1}, "en").title == "仅中文1"  # no English: the Chinese text
    assert render("test.en_only", {"x": 1}, "zh-hans").title == "English 1"  # no Chinese: English fallback
    assert render("test.en_only", {"x": 1}, "fr").language == "en"


def test_recipient_language_preference(world, outbox, reminder, ctx):
    save_preferences(actor=world.users["member"], language="en")
    notify(recipients=[world.users["member"], world.users["committee"]], kind=reminder, context=ctx)
    assert InboxMessage.objects.get(user=world.users["member"]).title == "Meeting reminder: 支部党员大会"
    assert InboxMessage.objects.get(user=world.users["committee"]).title == "会议提醒：支部党员大会"


def test_missing_placeholder_fails_before_anything_is_written(world, outbox, reminder, ctx):
    before = InboxMessage.objects.count()
    bad = dict(ctx)
    del bad["when"]
    with pytest.raises(TemplateError, match=r"test.reminder.*missing \['when'\]"):
        notify(recipients=[world.users["member"]], kind=reminder, context=bad, channels=("inbox", "sms"))
    assert InboxMessage.objects.count() == before and outbox.rows == []


def test_unknown_kind_is_a_clear_error(world):
    with pytest.raises(TemplateError, match="unknown message kind"):
        notify(recipients=[world.users["member"]], kind="no.such.kind", context={})


@pytest.mark.parametrize("title,body,link,message", [
    ({"zh-hans": "{a}", "en": "{b}"}, {"zh-hans": "", "en": ""}, "", "placeholders"),
    ({"zh-hans": "{user.password}"}, {"zh-hans": ""}, "", "plain name"),
    ({"zh-hans": "{a[0]}"}, {"zh-hans": ""}, "", "plain name"),
    ({"zh-hans": "{a!r}"}, {"zh-hans": ""}, "", "conversion"),
    ({"zh-hans": "{a"}, {"zh-hans": ""}, "", "malformed"),
    ({"zh-hans": "x"}, {"en": "y"}, "", "same languages"),
    ({"fr": "x"}, {"fr": "y"}, "", "needs"),
    ({"zh-hans": "x"}, {"zh-hans": "y"}, "https://evil.example/", "link"),
    ({"zh-hans": "x"}, {"zh-hans": "y"}, "//evil.example/", "link"),
])
def test_bad_declarations_fail_at_registration(scratch_kinds, title, body, link, message):
    with pytest.raises(TemplateError, match=message):
        scratch_kinds.register_kind("test.bad", title=title, body=body, link=link)
    assert "test.bad" not in KINDS


def test_reregistering_differently_is_refused(scratch_kinds, reminder):
    scratch_kinds.register_kind(reminder, **{k: getattr(KINDS[reminder], k) for k in ("title", "body", "link")})  # same: fine
    with pytest.raises(TemplateError, match="already registered"):
        scratch_kinds.register_kind(reminder, title={"zh-hans": "别的{meeting}{name}{when}{org_id}"}, body={"zh-hans": ""})


def test_a_link_value_cannot_turn_into_an_offsite_redirect(scratch_kinds):
    scratch_kinds.register_kind("test.link", title={"zh-hans": "t"}, body={"zh-hans": "b"}, link="/{path}")
    assert render("test.link", {"path": "orgs/1/"}).link == "/orgs/1/"
    assert render("test.link", {"path": "/evil.example/"}).link == ""
    assert render("test.link", {"path": "\\evil.example/"}).link == ""


def test_every_registered_kind_renders_in_every_language():
    for name, k in KINDS.items():
        dummy = {p: "x" for p in k.placeholders}
        for lang in ("zh-hans", "en"):
            r = render(name, dummy, lang)
            assert r.title, name
