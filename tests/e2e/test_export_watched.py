"""The export works while watched (issue 9 item 8), on SQLite and PostgreSQL.

What the demo runs, as real processes: gunicorn (2 workers × 4 threads) and the background worker
(``manage.py run_worker``, 2 threads, SqliteHuey) on one database — a SQLite file in WAL mode, or
PostgreSQL's test database when ``DANGJIAN_DB=postgres``. The browser keeps the job page open
(it polls every second, and a second tab polls too) while a 20,000-row roster export runs and
must see the download link; before the fix the job failed at 5 % with "database is locked".
A failing job shows a translated message with a retry button, and its owner's inbox has it.
"""
from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("DANGJIAN_DB") == "postgres"
ROWS = 20_000

SETTINGS = """
from dangjian.settings.test import *  # noqa
from dangjian.settings import base as _base
HUEY = {**_base.HUEY, "name": "%(name)s", "immediate": False, "consumer": {"workers": 2, "worker_type": "thread"}}
WHITENOISE_USE_FINDERS = True  # static files (htmx polls the job page) straight from the app folders, as the demo does
"""

SEED = """
import datetime as dt
from django.contrib.auth import get_user_model
from django.test import Client
from dangjian.core.models import Organization
from dangjian.members.models import Member
from tests.conftest import build_world
User = get_user_model()
if not User.objects.filter(username="town_admin").exists():
    build_world()
t1 = Organization.objects.get(name="东镇党委")
b1 = Organization.objects.get(name="东村党支部")
rows = %(rows)d
Member.objects.bulk_create([
    Member(org=b1, org_path=b1.path, name=f"批量党员{i}", gender="M", birth_date=dt.date(1980, 1, 1), id_number="", phone="",
           address="", education="senior", joined_on=dt.date(2005, 1, 1), full_member_on=dt.date(2006, 1, 1), status="full",
           category="farmer")
    for i in range(rows)], batch_size=2000)
c = Client()
c.force_login(User.objects.get(username="town_admin"), backend="django.contrib.auth.backends.ModelBackend")
print("SEED", t1.pk, c.cookies["sessionid"].value, Member.objects.filter(org_path__startswith=t1.path, state="active").count())
"""

FAILING_JOB = """
from django.contrib.auth import get_user_model
from django.db import transaction
from dangjian.jobs.api import start_job
from dangjian.members.roster_xlsx import EXPORT_JOB_KIND, register_export_job
register_export_job()
with transaction.atomic():  # an organization the admin may not export: the job body refuses it
    job = start_job(actor=get_user_model().objects.get(username="town_admin"), kind=EXPORT_JOB_KIND,
                    params={"org": 0, "clear": False}, org_path="", title="花名册导出（失败）")
print("JOB", job.pk)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """gunicorn + run_worker on one database, started from a fresh settings module."""

    def __init__(self, tmp: Path):
        self.tmp, self.procs = tmp, []
        (tmp / "watched_settings.py").write_text(SETTINGS % {"name": f"export-watched-{uuid.uuid4().hex[:8]}"})
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
        env.update(DJANGO_SETTINGS_MODULE="watched_settings", DANGJIAN_VAR_DIR=str(tmp), PYTHONDONTWRITEBYTECODE="1",
                   PYTHONPATH=os.pathsep.join([str(tmp), str(ROOT)]))
        env.pop("DANGJIAN_REDIS_URL", None)
        if PG:
            from django.db import connection

            env["PGDATABASE"] = connection.settings_dict["NAME"]  # the test database (flushed after the test)
        else:
            env.update(DANGJIAN_DB="sqlite", DANGJIAN_SQLITE=str(tmp / "db.sqlite3"))
        self.env = env
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def manage(self, *args, timeout=180) -> str:
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,  # noqa: S603
                             timeout=timeout)
        assert out.returncode == 0, f"{args[:2]}: {out.stdout[-2000:]}\n{out.stderr[-4000:]}"
        return out.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def start(self, name: str, *args):
        log = open(self.tmp / f"{name}.log", "w")  # closed in stop()
        p = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        self.procs.append((name, p, log))
        return p

    def up(self):
        if not PG:
            self.manage("migrate", "--noinput", "-v", "0")
        self.start("gunicorn", "-m", "gunicorn", "dangjian.wsgi", "-w", "2", "-k", "gthread", "--threads", "4",
                   "-b", f"127.0.0.1:{self.port}", "--timeout", "120", "--no-control-socket")  # several test stacks may run at once
        self.start("worker", "manage.py", "run_worker", "--workers", "2", "--delay", "0.1", "--max-delay", "0.5")
        import http.client

        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{(self.tmp / f'{n}.log').read_text()[-4000:]}" for n, _p, _l in self.procs)

    def stop(self):
        for _n, p, _log in self.procs:
            if p.poll() is None:
                p.terminate()
        for _n, p, log in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()


@pytest.fixture
def stack(tmp_path, transactional_db):
    s = Stack(tmp_path)
    try:
        yield s
    finally:
        s.stop()


def _page(browser, stack, session: str):
    ctx = browser.new_context(base_url=stack.url, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True,
                              viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(15_000)
    ctx.add_cookies([{"name": "sessionid", "value": session, "url": stack.url}])
    return ctx, _tracked(ctx.new_page())


def _tracked(page):
    page.errors = []
    page.on("response", lambda r: r.status >= 400 and page.errors.append(f"http {r.status}: {r.url}"))
    page.on("pageerror", lambda exc: page.errors.append(f"pageerror: {exc}"))
    return page


def test_a_20000_row_export_finishes_while_its_page_is_watched(browser, stack):
    import openpyxl

    started = time.time()
    stack.up()
    seed = next(line for line in stack.shell(SEED % {"rows": ROWS}).splitlines() if line.startswith("SEED")).split()
    t1, session, total = int(seed[1]), seed[2], int(seed[3])
    assert total >= ROWS
    ctx, page = _page(browser, stack, session)
    try:
        page.goto(f"/members/roster/export/?org={t1}")
        page.select_option("#id_org", str(t1))
        page.check("#id_clear")
        page.click("[data-testid=roster-export-submit]")
        page.wait_for_url(re.compile(r"/jobs/\d+/$"))
        job_url = page.url
        watcher = _tracked(ctx.new_page())  # a second tab polls the same job
        watcher.goto(job_url)
        seen = set()
        deadline = time.time() + 90
        while time.time() < deadline:
            status = page.get_attribute("[data-testid=job-status]", "data-status")
            progress = page.inner_text("[data-testid=job-progress]")
            seen.add((status, progress))
            if status in ("done", "failed"):
                break
            page.wait_for_timeout(250)
        assert status == "done", f"job {status}: {page.inner_text('[data-testid=job-status]')}\n{stack.logs()}"
        running = sorted({int(p.rstrip('%')) for s, p in seen if s == "running"})
        assert running and running[0] < 100, f"the page never showed the job running: {sorted(seen)}"
        with page.expect_download() as dl:
            page.click("[data-testid=job-download]")
        ws = openpyxl.load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()), read_only=True).worksheets[0]
        rows = sum(1 for r in ws.iter_rows(min_row=3, values_only=True) if r and r[0] is not None)
        assert rows == total
        watcher.wait_for_selector("[data-testid=job-download]")  # the other tab got there too
        assert page.errors == [] and watcher.errors == []
    finally:
        ctx.close()
    print(f"\n[export watched, {'PostgreSQL' if PG else 'SQLite'}] {total} rows, progress seen {running}, {time.time() - started:.1f}s in all")


def test_a_failed_job_says_why_offers_a_retry_and_reaches_the_inbox(browser, stack):
    from django.utils import translation

    from dangjian.jobs.api import failure_message

    stack.up()
    seed = next(line for line in stack.shell(SEED % {"rows": 0}).splitlines() if line.startswith("SEED")).split()
    session = seed[2]
    job_id = int(next(line for line in stack.shell(FAILING_JOB).splitlines() if line.startswith("JOB")).split()[1])
    ctx, page = _page(browser, stack, session)
    try:
        page.goto(f"/jobs/{job_id}/")
        page.wait_for_selector("[data-testid=job-failure]", timeout=30_000)
        failure = page.locator("[data-testid=job-failure]")
        assert failure.get_attribute("data-code") == "not_allowed"
        with translation.override("zh-hans"):
            expected = str(failure_message("not_allowed"))
        with translation.override("en"):
            assert expected != str(failure_message("not_allowed")), "the message has a Chinese translation"
        assert expected in failure.inner_text()
        assert "ValidationError" not in page.content()  # no raw exception text
        page.goto("/inbox/")
        message = page.locator("[data-testid=inbox-message]").filter(has_text="花名册导出（失败）")  # the job's title
        assert message.count() == 1, page.inner_text("body")[:2000]
        message.locator("[data-testid=open-message]").click()
        page.wait_for_url(f"**/jobs/{job_id}/")
        with page.expect_navigation():
            page.click("[data-testid=job-retry]")
        assert int(re.search(r"/jobs/(\d+)/$", page.url).group(1)) > job_id, (page.url, page.errors)  # a new job was started
        page.wait_for_selector("[data-testid=job-failure]", timeout=30_000)  # the same refusal, said again
        assert page.errors == []
    finally:
        ctx.close()
