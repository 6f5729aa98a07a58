"""Database backup, restore and the restore check (SECURITY.md "backup/restore drill": identical row
counts and checksums; encrypted canary decrypts). Used by ``manage.py backup``, ``restore`` and
``backup_check`` (docs/operations.md §8).

* SQLite: an online copy through SQLite's backup API (consistent while the application writes).
* PostgreSQL: ``pg_dump -Fc`` inside an exported snapshot; the manifest's checksums are computed in
  that same snapshot, so they describe exactly what the dump holds.

Every backup comes with a manifest (``<file>.manifest.json``): per table the row count and a SHA-256
over its rows in primary-key order. ``backup_check`` recomputes both on a restored database,
decrypts every encrypted field (with the data keys, which are never part of a backup) and
verifies the audit chain. Files are written 0600: a dump holds the ciphertext of every ID number
and the audit log.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump/pg_restore with fixed argument lists, no shell
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction

from . import crypto
from .fields import EncryptedTextField

MANIFEST_VERSION = 1


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def _canon(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    return str(value)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _digest_rows(cur, rows_sql: str) -> dict:
    cur.execute(rows_sql)
    digest, rows = hashlib.sha256(), 0
    while chunk := cur.fetchmany(2000):
        for row in chunk:
            digest.update("\x1f".join(_canon(v) for v in row).encode())
            digest.update(b"\x1e")
            rows += 1
    return {"rows": rows, "sha256": digest.hexdigest()}


def table_checksums() -> dict[str, dict]:
    """``{table: {"rows": n, "sha256": hex}}`` for every table of the default database.

    Rows are read in primary-key order (all columns when a table has none) and each value is put in a
    canonical text form, so the same data gives the same digest on a restored copy. SQLite is read
    through a plain sqlite3 connection (Django's converters would change the values' types)."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        raw = sqlite3.connect(name if name.startswith("file:") else f"file:{Path(name).resolve()}?mode=ro", uri=True)
        try:
            return sqlite_checksums(raw)
        finally:
            raw.close()
    result = {}
    with connection.cursor() as cur:
        for table in sorted(connection.introspection.table_names(cur)):
            columns = [c.name for c in connection.introspection.get_table_description(cur, table)]
            order = connection.introspection.get_primary_key_columns(cur, table) or columns
            cols, keys = ", ".join(_quote(c) for c in columns), ", ".join(_quote(c) for c in order)
            result[table] = _digest_rows(cur, f"SELECT {cols} FROM {_quote(table)} ORDER BY {keys}")  # noqa: S608 (names from introspection)  # nosec B608
    return result


def sqlite_checksums(raw: sqlite3.Connection) -> dict[str, dict]:
    """table_checksums() of a SQLite database through a plain sqlite3 connection."""

    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    result = {}
    cur = raw.cursor()
    try:
        tables = [r[0] for r in cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            info = cur.execute(f"PRAGMA table_info({q(table)})").fetchall()  # cid, name, type, notnull, default, pk
            columns = [r[1] for r in info]
            order = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])] or columns
            cols, keys = ", ".join(q(c) for c in columns), ", ".join(q(c) for c in order)
            result[table] = _digest_rows(cur, f"SELECT {cols} FROM {q(table)} ORDER BY {keys}")  # noqa: S608 (names from sqlite_master)  # nosec B608
    finally:
        cur.close()
    return result


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def _manifest(tables: dict) -> dict:
    return {"version": MANIFEST_VERSION, "vendor": connection.vendor, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "tables": tables}


def pg_env(settings_dict: dict, name: str | None = None) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    env["PGDATABASE"] = name or settings_dict["NAME"]
    return env


def backup(target: Path) -> dict:
    """Write a backup of the default database to ``target`` (mode 0600) and its manifest beside it."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        dst = sqlite3.connect(target)
        try:
            connection.connection.backup(dst)
        finally:
            dst.close()
        os.chmod(target, 0o600)
        copy = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            tables = sqlite_checksums(copy)
        finally:
            copy.close()
    elif connection.vendor == "postgresql":
        if connection.in_atomic_block:
            raise RuntimeError("backup needs its own transaction (call it outside atomic blocks)")
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(fd)
            subprocess.run([_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(target)],  # noqa: S603 (fixed tool, no shell)  # nosec B603
                           env=pg_env(connection.settings_dict), check=True, capture_output=True, timeout=3600)
            os.chmod(target, 0o600)
            tables = table_checksums()
    else:
        raise RuntimeError(f"no backup method for {connection.vendor}")
    manifest = _manifest(tables)
    _write_private(manifest_path(target), json.dumps(manifest, indent=1, sort_keys=True))
    return manifest


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise RuntimeError(f"{name} not found (install postgresql-client)")
    return path


def restore(source: Path, *, target: str, replace: bool = False) -> None:
    """Restore ``source`` into ``target``: a file path (SQLite) or a database name (PostgreSQL).

    Never into the database the application is configured for; an existing target is refused unless
    ``replace``."""
    source = Path(source)
    if connection.vendor == "sqlite":
        dest = Path(target).resolve()
        if str(dest) == str(Path(connection.settings_dict["NAME"]).resolve()):
            raise RuntimeError("refusing to restore over the configured database")
        if dest.exists():
            if not replace:
                raise RuntimeError(f"{dest} exists (use --replace)")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{dest}{suffix}").unlink(missing_ok=True)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.close(fd)
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    elif connection.vendor == "postgresql":
        if target == connection.settings_dict["NAME"]:
            raise RuntimeError("refusing to restore over the configured database")
        import psycopg
        from psycopg import sql

        params = {k.lower(): v for k, v in connection.settings_dict.items() if k in ("HOST", "PORT", "USER", "PASSWORD") and v}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target]).fetchone()
            if exists:
                if not replace:
                    raise RuntimeError(f"database {target} exists (use --replace)")
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(target)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
        subprocess.run([_tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", target, str(source)],  # noqa: S603 (fixed tool, no shell)  # nosec B603
                       env=pg_env(connection.settings_dict, target), check=True, capture_output=True, timeout=3600)
    else:
        raise RuntimeError(f"no restore method for {connection.vendor}")


def check_env(target: str) -> dict:
    """Environment for a process whose default database is the restored ``target``."""
    env = dict(os.environ)
    if connection.vendor == "sqlite":
        env.update({"DANGJIAN_DB": "sqlite", "DANGJIAN_SQLITE": str(Path(target).resolve())})
    else:
        env = pg_env(connection.settings_dict, target)
        env["DANGJIAN_DB"] = "postgres"
    from django.conf import settings

    env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
    return env


@dataclass
class CheckResult:
    mismatched: list[str] = field(default_factory=list)  # "table: reason"
    decrypted: int = 0
    decrypt_errors: list[str] = field(default_factory=list)  # "model.field pk=N"
    audit_ok: bool = False
    audit_detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.mismatched and not self.decrypt_errors and self.audit_ok


def check(manifest: dict) -> CheckResult:
    """Compare the default database with a backup's manifest, decrypt every encrypted value and
    verify the audit chain (without sealing: the check writes nothing)."""
    from . import audit

    result = CheckResult()
    now = table_checksums()
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(now)):
        if table not in now:
            result.mismatched.append(f"{table}: missing")
        elif table not in expected:
            result.mismatched.append(f"{table}: not in the backup")
        elif now[table]["rows"] != expected[table]["rows"]:
            result.mismatched.append(f"{table}: {now[table]['rows']} rows, backup has {expected[table]['rows']}")
        elif now[table]["sha256"] != expected[table]["sha256"]:
            result.mismatched.append(f"{table}: checksum differs")
    for model in apps.get_models():
        enc = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not enc:
            continue
        names = [f.attname for f in enc]
        with connection.cursor() as cur:
            cols = ", ".join(_quote(f.column) for f in enc)
            cur.execute(f"SELECT {_quote(model._meta.pk.column)}, {cols} FROM {_quote(model._meta.db_table)}")  # noqa: S608 (names from the model)  # nosec B608
            for pk, *values in cur.fetchall():
                for f, name, raw in zip(enc, names, values, strict=True):
                    if not raw:
                        continue
                    try:
                        crypto.decrypt(raw, f.label)
                        result.decrypted += 1
                    except crypto.DecryptionError:
                        result.decrypt_errors.append(f"{model._meta.label_lower}.{name} pk={pk}")
    verified = audit.verify(seal_first=False)
    result.audit_ok = verified.ok
    result.audit_detail = (f"{verified.checked} rows" if verified.ok else f"BROKEN at seq {verified.bad_seq}: {verified.reason}")
    return result
