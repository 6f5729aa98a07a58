"""Static checks (SECURITY.md family): ruff with the security (``S``) and Django (``DJ``) rules and bandit
over ``dangjian/``: 0 findings, and 0 unexplained exceptions — every ``# nosec`` and every security
``# noqa: S…`` on a line of the application says why beside it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed (requirements-dev.txt)")
    return found


def _sources() -> list[Path]:
    return [p for p in (ROOT / "dangjian").rglob("*.py") if "migrations" not in p.parts]


def test_ruff_selects_the_security_and_django_rules_and_finds_nothing():
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert {"S", "DJ"} <= set(lint["select"])
    assert not {"S", "DJ"} & set(lint.get("ignore", []))  # only single, explained rules are ignored, never the families
    out = subprocess.run([_tool("ruff"), "check", "--output-format", "json", "dangjian"],  # noqa: S603
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    findings = json.loads(out.stdout or "[]")
    assert [f"{f['code']} {Path(f['filename']).relative_to(ROOT)}:{f['location']['row']}" for f in findings] == []
    assert out.returncode == 0, out.stderr


def test_bandit_finds_nothing_in_the_application():
    out = subprocess.run([_tool("bandit"), "-c", "pyproject.toml", "-r", "dangjian", "-f", "json", "-q"],  # noqa: S603
                         cwd=ROOT, capture_output=True, text=True, timeout=180)
    report = json.loads(out.stdout)
    assert report["errors"] == []
    assert [f"{r['test_id']} {r['filename']}:{r['line_number']} {r['issue_text']}" for r in report["results"]] == []
    assert out.returncode == 0
    assert report["metrics"]["_totals"]["loc"] > 10_000  # it really read the application


NOSEC = re.compile(r"#\s*nosec\b([^#\n]*)(#.*)?")
NOQA_S = re.compile(r"#\s*noqa:\s*([A-Z0-9, ]*S\d{3}[A-Z0-9, ]*)(.*)")


def _explained(rest: str) -> bool:
    """A reason follows the codes: ``(why)``, ``- why`` or ``# why`` (at least a word)."""
    return bool(re.match(r"\s*(\(|-|—|#)\s*\S.{2,}", rest or ""))


def test_every_accepted_finding_is_explained_on_its_line():
    bare = []
    for path in _sources():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path.relative_to(ROOT)}:{n}"
            if m := NOSEC.search(line):
                ids = m.group(1).split()
                noqa = NOQA_S.search(line[: m.start()])  # its reason, without the nosec comment after it
                if not ids or not all(re.fullmatch(r"B\d{3},?", i) for i in ids):
                    bare.append(f"{where}: nosec without test ids")
                elif not (_explained(m.group(2) or "") or (noqa and _explained(noqa.group(2)))):
                    bare.append(f"{where}: nosec without a reason")
            elif (noqa := NOQA_S.search(line)) and not _explained(noqa.group(2)):
                bare.append(f"{where}: noqa {noqa.group(1).strip()} without a reason")
    assert bare == []
