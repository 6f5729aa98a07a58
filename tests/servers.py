"""A real gunicorn serving the platform from its own SQLite file, for the tests that need several
processes or a server outside the test process (multi-process coherence, API fuzzing)."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, *, tries: int = 300, path: str = "/healthz") -> None:
    for _ in range(tries):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn on port {port} did not answer {path}")


@contextmanager
def sqlite_gunicorn(tmp: Path, *, settings_module: str, settings_text: str, setup: str = "", workers: int = 1, timeout: int = 180):
    """Write ``settings_text`` as ``<tmp>/<settings_module>.py``, migrate a fresh SQLite file, run
    ``setup`` in ``manage.py shell -c`` and serve with ``workers`` gunicorn workers on a free port.
    Yields base URL, port, the setup's stdout, ``manage(*args)`` and the log path; stops gunicorn."""
    (tmp / f"{settings_module}.py").write_text(settings_text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, "DANGJIAN_DB": "sqlite", "DANGJIAN_SQLITE": str(tmp / "db.sqlite3"),
                "PYTHONPATH": os.pathsep.join([str(tmp), str(ROOT)])})
    env.pop("DANGJIAN_REDIS_URL", None)

    def manage(*args: str) -> str:
        out = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)  # noqa: S603
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout

    manage("migrate", "--noinput", "-v", "0")
    setup_out = manage("shell", "-c", setup) if setup else ""
    port = free_port()
    log_path = tmp / "gunicorn.log"
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "dangjian.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"],  # noqa: S603
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_up(port)
        yield SimpleNamespace(base=f"http://127.0.0.1:{port}", port=port, setup_out=setup_out, manage=manage, log=log_path)
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
