"""Thin views (issue 9 item 5): views, forms and REST modules query nothing and write nothing
themselves — the reads are selectors, the writes services (DEVELOPERS.md "Walls between apps").

An AST check over ``dangjian/<app>/views.py``, ``*_views.py``, ``forms.py`` and the REST layer
``dangjian/api/*.py``: no manager access (``X.objects``), no query-building call (``filter``,
``exclude``, ``order_by``, ``select_related``, ``annotate``... and ``get``/``update`` with keyword
arguments only, ``first``/``last``/``exists``/``count`` with none, ``values`` with arguments),
no instance write (``save``, ``delete``, ``refresh_from_db``) and no import from
``django.db.models``. Model classes may still be named (``@scoped(model=...)``, ``Meta.model``)
and a queryset a selector returned may be passed on (``ModelChoiceField(queryset=...)``)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "dangjian"
QUERY_METHODS = {"filter", "exclude", "annotate", "aggregate", "select_related", "prefetch_related", "values_list",
                 "order_by", "only", "defer", "get_or_create", "update_or_create", "bulk_create", "bulk_update",
                 "select_for_update", "in_bulk", "distinct", "alias", "union", "none"}
NO_ARG_METHODS = {"first", "last", "exists", "count", "delete", "refresh_from_db", "save"}
ALWAYS = {"save", "delete", "refresh_from_db"}


def thin_modules() -> list[Path]:
    mods = [*ROOT.glob("*/views.py"), *ROOT.glob("*/*_views.py"), *ROOT.glob("*/forms.py"), *ROOT.glob("api/*.py")]
    return sorted(p for p in mods if p.name != "__init__.py")


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(ROOT.parent)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            out.append(f"{where} manager access .objects")
        elif isinstance(node, ast.ImportFrom) and node.module in ("django.db.models", "django.db.models.functions"):
            out.append(f"{where} import from {node.module}")
        elif isinstance(node, ast.ImportFrom) and node.module == "django.db" and any(a.name == "models" for a in node.names):
            out.append(f"{where} import django.db.models")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, args, kws = node.func.attr, node.args, node.keywords
            if name in QUERY_METHODS:
                out.append(f"{where} .{name}()")
            elif name in ALWAYS or (name in NO_ARG_METHODS and not args and not kws):
                out.append(f"{where} .{name}()")
            elif name in ("get", "update") and kws and not args:
                out.append(f"{where} .{name}(**kwargs)")
            elif name == "values" and (args or kws):
                out.append(f"{where} .values(...)")
    return out


@pytest.mark.parametrize("path", thin_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_queries_and_writes_nothing(path):
    found = offences(path)
    assert not found, f"{len(found)} ORM uses (move them into selectors / services):\n" + "\n".join(found)
