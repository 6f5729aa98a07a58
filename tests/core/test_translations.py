"""Chinese is the default language: every catalog is complete (no empty, no fuzzy entry)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CATALOGS = sorted(Path(__file__).resolve().parents[2].glob("dangjian/**/locale/zh_Hans/LC_MESSAGES/django.po"))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is installed by scripts/setup.sh")
@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_catalog_is_complete(po):
    out = subprocess.run([shutil.which("msgfmt"), "--check", "--statistics", "-o", "/dev/null", str(po)],  # noqa: S603
                         capture_output=True, text=True, env={"LC_ALL": "C"})
    assert out.returncode == 0, out.stderr
    stats = out.stderr.strip()
    assert "untranslated" not in stats and "fuzzy" not in stats, f"{po}: {stats}"


def test_there_are_catalogs():
    assert len(CATALOGS) >= 2
