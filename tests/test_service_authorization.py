"""The one authorization rule (decisions.md 38), its service half: every public service that
takes an ``actor`` (keyword-only, first) asserts it through :func:`dangjian.core.policy.authorize`
or :func:`~dangjian.core.policy.authorize_self` — directly, or through a helper of its own module
that does — or says by ``@authorized_by("...")`` why another check stands in. The view half (every
view declares its policy and loads through the scope) is the authz matrix's."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "dangjian"
ASSERTS = {"authorize", "authorize_self"}


def service_modules() -> list[Path]:
    out = []
    for p in sorted(ROOT.rglob("*.py")):
        rel = p.relative_to(ROOT)
        if "migrations" in rel.parts:
            continue
        if p.name == "services.py" or (len(rel.parts) > 2 and rel.parts[1] == "services"):
            out.append(p)
    return out


def _called(node) -> set[str]:
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            names.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else "")
    return names


def _marked(fn: ast.FunctionDef) -> bool:
    for d in fn.decorator_list:
        f = d.func if isinstance(d, ast.Call) else d
        if (f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")) == "authorized_by":
            return True
    return False


def unasserted(source: str) -> list[str]:
    tree = ast.parse(source)
    funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    asserting = {name for name, fn in funcs.items() if _called(fn) & ASSERTS}
    changed = True
    while changed:  # a module helper that calls an asserting helper asserts too
        changed = False
        for name, fn in funcs.items():
            if name not in asserting and _called(fn) & asserting:
                asserting.add(name)
                changed = True
    out = []
    for name, fn in funcs.items():
        if name.startswith("_") or [a.arg for a in fn.args.kwonlyargs][:1] != ["actor"]:
            continue
        if name not in asserting and not _marked(fn):
            out.append(f"{name} (line {fn.lineno})")
    return out


@pytest.mark.parametrize("path", service_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_service_asserts_its_actor(path):
    missing = unasserted(path.read_text())
    assert not missing, f"{path.relative_to(ROOT.parent)}: services that do not assert their actor: " + ", ".join(missing)


def test_the_check_can_fail():
    src = ("from dangjian.core.policy import authorize\n"
           "def _may(actor, org):\n    authorize(actor, 'member', 'add', org)\n"
           "def good(*, actor, org):\n    _may(actor, org)\n"
           "def bad(*, actor, org):\n    return org\n"
           "@authorized_by('the host only, checked below')\ndef marked(*, actor, org):\n    return org\n")
    assert unasserted(src) == ["bad (line 6)"]
