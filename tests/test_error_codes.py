"""One error model (issue 9 item 4): every refusal a service (or any domain module) raises
carries a stable code — ``ValidationError(msg, code="...")``, ``refusal("...", msg)`` of
:mod:`dangjian.core.errors`, or a dict/list whose every message is such an error — so forms,
HTMX fragments and the REST API can answer it, and tests can assert it, without reading the
translated text. Views, forms and REST modules are not checked here (a form's own ``clean``
validation is the form's), nor migrations."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "dangjian"


def domain_modules() -> list[Path]:
    out = []
    for p in sorted(ROOT.rglob("*.py")):
        rel = p.relative_to(ROOT)
        if "migrations" in rel.parts or rel.parts[0] == "api" or p.name == "forms.py" or p.name.endswith("views.py"):
            continue
        if rel == Path("core/errors.py"):  # the constructor of coded refusals itself
            continue
        out.append(p)
    return out


def _is_ve(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "ValidationError"


def _coded(node) -> bool:
    if _is_ve(node):
        if any(k.arg == "code" for k in node.keywords):
            return True
        return bool(node.args) and isinstance(node.args[0], (ast.Dict, ast.List, ast.Tuple)) and _coded(node.args[0])
    if isinstance(node, ast.Dict):
        return all(_coded(v) for v in node.values)
    if isinstance(node, (ast.List, ast.Tuple)):
        return bool(node.elts) and all(_coded(v) for v in node.elts)
    return False


def uncoded_lines(source: str) -> list[int]:
    tree = ast.parse(source)
    inner = set()
    for node in ast.walk(tree):  # a coded error nested in a dict/list is checked with its container
        if _is_ve(node) and node.args and isinstance(node.args[0], (ast.Dict, ast.List, ast.Tuple)):
            inner.update(id(n) for n in ast.walk(node.args[0]) if _is_ve(n))
    return sorted(n.lineno for n in ast.walk(tree) if _is_ve(n) and id(n) not in inner and not _coded(n))


@pytest.mark.parametrize("path", [p for p in domain_modules() if "ValidationError(" in p.read_text()],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_refusal_has_a_code(path):
    found = uncoded_lines(path.read_text())
    where = path.relative_to(ROOT.parent)
    assert not found, f"{len(found)} refusals without a code:\n" + "\n".join(f"{where}:{n}" for n in found)


def test_the_check_tells_coded_from_uncoded():
    source = ("raise ValidationError('a', code='a')\n"
              "raise ValidationError({'f': ValidationError('b', code='b')})\n"
              "raise ValidationError({'f': [ValidationError('c', code='c')]})\n"
              "raise ValidationError('d')\n"
              "raise ValidationError({'f': ['e']})\n"
              "raise ValidationError({'f': [ValidationError('g')]})\n")
    assert uncoded_lines(source) == [4, 5, 6]
