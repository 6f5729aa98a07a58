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
from dangjian.core.scoping import OrgPathField, ScopedModel, check_scoping, declared, path_columns, scoping_errors
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
        scope_resource = "member"
        org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
        org_path = OrgPathField(source="org", db_index=False)

        class Meta:
            app_label = "core"

    class BadSource(models.Model):
        scope_unlisted = "a test"
        org_path = OrgPathField(source="nowhere")

        class Meta:
            app_label = "core"

    class Exempt(models.Model):
        scoping_exempt = "read through its parent"
        org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "core"

    class Declared(ScopedModel):
        scope_resource = "member"
        scope_self = "org__pk"

        class Meta:
            app_label = "core"

    class NoResource(ScopedModel):
        class Meta:
            app_label = "core"

    class WrongScopePath(ScopedModel):
        scope_resource = "member"
        scope_path = "elsewhere_path"

        class Meta:
            app_label = "core"

    class ItsOwnResource(Declared):
        scope_resource = "organization"

        class Meta:
            app_label = "core"
            proxy = True

    class Child(models.Model):
        scope_unlisted = "read only through its parent"
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
    assert ids(NoResource) == ["dangjian.E104"]
    assert ids(WrongScopePath) == ["dangjian.E105"]
    assert ids(Exempt) == ids(Declared) == ids(Child) == ids(ItsOwnResource) == []
    # a proxy declares its own resource and does not inherit its concrete parent's SELF field
    assert (declared(ItsOwnResource, "scope_resource"), declared(ItsOwnResource, "scope_self")) == ("organization", None)
    assert (declared(Declared, "scope_resource"), declared(Declared, "scope_self")) == ("member", "org__pk")
    assert all(isinstance(e, checks.Error) for e in scoping_errors(Undeclared))


@pytest.mark.parametrize("kwargs, expected", [({}, {"source": "org"}), ({"db_index": False}, {"source": "org", "db_index": False}),
                                              ({"source": "meeting", "blank": True, "default": ""},
                                               {"source": "meeting", "blank": True, "default": ""})])
def test_the_field_deconstructs_to_what_migrations_need(kwargs, expected):
    _name, path, _args, kw = OrgPathField(**kwargs).deconstruct()
    assert path == "dangjian.core.scoping.OrgPathField"
    assert kw == expected


def test_every_scoped_model_is_registered_from_its_own_declaration():
    """No app registers a model by hand: POLICY's resources are exactly the declared ones (plus the
    kernel's organization and audit log), and a model with a path column is declared or unlisted."""
    from dangjian.core.policy import RESOURCES
    from dangjian.core.scoping import declared_resources

    by_decl = {m: (r, p, s) for m, r, p, s in declared_resources()}
    assert {m._meta.label for m in RESOURCES} - {m._meta.label for m in by_decl} == {"core.Organization", "core.AuditEvent"}
    for model, (resource, path, self_field) in by_decl.items():
        got = RESOURCES[model]
        assert (got.name, got.path_field, got.self_field) == (resource, path, self_field), model
    assert (RESOURCES[by_label("transfers.IncomingTransfer")].path_field, RESOURCES[by_label("transfers.IncomingTransfer")].self_field) == ("to_path", None)
    for model, _f in path_columns():
        assert declared(model, "scope_resource") or declared(model, "scope_unlisted"), model


def by_label(label):
    from django.apps import apps

    return apps.get_model(label)
