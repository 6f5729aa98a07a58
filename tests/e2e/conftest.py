"""Browser-test infrastructure: Playwright's sync API driving Debian's chromium.

* Never ``playwright install``: the browser is ``/usr/bin/chromium`` from Debian (setup.sh).
* Every test under tests/e2e/ is marked ``e2e`` automatically (``make test`` runs them apart).
* Fixtures: ``browser`` (one per session), ``page`` (a fresh context per test, zh-CN, desktop
  size), ``phone_page`` (390×844 touch phone), ``login_as(user, page)`` (session cookie, no form,
  no axes). Pages have ``base_url`` = the live server, so ``page.goto("/orgs/")`` works; JS errors,
  console errors and HTTP responses >= 400 are collected in ``page.js_errors``. A failing test leaves a screenshot in
  ``test-results/e2e/``.
* Tests use pytest-django's ``live_server`` (hence ``transactional_db``) and usually
  ``live_world`` (tests/conftest.py): the database is flushed after each test. The audit table
  refuses DELETE/TRUNCATE by trigger, so the triggers are lifted just for the flush and put back
  before the next test (``set_audit_triggers`` in tests/conftest.py).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DANGJIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
E2E_DIR = Path(__file__).resolve().parent
RESULTS_DIR = E2E_DIR.parents[1] / "test-results" / "e2e"
DEFAULT_TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


# --- the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh (Debian package chromium)")
    pw = sync_playwright().start()
    yield pw
    pw.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


# --- the database under a live server -------------------------------------------------------


@pytest.fixture(autouse=True)
def _audit_table_flushable(transactional_db):
    """Let the post-test flush empty the append-only audit table, then restore the triggers.

    Autouse, so a browser test that never asks for ``live_world`` (which does the same) is
    covered too: the session's standard world has audit rows the flush must delete.
    """
    from tests.conftest import set_audit_triggers

    set_audit_triggers(True)
    yield
    set_audit_triggers(False)


# --- pages ----------------------------------------------------------------------------------


def _new_page(browser, request, live_server, **context_args):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(f"pageerror: {exc}"))
    # "Failed to load resource" duplicates the response event (which names the URL), and is also
    # logged for chromium's own /favicon.ico probe of non-HTML pages: leave it to the response hook.
    page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
            and page.js_errors.append(f"console: {msg.text}"))
    page.on("response", lambda resp: resp.status >= 400 and page.js_errors.append(f"http {resp.status}: {resp.url}"))
    yield page
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(RESULTS_DIR / f"{name}.png"), full_page=True)
        except Exception:  # noqa: S110 - a screenshot is best effort
            pass
    context.close()


@pytest.fixture
def page(browser, request, live_server):
    """A desktop page (1280×800) in a fresh browser context, Chinese locale."""
    yield from _new_page(browser, request, live_server, viewport={"width": 1280, "height": 800})


@pytest.fixture
def phone_page(browser, request, live_server):
    """A phone-sized page (390×844, touch, mobile viewport), Chinese locale."""
    yield from _new_page(
        browser, request, live_server,
        viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True,
        user_agent=("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/120.0 Mobile Safari/537.36"),
    )


@pytest.fixture
def login_as(live_server):
    """``login_as(user, page)``: give the page's browser context a signed-in session cookie
    (replacing the previous user's, once the page's requests have finished).

    Bypasses the login form (and axes); test the form itself with a real ``page.fill``.
    """
    from django.conf import settings
    from django.test import Client

    def _login(user, pg):
        # Switching users in one browser context: let the current page's requests finish first.
        # A response that saves the session (the activity stamp, written at most once a minute by
        # core.middleware) sets the session cookie again, so a late response of the previous
        # user's page could put their session back over the new one.
        if pg.url not in ("", "about:blank"):
            pg.wait_for_load_state("networkidle")
        pg.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        pg.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
        return pg

    return _login
