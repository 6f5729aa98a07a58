"""Backup/restore drill (SECURITY.md family): identical row counts and checksums; the encrypted canary
decrypts; the audit chain verifies on the restored copy.

On SQLite through the sqlite3 backup API, on PostgreSQL through pg_dump (in an exported snapshot) and
pg_restore into a scratch database — whichever the suite runs on (``manage.py backup`` / ``restore`` /
``backup_check``, docs/operations.md §8). The check must also fail: a row edited in the restored copy
is named by table, and the wrong data keys make the canary fail to decrypt.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from dangjian.core import backup, crypto
from dangjian.members import services as member_services
from tests.factories import member_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def drill(live_world, tmp_path):
    """A committed world with an encrypted canary member, backed up by ``manage.py backup``."""
    data = member_data(name="备份金丝雀", birth_date=dt.date(1971, 7, 1))
    canary = member_services.create_member(actor=live_world.users["secretary"], org=live_world.b1, data=data)
    from dangjian.core import audit

    audit.seal()  # the chain of the world is sealed and signed before the backup
    dump = tmp_path / ("db.sqlite3" if connection.vendor == "sqlite" else "db.dump")
    call_command("backup", str(dump))
    target = str(tmp_path / "restored.sqlite3") if connection.vendor == "sqlite" else f"{connection.settings_dict['NAME']}_restore"
    yield {"dump": dump, "manifest": backup.manifest_path(dump), "target": target, "canary": canary, "id_number": data["id_number"],
           "phone": data["phone"]}
    if connection.vendor == "postgresql":
        import psycopg
        from psycopg import sql

        params = {k.lower(): v for k, v in connection.settings_dict.items() if k in ("HOST", "PORT", "USER", "PASSWORD") and v}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))


def _restore(d, *extra, env=None) -> subprocess.CompletedProcess:
    """``manage.py restore`` in its own process, as an operator runs it."""
    env = {**os.environ, **(env or {}), **_db_env()}
    return subprocess.run([sys.executable, "manage.py", "restore", str(d["dump"]), "--target", d["target"], *extra],  # noqa: S603
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def _db_env() -> dict:
    """The current (test) database as the environment of a child process."""
    if connection.vendor == "sqlite":
        return {"DANGJIAN_DB": "sqlite", "DJANGO_SETTINGS_MODULE": "dangjian.settings.test"}
    return {**backup.pg_env(connection.settings_dict), "DANGJIAN_DB": "postgres", "DJANGO_SETTINGS_MODULE": "dangjian.settings.test"}


def _check(d, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "backup_check", str(d["manifest"])],  # noqa: S603
                          cwd=ROOT, env={**os.environ, **_db_env(), **backup.check_env(d["target"]), **(env or {})},
                          capture_output=True, text=True, timeout=120)


def _restored_sql(d, sql: str, params=()):
    """Run SQL on the restored copy directly (not through the application)."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(d["target"]) as raw:
            rows = raw.execute(sql.replace("%s", "?"), params).fetchall()
        return rows
    import psycopg

    params_ = {k.lower(): v for k, v in connection.settings_dict.items() if k in ("HOST", "PORT", "USER", "PASSWORD") and v}
    with psycopg.connect(dbname=d["target"], autocommit=True, **params_) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def test_restore_gives_identical_counts_and_checksums_and_the_canary_decrypts(drill):
    d = drill
    # the backup and its manifest are private to the owner
    assert stat.S_IMODE(d["dump"].stat().st_mode) == 0o600
    assert stat.S_IMODE(d["manifest"].stat().st_mode) == 0o600
    # the backup holds ciphertext only (keys are backed up separately): no plaintext ID number or phone in it
    blob = d["dump"].read_bytes()
    assert d["id_number"].encode() not in blob and d["phone"].encode() not in blob

    manifest = json.loads(d["manifest"].read_text())
    live = backup.table_checksums()
    assert manifest["tables"] == live  # nothing wrote in between: the manifest describes the live database
    assert manifest["tables"]["members_member"]["rows"] >= 15 and manifest["tables"]["core_auditevent"]["rows"] > 0

    out = _restore(d)
    assert out.returncode == 0, out.stdout + out.stderr
    tables = len(manifest["tables"])
    assert f"tables: {tables}/{tables} identical" in out.stdout
    assert "0 failed" in out.stdout and "audit chain: OK" in out.stdout

    # the canary read straight from the restored copy decrypts to the planted ID number
    (cipher,) = _restored_sql(d, "SELECT id_number FROM members_member WHERE id = %s", [d["canary"].pk])[0]
    assert cipher.startswith("v") and d["id_number"] not in cipher
    assert crypto.decrypt(cipher, "members.member.id_number") == d["id_number"]


def test_the_check_names_an_edited_table_and_refuses_the_wrong_keys(drill):
    d = drill
    assert _restore(d).returncode == 0
    _restored_sql(d, "UPDATE members_member SET name = %s WHERE id = %s", ["篡改", d["canary"].pk])
    out = _check(d)
    assert out.returncode == 1
    assert "MISMATCH members_member: checksum differs" in out.stderr
    assert [line for line in out.stderr.splitlines() if line.startswith("MISMATCH")] == ["MISMATCH members_member: checksum differs"]

    assert _restore(d, "--replace").returncode == 0  # a clean copy again: only the keys are wrong now
    other_keys = json.dumps(crypto.new_keyfile_content())
    out = _check(d, env={"DANGJIAN_DATA_KEYS": other_keys})
    assert out.returncode == 1
    assert "DECRYPT FAILED members.member.id_number pk=" in out.stderr
    assert "decrypted: 0 values" in out.stdout  # not one value opens with keys that are not this installation's


def test_restore_refuses_the_configured_database(drill):
    d = dict(drill)
    d["target"] = connection.settings_dict["NAME"] if connection.vendor == "postgresql" else str(drill["dump"])
    if connection.vendor == "sqlite":
        # the configured database of a child process is the file it is told; restoring over it is refused
        out = subprocess.run([sys.executable, "manage.py", "restore", str(d["dump"]), "--target", d["target"]],  # noqa: S603
                             cwd=ROOT, env={**os.environ, **backup.check_env(d["target"])}, capture_output=True, text=True, timeout=60)
    else:
        out = _restore(d, "--replace")
    assert out.returncode == 1
    assert "refusing to restore over the configured database" in out.stderr
