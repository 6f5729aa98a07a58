"""DB outage and disk full (SECURITY.md family): friendly error, 0 partial writes, recovery without
restart.

* a write that fails half-way (the member row is in, the next INSERT fails with SQLite's "database
  or disk is full") leaves no row of it behind, and the user gets the 503 page with Retry-After —
  not a 500 or a traceback; the API answers JSON ``db_unavailable``;
* SQLite, real disk full (``PRAGMA max_page_count`` on the live server's database) and a read-only
  database (``PRAGMA query_only``): 503, nothing written, and once space is back the same server
  process saves the next request;
* PostgreSQL, real outage (a TCP proxy between gunicorn and the server, cut and restored): the
  pages answer 503 while the database is gone and 200 once it is back, with the same gunicorn
  process (persistent connections are dropped and reopened, no restart).
"""
from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from dangjian.core.models import AuditEvent
from dangjian.members.models import Member, MemberOrgHistory
from tests.factories import member_data

ROOT = Path(__file__).resolve().parents[2]


def _form(name: str, org) -> dict:
    data = member_data(name=name)
    data["org"] = org.pk
    return {k: ("" if v is None else v) for k, v in data.items()}


def _counts() -> tuple[int, int, int]:
    return Member.objects.count(), MemberOrgHistory.objects.count(), AuditEvent.objects.count()


def _assert_friendly_503(status: int, headers, body: str) -> None:
    assert status == 503
    assert headers.get("Retry-After") == "30"
    assert 'data-error="db_unavailable"' in body  # the 503 page, not the 500 page
    assert "Traceback" not in body and "OperationalError" not in body


class _FailAfterFirstInsert:
    """execute_wrapper: lets the first INSERT through, then fails the next write like a full disk."""

    def __init__(self):
        self.inserts_done = 0
        self.failed = False

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE")):
            if self.inserts_done >= 1 and not self.failed:
                self.failed = True
                raise OperationalError("database or disk is full")
            result = execute(sql, params, many, context)
            self.inserts_done += 1
            return result
        return execute(sql, params, many, context)


def test_a_write_failing_half_way_leaves_nothing_and_answers_a_friendly_503(world):
    c = Client(raise_request_exception=False)
    c.force_login(world.users["secretary"], backend="django.contrib.auth.backends.ModelBackend")
    before = _counts()
    fail = _FailAfterFirstInsert()
    with connection.execute_wrapper(fail):
        r = c.post(reverse("member-add"), _form("断电党员", world.b1), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert fail.failed and fail.inserts_done >= 1  # the member row was written before the failure
    _assert_friendly_503(r.status_code, r.headers, r.content.decode())
    assert [t.name for t in r.templates][:1] == ["503.html"]
    assert "temporarily unavailable" not in r.content.decode()  # the page is in the user's language (zh-hans), not the English source
    assert _counts() == before
    assert not Member.objects.filter(name="断电党员").exists()

    # the next request (database fine again) saves it, same process
    r = c.post(reverse("member-add"), _form("断电党员", world.b1))
    assert r.status_code == 302
    assert Member.objects.filter(name="断电党员").count() == 1


def test_the_api_answers_json_503_while_the_database_refuses(world):
    c = Client(raise_request_exception=False)
    c.force_login(world.users["secretary"], backend="django.contrib.auth.backends.ModelBackend")

    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    with connection.execute_wrapper(refuse):
        r = c.get("/api/v1/members/")
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "30"
    assert r.json()["code"] == "db_unavailable"
    assert c.get("/api/v1/members/").status_code == 200


def test_an_error_that_is_not_the_database_keeps_the_500_page(rf):
    from dangjian.core.db_errors import server_error

    request = rf.get("/members/")
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        r = server_error(request)
    assert r.status_code == 500 and "Retry-After" not in r
    try:
        try:
            raise OperationalError("database is locked")
        except OperationalError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError:
        r = server_error(request)
    assert r.status_code == 503  # a database error wrapped by another exception is still an outage


def _session_interrupted(cause: Exception):
    """The exception chain SessionMiddleware raises when the db session backend's save fails with ``cause``."""
    from django.contrib.sessions.backends.base import UpdateError
    from django.contrib.sessions.exceptions import SessionInterrupted

    try:
        try:
            try:
                raise cause
            except Exception:
                raise UpdateError  # noqa: B904 (implicit context, as in django.contrib.sessions.backends.db)
        except UpdateError:
            raise SessionInterrupted("deleted")  # noqa: B904 (as in SessionMiddleware)
    except SessionInterrupted as exc:
        return exc


def test_a_session_save_refused_by_the_database_is_503_a_deleted_session_stays_400(rf):
    from django.db.utils import DatabaseError

    from dangjian.core.db_errors import bad_request

    request = rf.get("/members/")
    assert bad_request(request, _session_interrupted(OperationalError("attempt to write a readonly database"))).status_code == 503
    assert bad_request(request, _session_interrupted(DatabaseError("Forced update did not affect any rows."))).status_code == 400


# ---- SQLite: a real full disk on a live server ---------------------------------------------------


def _set_max_pages(pages: int | None) -> None:
    with connection.cursor() as cur:
        if pages is None:
            cur.execute("PRAGMA max_page_count = 1073741823")
        else:
            cur.execute("PRAGMA page_count")
            count = cur.fetchone()[0]
            cur.execute(f"PRAGMA max_page_count = {count}")


@pytest.mark.skipif(os.environ.get("DANGJIAN_DB") == "postgres", reason="SQLite disk full; PostgreSQL outage below")
def test_sqlite_disk_full_on_a_live_server_then_recovery_without_restart(live_server, live_world):
    session = _session_cookie(live_world.users["secretary"])
    port = int(live_server.url.rsplit(":", 1)[1])
    status, _h, _b = _http(port, "GET", "/members/", cookies=session)
    assert status == 200
    before = _counts()
    _set_max_pages(0)  # "disk full": the database may not grow by a single page
    try:
        # filling the last pages may let a few writes through: post until the disk is full
        answers = [_post_member(port, session, f"满盘党员{i}", live_world.b1.pk) for i in range(20)]
        full = [a for a in answers if a[0] != 302]
        assert full, "the database never filled up"
        for status, headers, body in full:
            _assert_friendly_503(status, headers, body)
        saved = sum(1 for a in answers if a[0] == 302)
        # each answered 302 saved its member, history row and audit rows; each 503 saved none
        after = _counts()
        assert after[0] == before[0] + saved and after[1] == before[1] + saved
        assert Member.objects.filter(name__startswith="满盘党员").count() == saved
        assert _http(port, "GET", "/members/", cookies=session)[0] == 200  # reading still works
    finally:
        _set_max_pages(None)
    status, _h, _b = _post_member(port, session, "恢复党员", live_world.b1.pk)
    assert status == 302
    assert Member.objects.filter(name="恢复党员").count() == 1


@contextlib.contextmanager
def _read_only_sqlite():
    """Every SQLite connection opened meanwhile (the live server's request threads open their own) and the
    current one refuse writes: "attempt to write a readonly database", as on a read-only mount or file."""

    def on_connect(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("PRAGMA query_only = ON")

    connection_created.connect(on_connect)
    with connection.cursor() as cur:
        cur.execute("PRAGMA query_only = ON")
    try:
        yield
    finally:
        connection_created.disconnect(on_connect)
        with connection.cursor() as cur:
            cur.execute("PRAGMA query_only = OFF")


@pytest.mark.skipif(os.environ.get("DANGJIAN_DB") == "postgres", reason="SQLite read-only file; PostgreSQL outage below")
def test_sqlite_read_only_database_refuses_writes_with_503_then_recovers(live_server, live_world):
    session = _session_cookie(live_world.users["secretary"])
    port = int(live_server.url.rsplit(":", 1)[1])
    before = _counts()
    with _read_only_sqlite():
        status, headers, body = _post_member(port, session, "只读党员", live_world.b1.pk)
        _assert_friendly_503(status, headers, body)
        # a page view writes nothing (the session is saved once its activity is a minute old, not on
        # every request): reads are still served while writes are refused
        status, headers, body = _http(port, "GET", "/members/", cookies=session)
        assert status == 200
    assert _counts() == before
    assert _post_member(port, session, "只读党员", live_world.b1.pk)[0] == 302
    assert Member.objects.filter(name="只读党员").count() == 1


# ---- PostgreSQL: the server goes away behind a live gunicorn -------------------------------------


class _Proxy:
    """A TCP proxy on a fixed port: ``down()`` cuts every connection and refuses new ones, ``up()``
    listens again (what a restarted or failed-over database looks like to the application)."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = _free_port()
        self.lock = threading.Lock()
        self.socks: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.up()

    def up(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(64)
        self.listener = ls
        threading.Thread(target=self._accept, args=(ls,), daemon=True).start()

    def down(self):
        ls, self.listener = self.listener, None
        if ls is not None:
            try:
                ls.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread: a plain close() would leave it listening
            except OSError:
                pass
            ls.close()
        with self.lock:
            for s in self.socks:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.socks.clear()

    def _accept(self, ls):
        while True:
            try:
                client, _addr = ls.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.socks += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.mark.postgres_only
@pytest.mark.skipif(os.environ.get("DANGJIAN_DB") != "postgres", reason="needs PostgreSQL (the SQLite test above covers SQLite)")
def test_postgres_outage_answers_503_and_recovers_without_restarting_gunicorn(live_world, tmp_path):
    settings = connection.settings_dict
    proxy = _Proxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
    session = _session_cookie(live_world.users["secretary"])
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({"DJANGO_SETTINGS_MODULE": "dangjian.settings.test", "DANGJIAN_DB": "postgres", "PGHOST": "127.0.0.1",
                "PGPORT": str(proxy.port), "PGDATABASE": settings["NAME"], "PGUSER": settings["USER"], "PGPASSWORD": settings["PASSWORD"]})
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "dangjian.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}", "--timeout", "30"],  # noqa: S603
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_up(port)
        pid = proc.pid
        assert _http(port, "GET", "/members/", cookies=session)[0] == 200  # the worker holds a persistent connection
        before = _counts()

        proxy.down()
        status, headers, body = _http(port, "GET", "/members/", cookies=session)
        _assert_friendly_503(status, headers, body)
        status, headers, body = _post_member(port, session, "停库党员", live_world.b1.pk)
        _assert_friendly_503(status, headers, body)
        status, headers, body = _http(port, "GET", "/api/v1/members/", cookies=session)
        assert status == 503 and '"db_unavailable"' in body
        assert _counts() == before
        assert not Member.objects.filter(name="停库党员").exists()

        proxy.up()
        assert _http(port, "GET", "/members/", cookies=session)[0] == 200
        assert _post_member(port, session, "复库党员", live_world.b1.pk)[0] == 302
        assert Member.objects.filter(name="复库党员").count() == 1
        assert proc.poll() is None and proc.pid == pid  # the same gunicorn, never restarted
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        proxy.down()


@pytest.mark.postgres_only
@pytest.mark.skipif(os.environ.get("DANGJIAN_DB") != "postgres", reason="needs PostgreSQL")
def test_postgres_connection_killed_in_the_middle_of_a_write_keeps_nothing_of_it(live_world):
    """The server ends the backend after the member row is in (pg_terminate_backend, as a crash or a
    failover does): the open transaction dies with it, the user gets 503, no row of the write stays."""
    import psycopg

    settings = connection.settings_dict
    params = {k.lower(): v for k, v in settings.items() if k in ("HOST", "PORT", "USER", "PASSWORD") and v}
    c = Client(raise_request_exception=False)
    c.force_login(live_world.users["secretary"], backend="django.contrib.auth.backends.ModelBackend")
    before = _counts()
    state = {"inserts": 0, "killed": False}

    def kill_after_first_insert(execute, sql, params_, many, context):
        if state["inserts"] >= 1 and not state["killed"]:
            state["killed"] = True
            pid = connection.connection.info.backend_pid
            with psycopg.connect(dbname=settings["NAME"], autocommit=True, **params) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        result = execute(sql, params_, many, context)
        if sql.lstrip().upper().startswith("INSERT"):
            state["inserts"] += 1
        return result

    with connection.execute_wrapper(kill_after_first_insert):
        r = c.post(reverse("member-add"), _form("断线党员", live_world.b1))
    assert state["killed"] and state["inserts"] >= 1
    _assert_friendly_503(r.status_code, r.headers, r.content.decode())
    connection.close()  # what the end of a real request does with an unusable connection
    assert _counts() == before
    assert not Member.objects.filter(name="断线党员").exists()
    assert c.post(reverse("member-add"), _form("断线党员", live_world.b1)).status_code == 302
    assert Member.objects.filter(name="断线党员").count() == 1


# ---- HTTP helpers ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(port: int) -> None:
    for _ in range(300):
        try:
            _http(port, "GET", "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not start")


def _session_cookie(user) -> dict:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return {"sessionid": c.cookies["sessionid"].value}


def _http(port: int, method: str, path: str, *, cookies: dict | None = None, body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        h = {"Accept-Language": "zh-hans", "Connection": "close", **(headers or {})}
        if cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, {k: v for k, v in r.getheaders()}, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


_CSRF = "a" * 32  # any 32-character secret: the cookie and the header must agree (Django's double submit)


def _post_member(port: int, session: dict, name: str, org_pk: int):
    from urllib.parse import urlencode

    form = {k: ("" if v is None else v) for k, v in member_data(name=name).items()}
    form["org"] = org_pk
    return _http(port, "POST", "/members/add/", cookies={**session, "csrftoken": _CSRF}, body=urlencode(form),
                 headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": _CSRF})
