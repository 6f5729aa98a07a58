"""The sign-in storm benchmark at CI size: 200 members + 20 % replays against gunicorn +
PostgreSQL (bench/signin_storm.py; the 2,000-member figures are in docs/notes/orglife.md).
Runs in the PostgreSQL test run (DANGJIAN_DB=postgres); it uses its own database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("DANGJIAN_DB") == "postgres"


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG, reason="needs DANGJIAN_DB=postgres (the storm runs against gunicorn + PostgreSQL)")
def test_signin_storm_200_members():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "signin_storm.py"), "--members", "200", "--seconds", "15",  # noqa: S603
                          "--db", "dangjian_storm_ci", "--clients", "16"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    print(out.stdout)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]
    assert "attendance rows: 200 (signed in: 200" in out.stdout
    assert "status counts: {200: 260}" in out.stdout  # 200 sign-ins + 40 replays + 20 baseline, no 5xx
