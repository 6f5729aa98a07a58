"""One error model (issue 9 item 4): a refusal's code reaches the form, the page's response
header and the REST body; it never has to be read back from the translated message."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.core.errors import REFUSAL_HEADER, codes, describe, first_code, refusal
from dangjian.core.forms import apply_service_errors
from dangjian.core.models import Organization


def test_refusal_carries_code_message_and_field():
    plain = refusal("not_open", "Sign-in is not open.")
    assert codes(plain) == ["not_open"] and plain.messages == ["Sign-in is not open."]
    on_field = refusal("too_early", "Too early: %(d)s.", field="decided_on", params={"d": "2026-12-01"})
    assert describe(on_field) == [{"field": "decided_on", "code": "too_early", "message": "Too early: 2026-12-01."}]
    assert first_code(ValidationError("no code")) == "invalid"


class _Form(forms.Form):
    reason = forms.CharField()


def test_the_form_keeps_the_services_codes_on_its_fields_and_on_the_form():
    form = _Form({"reason": "x"})
    assert form.is_valid()
    apply_service_errors(form, ValidationError({"reason": [ValidationError("Say why.", code="no_reason")],
                                                "elsewhere": [ValidationError("Not here.", code="other")]}))
    data = form.errors.as_data()
    assert [e.code for e in data["reason"]] == ["no_reason"]
    assert [e.code for e in data["__all__"]] == ["other"]  # a field the form does not have goes on the form


def test_a_refused_form_page_answers_the_code_in_its_header(world, login):
    c = login(world.users["town_admin"])
    r = c.post(reverse("org-dissolve", args=[world.b2.pk]), {"reason": "村庄撤并"})
    assert r.status_code == 200 and r[REFUSAL_HEADER] == "has_members"
    assert [e.code for e in r.context["form"].errors.as_data()["__all__"]] == ["has_members"]
    assert Organization.objects.get(pk=world.b2.pk).status == "active"  # nothing written


def test_a_page_that_succeeds_has_no_refusal_header(world, login):
    c = login(world.users["town_admin"])
    r = c.get(reverse("org-dissolve", args=[world.b2.pk]))
    assert r.status_code == 200 and REFUSAL_HEADER not in r


def test_collected_refusals_keep_every_code_and_refuse_an_uncoded_one():
    from dangjian.core.errors import collected

    exc = collected({"name": [ValidationError("Say the name.", code="required")],
                     "birth": [ValidationError("Does not match.", code="birth_date_mismatch")]})
    assert codes(exc) == ["required", "birth_date_mismatch"]
    assert codes(collected([ValidationError("a", code="x"), ValidationError("b", code="y")])) == ["x", "y"]
    import pytest

    with pytest.raises(TypeError):
        collected({"name": [ValidationError("no code")]})


def test_collected_merges_field_refusals_by_field_in_order():
    from dangjian.core.errors import collected

    exc = collected([refusal("no_member", "Choose a member.", field="member"),
                     refusal("bad_date", "Enter the day.", field="held_on"),
                     refusal("same_member", "Two different members.", field="member")])
    assert [(d["field"], d["code"]) for d in describe(exc)] == [("member", "no_member"), ("member", "same_member"),
                                                                 ("held_on", "bad_date")]
