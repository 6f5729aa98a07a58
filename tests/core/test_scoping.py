"""Scoping declared once (issue 9 item 2): the path column fills itself on create, the system
check refuses a model that carries an organization without declaring it, and the project's
models all pass it."""
# ruff: noqa: DJ008  (throwaway models of an isolated registry, never shown)
from __future__ import annotations

import datetime as dt

import pytest
from django.core import checks
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from dangjian.core.models import Organization
from dangjian.core.scoping import OrgPathField, ScopedModel, check_scoping, path_columns, scoping_errors
from dangjian.orglife.models import Attendance, Meeting, MeetingType


def _meeting(world, **kw):
    start = timezone.now() + dt.timedelta(days=2)
    return Meeting(org=world.b1, type=MeetingType.objects.get(owner_path="", code="theme_day"), title="主题党日",
                   starts_at=start, ends_at=start + dt.timedelta(hours=2), place="村部", **kw)


def test_the_path_fills_itself_from_its_source_on_save(world):
    m = _meeting(world)
    m.save()
    assert Meeting.objects.get(pk=m.pk).org_path == world.b1.path


def test_a_chained_source_copies_the_scoped_parents_path_in_bulk_create_too(world):
    m = _meeting(world)
    m.save()
    Attendance.objects.bulk_create([Attendance(meeting=m, member=world.m_member)])
    assert Attendance.objects.get(meeting=m).org_path == world.b1.path


def test_a_path_given_explicitly_is_kept(world):
    m = _meeting(world, org_path=world.b1.path)
    m.save()
    assert m.org_path == world.b1.path


def test_the_project_declares_every_scoped_model():
    assert check_scoping() == []
    names = {(m._meta.label, f) for m, f in path_columns()}
    assert {("members.Member", "org_path"), ("orglife.Meeting", "org_path"), ("transfers.Transfer", "from_path")} <= names
    assert not any(label == "core.AuditEvent" for label, _f in names)


@isolate_apps("dangjian.core")
def test_the_check_refuses_what_it_should():
    class Undeclared(models.Model):
        org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "core"

    class ConventionOnly(models.Model):
        org_path = models.CharField(max_length=255)

        class Meta:
            app_label = "core"

    class Unindexed(models.Model):
        org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
        org_path = OrgPathField(source="org", db_index=False)

        class Meta:
            app_label = "core"

    class BadSource(models.Model):
        org_path = OrgPathField(source="nowhere")

        class Meta:
            app_label = "core"

    class Exempt(models.Model):
        scoping_exempt = "read through its parent"
        org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "core"

    class Declared(ScopedModel):
        class Meta:
            app_label = "core"

    class Child(models.Model):
        parent = models.ForeignKey(Declared, on_delete=models.CASCADE)
        org_path = OrgPathField(source="parent")

        class Meta:
            app_label = "core"

    def ids(model):
        return [e.id for e in scoping_errors(model)]

    assert ids(Undeclared) == ["dangjian.E100"]
    assert ids(ConventionOnly) == ["dangjian.E101"]
    assert ids(Unindexed) == ["dangjian.E103"]
    assert ids(BadSource) == ["dangjian.E102"]
    assert ids(Exempt) == ids(Declared) == ids(Child) == []
    assert all(isinstance(e, checks.Error) for e in scoping_errors(Undeclared))


@pytest.mark.parametrize("kwargs, expected", [({}, {"source": "org"}), ({"db_index": False}, {"source": "org", "db_index": False}),
                                              ({"source": "meeting", "blank": True, "default": ""},
                                               {"source": "meeting", "blank": True, "default": ""})])
def test_the_field_deconstructs_to_what_migrations_need(kwargs, expected):
    _name, path, _args, kw = OrgPathField(**kwargs).deconstruct()
    assert path == "dangjian.core.scoping.OrgPathField"
    assert kw == expected
