"""Scoping declared once per model (issue 9 item 2).

A row belongs to an organization when it carries a copy of that organization's path: POLICY
filters by that column (``path__startswith``) and an organization move rewrites it. The column is
declared with :class:`OrgPathField`, naming where the path comes from::

    class Meeting(models.Model):
        org = models.ForeignKey("core.Organization", on_delete=models.PROTECT)
        org_path = OrgPathField(source="org")            # the organization's path

    class Attendance(models.Model):
        meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE)
        org_path = OrgPathField(source="meeting")        # the meeting's own path column

or, for the plain case, by inheriting :class:`ScopedModel` (``org`` + ``org_path``). The field
is indexed, fills itself on create from its source when left empty (``save()`` and
``bulk_create()`` both call ``pre_save``), and is what :func:`path_columns` — and so an
organization move or merge — finds: no naming convention. The system check below
(``dangjian.E100``–``E103``) fails when a model carries an organization (a foreign key to
``core.Organization`` or a ``*path`` column) but declares no scoping and no exemption
(``scoping_exempt = "why"`` on the model class).
"""
from __future__ import annotations

from django.apps import apps
from django.core import checks
from django.db import models

PATH_LENGTH = 255


class OrgPathField(models.CharField):
    """A copy of an organization's path that scopes the row (see the module docstring).

    ``source``: a foreign key name, or a dotted chain of them (``"record.meeting"``), ending at
    ``core.Organization`` (its ``path`` is copied) or at a scoped model (its first
    :class:`OrgPathField` is copied)."""

    description = "Organization path (scope)"

    def __init__(self, *args, source: str = "org", **kwargs):
        kwargs.setdefault("max_length", PATH_LENGTH)
        kwargs.setdefault("db_index", True)
        self.source = source
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == PATH_LENGTH:
            del kwargs["max_length"]
        if self.db_index:
            kwargs.pop("db_index", None)
        else:
            kwargs["db_index"] = False
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def path_from_source(self, instance) -> str:
        obj = instance
        for part in self.source.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                return ""
        return path_of(obj)

    def pre_save(self, instance, add):
        value = getattr(instance, self.attname)
        if not value:
            value = self.path_from_source(instance)
            setattr(instance, self.attname, value)
        return value


def path_of(obj) -> str:
    """The scoping path of an organization (``path``) or of a scoped row (its first path column)."""
    if obj._meta.label == "core.Organization":
        return obj.path
    for f in obj._meta.concrete_fields:
        if isinstance(f, OrgPathField):
            return getattr(obj, f.attname) or ""
    return ""


class ScopedModel(models.Model):
    """A row of one organization: ``org`` and its indexed path copy ``org_path``."""

    org = models.ForeignKey("core.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = OrgPathField(source="org", editable=False)

    class Meta:
        abstract = True


def path_columns() -> list[tuple[type[models.Model], str]]:
    """Every declared path column of the project's models (what an organization move rewrites)."""
    out = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, OrgPathField):
                out.append((model, f.name))
    return out


def declared(model, name: str):
    """A scoping declaration of ``model`` itself (``scope_resource``, ``scope_path``,
    ``scope_self``, ``scope_unlisted``): from the class or an abstract base, never from a concrete
    parent (a proxy declares its own resource)."""
    for klass in model.__mro__:
        if klass is not model and issubclass(klass, models.Model) and klass is not models.Model \
                and not klass._meta.abstract:
            return None  # a concrete parent's declaration is the parent's
        if name in vars(klass):
            return vars(klass)[name]
    return None


def declared_resources() -> list[tuple[type[models.Model], str, str, str | None]]:
    """(model, resource, path column, self field) of every model declaring ``scope_resource``:
    the path column is ``scope_path`` or the model's first :class:`OrgPathField`."""
    out = []
    for model in apps.get_models():
        resource = declared(model, "scope_resource")
        if not resource:
            continue
        path = declared(model, "scope_path") or next(
            (f.name for f in model._meta.concrete_fields if isinstance(f, OrgPathField)), "")
        out.append((model, resource, path, declared(model, "scope_self")))
    return out


def _indexed(model, field) -> bool:
    if field.db_index or field.unique:
        return True
    return any(ix.fields and ix.fields[0].lstrip("-") == field.name for ix in model._meta.indexes)


@checks.register(checks.Tags.models)
def check_scoping(app_configs=None, **kwargs):
    """The project's models declare their scoping (:func:`scoping_errors` for each)."""
    errors = []
    for cfg in app_configs or apps.get_app_configs():
        if cfg.name.startswith("dangjian."):
            for model in cfg.get_models():
                errors += scoping_errors(model)
    return errors


def scoping_errors(model) -> list[checks.Error]:
    """E100: a foreign key to an organization but no path column (and no ``scoping_exempt``);
    E101: a ``*path`` CharField that is not an :class:`OrgPathField`; E102: a path column whose
    ``source`` does not lead to an organization or a scoped model; E103: a path column without
    an index; E104: a path column but neither a POLICY resource (``scope_resource``) nor
    ``scope_unlisted = "why"``; E105: ``scope_path`` naming no path column of the model."""
    label = model._meta.label
    if label == "core.Organization":
        return []
    errors = _resource_errors(model, label)
    if model._meta.proxy:
        return errors
    exempt = getattr(model, "scoping_exempt", "")
    fields = model._meta.concrete_fields
    declared = [f for f in fields if isinstance(f, OrgPathField)]
    org_fks = [f for f in fields if f.is_relation and _label(f.related_model) == "core.Organization"]
    if org_fks and not declared and not exempt:
        errors.append(checks.Error(
            f"{label} has a foreign key to an organization ({', '.join(f.name for f in org_fks)}) but no OrgPathField.",
            hint="Inherit dangjian.core.scoping.ScopedModel, declare OrgPathField(source=...), "
                 "or set scoping_exempt = 'why' on the model.", obj=model, id="dangjian.E100"))
    for f in fields:
        if isinstance(f, models.CharField) and not isinstance(f, OrgPathField) and f.name.endswith("path") and not exempt:
            errors.append(checks.Error(
                f"{label}.{f.name} looks like an organization path but is a plain CharField.",
                hint="Declare it with OrgPathField(source=...) so an organization move rewrites it.",
                obj=model, id="dangjian.E101"))
    for f in declared:
        if not _source_ok(model, f.source):
            errors.append(checks.Error(f"{label}.{f.name}: source {f.source!r} does not lead to an organization "
                                       "or a scoped model.", obj=model, id="dangjian.E102"))
        if not _indexed(model, f):
            errors.append(checks.Error(f"{label}.{f.name} is not indexed.",
                                       hint="Keep db_index=True (the default) or lead a Meta index with it.",
                                       obj=model, id="dangjian.E103"))
    return errors


def _resource_errors(model, label: str) -> list[checks.Error]:
    paths = [f.name for f in model._meta.concrete_fields if isinstance(f, OrgPathField)]
    resource, unlisted = declared(model, "scope_resource"), declared(model, "scope_unlisted")
    if paths and not resource and not unlisted and not model._meta.proxy:
        return [checks.Error(
            f"{label} carries an organization path but declares no POLICY resource.",
            hint="Set scope_resource = '<resource>' on the model (with scope_self / scope_path when needed), "
                 "or scope_unlisted = 'why' when its rows are read only through another scoped row.",
            obj=model, id="dangjian.E104")]
    path = declared(model, "scope_path")
    if resource and path and path not in paths:
        return [checks.Error(f"{label}: scope_path {path!r} is not one of its path columns {paths}.",
                             obj=model, id="dangjian.E105")]
    return []


def _source_ok(model, source: str) -> bool:
    target = model
    for part in source.split("."):
        try:
            rel = target._meta.get_field(part)
        except Exception:  # noqa: BLE001  (any failed lookup is the same finding)
            return False
        if not rel.is_relation or rel.related_model is None:
            return False
        target = rel.related_model
        if _label(target) == "core.Organization":
            return True
        if isinstance(target, str):  # an unresolved lazy reference
            return False
    return any(isinstance(g, OrgPathField) for g in target._meta.concrete_fields)


def _label(model) -> str:
    """A related model's label, also for a lazy reference not resolved in this registry."""
    if model is None:
        return ""
    return model if isinstance(model, str) else model._meta.label
