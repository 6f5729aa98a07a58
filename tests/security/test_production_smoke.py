"""Production smoke (SECURITY.md family): collectstatic + gunicorn with the production settings, log in,
open pages — 200 on every page of the smoke list (issue 10 item 10: collectstatic failed on a vendored
CSS file whose source map setup did not copy, no manifest was written and every page answered 500,
while `check --deploy` passed).

The server runs `dangjian.settings.production` unchanged; only the environment differs (secret key,
host, a temporary var/ and STATIC_ROOT; the database is a fresh PostgreSQL database when the suite runs
on PostgreSQL, else a SQLite file, the embedded database production allows). Requests come as from the TLS-terminating proxy (Host, X-Forwarded-Proto: https), so HSTS,
Secure cookies, the HTTPS CSRF origin check and two-factor sign-in all apply. The user is a branch
secretary with a confirmed authenticator: a role that must pass the second factor in production.
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
HOST = "smoke.example.org"

SETUP = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import build_world
w = build_world()
d = TOTPDevice.objects.create(user=w.users["secretary"], name="authenticator", confirmed=True)
print("IDS", w.m_member.pk, w.b1.pk, d.key)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser behind the HTTPS proxy: cookies (Secure ones too, as over TLS) and CSRF."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Accept-Language": "zh-hans", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.csrf, **form}
            body = urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}",
                            "Referer": f"https://{HOST}{path}"})
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            for value in r.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def get(self, path: str):
        status, headers, body = self.request("GET", path)
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if m:
            self.csrf = m.group(1).decode()
        return status, headers, body

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production_smoke")
    (tmp / "var").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DJANGO_", "DANGJIAN_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "dangjian.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DANGJIAN_HOSTS": HOST,
        "DANGJIAN_VAR_DIR": str(tmp / "var"),
        "DANGJIAN_STATIC_ROOT": str(tmp / "static"),
        "DANGJIAN_DB": "sqlite",
        "DANGJIAN_SQLITE": str(tmp / "var" / "db.sqlite3"),
        "PYTHONPATH": str(ROOT),
    })
    pg_db = None
    if os.environ.get("DANGJIAN_DB") == "postgres":  # the suite's PostgreSQL step: a database of our own on that server
        import psycopg

        pg = {k: v for k, v in os.environ.items() if k in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD")}
        pg_db = f"smoke_{secrets.token_hex(6)}"
        with psycopg.connect(dbname="postgres", autocommit=True, **{k[2:].lower(): v for k, v in pg.items()}) as conn:
            conn.execute(f'CREATE DATABASE "{pg_db}"')
        env.update({**pg, "DANGJIAN_DB": "postgres", "PGDATABASE": pg_db})

    def manage(*args):
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=150)  # noqa: S603
        assert out.returncode == 0, (args, out.stderr[-3000:])
        return out.stdout

    manage("collectstatic", "--noinput", "-v", "0")
    manage("migrate", "--noinput", "-v", "0")
    member_pk, branch_pk, key = next(line for line in manage("shell", "-c", SETUP).splitlines() if line.startswith("IDS")).split()[1:]
    port = _free_port()
    log = (tmp / "gunicorn.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "dangjian.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],  # noqa: S603
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                Browser(port).get("/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield {"port": port, "member": int(member_pk), "branch": int(branch_pk), "key": key, "static": tmp / "static", "log": tmp / "gunicorn.log"}
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
        if pg_db:
            with psycopg.connect(dbname="postgres", autocommit=True, **{k[2:].lower(): v for k, v in pg.items()}) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')


def _totp(hex_key: str) -> str:
    from django_otp.oath import totp

    return f"{totp(bytes.fromhex(hex_key), 30, 0, 6, 0):06d}"


def test_collectstatic_writes_a_manifest_naming_every_static_file(server):
    import json

    manifest = json.loads((server["static"] / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/tabler.min.css", "vendor/tabler.min.js", "vendor/htmx.min.js", "vendor/alpine.min.js", "css/app.css"):
        assert re.fullmatch(re.escape(name.rsplit(".", 1)[0]) + r"\.[0-9a-f]{12}\." + name.rsplit(".", 1)[1], manifest[name]), name


def test_signed_in_secretary_gets_200_on_every_page_of_the_smoke_list(server):
    b = Browser(server["port"])
    status, headers, _ = b.get("/")  # plain HTTP from the proxy's view: redirected to the login page
    assert status == 302 and urlsplit(headers["location"]).path == "/accounts/login/"
    status, headers, _ = b.get("/accounts/login/")
    assert status == 200
    assert "max-age=31536000" in headers["strict-transport-security"]

    status, headers, _ = b.post("/accounts/login/", {"username": "secretary", "password": PASSWORD})
    assert status == 302, status
    status, headers, _ = b.get("/")
    assert status == 302 and urlsplit(headers["location"]).path == "/accounts/2fa/verify/"  # production asks for the second factor
    status, _, _ = b.get(headers["location"])
    assert status == 200
    status, headers, _ = b.post("/accounts/2fa/verify/", {"code": _totp(server["key"]), "next": "/"})
    assert status == 302, status

    pages = ["/", f"/members/{server['member']}/", "/members/", f"/orgs/{server['branch']}/", "/minutes/", "/publicity/", "/inbox/"]
    answers = {}
    for path in pages:
        answers[path], _, body = b.get(path)
    assert answers == dict.fromkeys(pages, 200), server["log"].read_text()[-3000:]

    # the page links the hashed stylesheet, and WhiteNoise serves it from STATIC_ROOT with a long cache
    _, _, home = b.get("/")
    css = re.findall(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', home)
    assert css, "no hashed stylesheet linked from the home page"
    for url in css:
        status, headers, body = b.get(url.decode())
        assert status == 200 and body, url
        assert "immutable" in headers.get("cache-control", ""), url
