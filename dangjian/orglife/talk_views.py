"""Pages of heart-to-heart talks (谈心谈话): an organization's yearly coverage and talk log, and
recording a talk. Rules in ``talks.py``."""
from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.forms import DateInput, StyledForm
from dangjian.core.models import Organization
from dangjian.core.web import form_view, scoped

from . import selectors, talks


class TalkForm(StyledForm):
    held_on = forms.DateField(label=gettext_lazy("Held on"), widget=DateInput)
    first = forms.ModelChoiceField(label=gettext_lazy("Member"), queryset=None)
    second = forms.ModelChoiceField(label=gettext_lazy("Talked with"), queryset=None)
    subject = forms.CharField(label=gettext_lazy("Subject (a few words, not what was said)"), max_length=200)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        for f in ("first", "second"):
            self.fields[f].queryset = selectors.own_members_of(org)


def _year(request) -> int:
    value = request.GET.get("year", "")
    today = timezone.localdate()
    return int(value) if value.isdigit() and 2000 <= int(value) <= today.year + 1 else today.year


@scoped("heart_talk", "view", model=Organization)
def talk_page(request, org, scope):
    year = _year(request)
    page = Paginator(talks.talk_log(org, year), 50).get_page(request.GET.get("page"))
    return render(request, "orglife/talks.html", {
        "org": org, "year": year, "cov": talks.coverage(org, year), "page": page,
        "can_manage": scope.path_allows("heart_talk", "manage", org.path),
    })


@scoped("heart_talk", "manage", model=Organization)
def talk_add(request, org, scope):
    back = reverse("orglife-talks", args=[org.pk])
    form = TalkForm(request.POST or None, org=org, initial={"held_on": timezone.localdate(), "first": request.GET.get("first")})
    return form_view(
        request, form,
        perform=lambda cd: talks.record_talk(actor=request.user, org=org, held_on=cd["held_on"], first=cd["first"],
                                             second=cd["second"], subject=cd["subject"]),
        done=lambda t: (_("Talk recorded: %(a)s and %(b)s.") % {"a": t.first.name, "b": t.second.name}, back),
        template="form_page.html",
        context={"title": _("Record a heart-to-heart talk in %(o)s") % {"o": org.name}, "back": back,
                 "intro": _("支部工作条例 art. 19: talks between committee members, between committee members and "
                            "members, and among members, each pair at least once a year. Only who, when and the "
                            "subject are kept.")})
