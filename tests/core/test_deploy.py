"""The production profile passes Django's deployment checklist, and logs mask personal data.

SECURITY.md: "`manage.py check --deploy --fail-level WARNING` passes with 0 silenced"; "JSON logs
in UTC with ID/phone patterns masked".
"""
from __future__ import annotations

import io
import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from dangjian.core.logging import JsonFormatter, MaskPersonalInfoFilter, mask_text

ROOT = Path(__file__).resolve().parents[2]
ID = "370702198005170013"
ID_X = "37070219800517002X"
PHONE = "13912345678"


def _production_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DANGJIAN_", "PG"))}
    env.update(
        DJANGO_SETTINGS_MODULE="dangjian.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DANGJIAN_HOSTS="dangjian.example.org,www.dangjian.example.org",
        DANGJIAN_VAR_DIR=str(tmp_path),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def _manage(tmp_path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", *args], cwd=ROOT, env=_production_env(tmp_path),
        capture_output=True, text=True, timeout=120, check=False,
    )


def test_check_deploy_passes_with_production_settings(tmp_path):
    proc = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 silenced" in proc.stdout + proc.stderr


PROBE = """
import json
from django.conf import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG, "ALLOWED_HOSTS": s.ALLOWED_HOSTS, "SILENCED": s.SILENCED_SYSTEM_CHECKS,
    "HASHER": s.PASSWORD_HASHERS[0], "SESSION_COOKIE_AGE": s.SESSION_COOKIE_AGE,
    "SAVE_EVERY": s.SESSION_SAVE_EVERY_REQUEST, "SESSION_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_SECURE": s.CSRF_COOKIE_SECURE, "HSTS": s.SECURE_HSTS_SECONDS, "XFO": s.X_FRAME_OPTIONS,
    "CSP_SCRIPT": s.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"], "AXES_LIMIT": s.AXES_FAILURE_LIMIT,
    "SECRET_LEN": len(s.SECRET_KEY),
}))
"""


def test_production_profile_values(tmp_path):
    proc = _manage(tmp_path, "shell", "-c", PROBE)
    assert proc.returncode == 0, proc.stderr
    v = json.loads(proc.stdout.strip().splitlines()[-1])
    assert v["DEBUG"] is False
    assert v["ALLOWED_HOSTS"] == ["dangjian.example.org", "www.dangjian.example.org"]
    assert v["SILENCED"] == []
    assert v["HASHER"].endswith("Argon2PasswordHasher")
    assert v["SESSION_COOKIE_AGE"] == 1800 and v["SAVE_EVERY"] is False  # saved once a minute of activity (middleware)
    assert v["SESSION_SECURE"] is True and v["CSRF_SECURE"] is True
    assert v["HSTS"] >= 31536000
    assert v["XFO"] == "DENY"
    assert "'unsafe-inline'" not in v["CSP_SCRIPT"]
    assert v["AXES_LIMIT"] == 5
    assert v["SECRET_LEN"] >= 50


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    proc = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode != 0
    assert "DJANGO_SECRET_KEY" in proc.stderr


# --- log masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret", "masked"),
    [
        (f"身份证号 {ID} 登记", ID, "3707**************"),
        (f"id={ID_X}", ID_X, "3707**************"),
        (f"id={ID_X.lower()}", ID_X.lower(), "3707**************"),
        (f"手机:{PHONE}。", PHONE, "139****5678"),
        (f"tel={PHONE}&x=1", PHONE, "139****5678"),
    ],
)
def test_mask_text_masks_ids_and_phones(text, secret, masked):
    out = mask_text(text)
    assert secret not in out
    assert masked in out


def test_mask_text_masks_both_in_one_line_and_leaves_other_numbers():
    out = mask_text(f"member {ID} phone {PHONE} order 20261125 amount 1234567")
    assert ID not in out and PHONE not in out
    assert "20261125" in out and "1234567" in out


def test_json_log_lines_are_masked_and_utc():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(MaskPersonalInfoFilter())
    log = logging.getLogger("dangjian.test_deploy")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("lookup of %s by phone %s", ID, PHONE)
        try:
            raise ValueError(f"bad id {ID}")
        except ValueError:
            log.exception("failed for %s", PHONE)
    finally:
        log.removeHandler(handler)
        log.propagate = True
    text = stream.getvalue()
    assert ID not in text and PHONE not in text
    lines = [json.loads(line) for line in text.strip().splitlines()]
    assert lines[0]["msg"] == "lookup of 3707************** by phone 139****5678"
    assert lines[0]["ts"].endswith("+00:00")
    assert "exc" in lines[1] and "3707**************" in lines[1]["exc"]


def test_logging_config_masks_through_the_configured_handler():
    from dangjian.settings import base

    handler = base.LOGGING["handlers"]["console"]
    assert "mask_pi" in handler["filters"] and handler["formatter"] == "json"
