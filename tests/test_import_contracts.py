"""The walls between apps (issue 9 item 1): the project keeps its import contracts, and the
contract type of our own (``public_api``) refuses what it should on a small package made here."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

from tests.import_contracts import PublicApiContract

ROOT = Path(__file__).resolve().parents[1]


def test_the_project_keeps_every_import_contract():
    out = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache"], cwd=ROOT,  # noqa: S603
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-4000:]
    assert "3 kept, 0 broken" in out.stdout


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """toy/{core,alpha,beta}: core the kernel; alpha and beta apps with models and an api."""
    files = {
        "toy/__init__.py": "",
        "toy/core/__init__.py": "", "toy/core/audit.py": "", "toy/core/views.py": "",
        "toy/alpha/__init__.py": "", "toy/alpha/models.py": "", "toy/alpha/api.py": "from .models import *\n",
        "toy/beta/__init__.py": "", "toy/beta/models.py": "",
        "toy/beta/migrations/__init__.py": "", "toy/beta/migrations/0001.py": "import toy.alpha.models\n",
    }
    for name, text in files.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    monkeypatch.syspath_prepend(str(tmp_path))

    def check(beta_services: str):
        (tmp_path / "toy/beta/services.py").write_text(beta_services)
        graph = grimp.build_graph("toy", cache_dir=None)
        contract = PublicApiContract(name="toy", session_options={},
                                     contract_options={"container": "toy", "kernel": "core", "kernel_public": ["audit"]})
        return contract.check(graph, verbose=False)
    return check


@pytest.mark.parametrize("line, kept", [
    ("from toy.alpha.api import X\n", True),
    ("from toy.alpha import api\n", True),
    ("from toy.core import audit\n", True),
    ("from toy.beta.models import X\n", True),  # its own app
    ("from toy.alpha.models import X\n", False),
    ("from toy.alpha import models\n", False),
    ("def f():\n    from toy.alpha.models import X\n", False),  # a lazy import is an import
    ("from toy.core import views\n", False),  # a kernel module not listed as public
])
def test_public_api_contract(toy, line, kept):
    result = toy(line)
    assert result.kept is kept
    if not kept:
        assert [i[0] for i in result.metadata["illegal"]] == ["toy.beta.services"]  # the migration is not checked
