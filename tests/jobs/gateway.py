"""A local SMS "gateway" for the worker-crash test: a stdlib HTTP server process on 127.0.0.1.

Like real SMS providers' OutId, it de-duplicates by the ``Idempotency-Key`` header: a key it has
accepted before is answered 200 without sending again. It records every POST and every accepted
message in a SQLite file, and misbehaves on purpose so the worker's retries are exercised:
every ``--refuse-every``-th request is refused (503, nothing sent) and every ``--lose-every``-th
accepted message loses its answer (500 after accepting: the worker retries a message the gateway
already has). Usage: python tests/jobs/gateway.py DBFILE PORTFILE [--refuse-every N] [--lose-every N]
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (n INTEGER PRIMARY KEY, key TEXT, outcome TEXT, at REAL);
CREATE TABLE IF NOT EXISTS accepted (key TEXT, recipient TEXT, text TEXT, at REAL);
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("portfile")
    ap.add_argument("--refuse-every", type=int, default=0)
    ap.add_argument("--lose-every", type=int, default=0)
    ap.add_argument("--delay-ms", type=float, default=0.0)
    args = ap.parse_args()
    db = sqlite3.connect(args.db, check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.executescript(SCHEMA)
    lock = threading.Lock()
    state = {"n": 0, "accepted": 0, "keys": set()}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):  # quiet
            pass

        def _answer(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            key = self.headers.get("Idempotency-Key") or ""
            if args.delay_ms:
                time.sleep(args.delay_ms / 1000)
            with lock:  # the dedup decision and its record are one step
                state["n"] += 1
                n = state["n"]
                if not key or body.get("out_id") != key:
                    outcome, code = "bad", 400
                elif args.refuse_every and n % args.refuse_every == 0:
                    outcome, code = "refused", 503
                elif key in state["keys"]:
                    outcome, code = "duplicate", 200
                else:
                    state["keys"].add(key)
                    state["accepted"] += 1
                    db.execute("INSERT INTO accepted VALUES (?, ?, ?, ?)", (key, body.get("to"), body.get("text"), time.time()))
                    lose = args.lose_every and state["accepted"] % args.lose_every == 0
                    outcome, code = ("accepted-lost", 500) if lose else ("accepted", 200)
                db.execute("INSERT INTO posts VALUES (?, ?, ?, ?)", (n, key, outcome, time.time()))
            self._answer(code, {"Code": "OK" if code == 200 else "Error", "OutId": key, "Duplicate": outcome == "duplicate"})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(args.portfile + ".tmp", "w") as fh:
        fh.write(str(server.server_address[1]))
    import os

    os.replace(args.portfile + ".tmp", args.portfile)
    server.serve_forever()


if __name__ == "__main__":
    main()
