"""API fuzzing (SECURITY.md family "API fuzzing (schemathesis on the OpenAPI schema, two peer
secretaries + outsider)": 0 server errors, 0 schema violations, 0 auth / object-level findings;
issue 10 item 13).

A live server (gunicorn, started by the test on a free port with its own SQLite file, two-factor
sign-in enforced as in production) serves the standard world; the secretaries of two sibling
branches (东村 B1, 西村 B2, both under 东镇) and an outsider with no role obtain API tokens through
``POST /api/v1/auth/token/`` (the secretaries with a TOTP code). Schemathesis runs its examples and
fuzzing phases as each of them, and its coverage phase (every boundary of every parameter) as the
first secretary — positive and negative data, a bounded number of examples per operation, a fixed
seed — against the schema the server itself serves, with every response check on:

* ``not_a_server_error`` — no 5xx;
* ``status_code_conformance``, ``content_type_conformance``, ``response_schema_conformance``,
  ``response_headers_conformance`` — each answer is one the schema documents, error bodies included;
* ``negative_data_rejection`` — input the schema calls invalid (``status=AAA``, ``page_size=-5``,
  a string for an integer) is refused, never served;
* ``positive_data_acceptance`` — input the schema calls valid is not refused with 400 by the read
  operations (their query parameters are stated exactly). Write operations may refuse schema-valid
  input with 400 for a rule the schema cannot state (an ID number's check digit, dates in order,
  "already in this organization"), so 400 is an expected answer there (docs/decisions.md);
* ``ignored_auth``, ``missing_required_header``, ``unsupported_method`` and the rest of the
  built-in checks.

Path ids, ``org``/``parent``/``into`` are drawn most of the time from the real ids of both
branches, their members and the organizations around them, so the fuzzer also aims at objects of
the peer branch: every recorded answer is then checked for an object-level leak (a member or an
organization outside the caller's subtree in a 2xx body). Explicit checks follow: a peer
secretary cannot read, change, move or reveal the other branch's member, nor revoke its token.

The ``cursor`` query parameter is not generated (sent empty: the first page): it is opaque, and a
value that no ``next`` link returned is refused by design. The two DELETE operations on tokens are not fuzzed (they would revoke the token the run signs in
with); tests/security/test_token_lifecycle.py covers them. NUL characters are not generated: every
API answers them with 400 ``null_characters_not_allowed`` (PostgreSQL cannot store them), which
tests/api/test_hostile_input.py checks.

Bounded: ``DANGJIAN_FUZZ_EXAMPLES`` examples per operation and phase (default 15), seed
``DANGJIAN_FUZZ_SEED``; the figures (operations, cases, failures) are printed. The server runs on
SQLite whatever the suite's database, so the module runs once per ``make test`` (in the SQLite step).
"""
from __future__ import annotations

import binascii
import json
import os
import re
import time
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from django_otp.oath import totp
from schemathesis.engine import Status, from_schema
from schemathesis.engine import events as st_events

from tests.conftest import PASSWORD
from tests.servers import sqlite_gunicorn

pytestmark = pytest.mark.skipif(os.environ.get("DANGJIAN_DB") == "postgres",
                                reason="the fuzzed server runs on its own SQLite file: once per make test, in the SQLite step")

EXAMPLES = int(os.environ.get("DANGJIAN_FUZZ_EXAMPLES", "15"))
SEED = int(os.environ.get("DANGJIAN_FUZZ_SEED", "20261013"))
PERSONAS = ("secretary", "secretary2", "outsider")
NEGATIVE_STATUSES = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429", "5xx"]
NOT_FUZZED = ["auth_token_destroy", "auth_tokens_destroy"]  # would revoke the run's own token
READ_STATUSES = ["2xx", 401, 403, 404, 409, 429]  # positive_data_acceptance: no 400 for schema-valid reads
WRITE_STATUSES = [*READ_STATUSES, 400]  # writes: 400 is also a rule refusal the schema cannot state
MEMBER_PATH = re.compile(r"^/api/v1/members/(\d+)/")
ORG_PATH = re.compile(r"^/api/v1/organizations/(\d+)/")

SETTINGS = """
from dangjian.settings.test import *  # noqa
DANGJIAN_OTP_ENFORCED = True  # tokens the production way: the secretaries sign in with a TOTP code
"""

SETUP = """
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from dangjian.members.models import Member
from tests.conftest import build_world
w = build_world()
otp = {n: TOTPDevice.objects.create(user=w.users[n], name="authenticator", confirmed=True).key for n in ("secretary", "secretary2")}
members = lambda org: sorted(Member.objects.filter(org_path__startswith=org.path).values_list("pk", flat=True))
print("WORLD " + json.dumps({
    "otp": otp, "b1_members": members(w.b1), "b2_members": members(w.b2), "m_member": w.m_member.pk, "m_b2": w.m_b2[0].pk,
    "orgs": {k: getattr(w, k).pk for k in ("city", "county", "county2", "t1", "t2", "t3", "b1", "b2", "b3", "b4", "g1")},
}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn on a free port serving a fresh SQLite database with the standard world."""
    tmp = tmp_path_factory.mktemp("api-fuzz")
    with sqlite_gunicorn(tmp, settings_module="fuzz_settings", settings_text=SETTINGS, setup=SETUP) as srv:
        world = json.loads(next(line for line in srv.setup_out.splitlines() if line.startswith("WORLD "))[6:])
        world["base"] = world["url"] = srv.base
        world["log"] = srv.log
        yield world


@pytest.fixture(scope="module")
def keys(server):
    """One API token per persona, obtained as a client does (a TOTP code can be used once per step)."""
    out = {}
    for persona in PERSONAS:
        body = {"username": persona, "password": PASSWORD}
        if persona in server["otp"]:
            body["otp"] = f"{totp(binascii.unhexlify(server['otp'][persona]), 30, 0, 6):06d}"
        r = requests.post(f"{server['base']}/api/v1/auth/token/", json=body, headers={"Accept-Language": "en"}, timeout=30)
        assert r.status_code == 200, r.text
        assert r.json()["second_factor"] is (persona in server["otp"])
        out[persona] = r.json()["token"]
    return out


def client(base: str, key: str | None) -> requests.Session:
    s = requests.Session()
    s.headers.update({"Accept-Language": "en", **({"Authorization": f"Token {key}"} if key else {})})
    return s


def config_for(base: str, key: str, ids: dict[str, list[int]], coverage: bool) -> schemathesis.Config:
    """Bounded, deterministic settings for one persona's run (schemathesis.toml as a dict)."""
    return schemathesis.Config.from_dict({
        "base-url": base,
        "headers": {"Authorization": f"Token {key}", "Accept-Language": "en"},
        "seed": SEED,
        "color": False,
        "cache": {"enabled": False},  # no .schemathesis/ state: every run starts from the seed alone
        "continue-on-failure": True,
        "request-timeout": 30,
        "generation": {"max-examples": EXAMPLES, "mode": "all", "allow-x00": False, "no-shrink": True},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": coverage}, "fuzzing": {"enabled": True},
                   "stateful": {"enabled": False}},
        # schemathesis' own rejection list plus 414: gunicorn refuses a request line over 4,094 bytes
        # (an over-long path parameter) before Django sees it, which is a rejection too
        "checks": {"positive_data_acceptance": {"expected-statuses": READ_STATUSES},
                   "negative_data_rejection": {"expected-statuses": NEGATIVE_STATUSES}},
        "dictionaries": {"object_ids": {"values": ids["objects"]}, "org_ids": {"values": ids["orgs"]}},
        "parameters": {
            # the cursor is opaque: any value but one a `next` link returned is refused (400 members, 404 organizations);
            # tests/api/test_hostile_input.py forges cursors, tests/api/test_members.py walks them
            "query.cursor": "",
            "path.id": {"dictionary": "object_ids", "probability": 0.7},
            "query.org": {"dictionary": "org_ids", "probability": 0.5},
            "query.parent": {"dictionary": "org_ids", "probability": 0.5},
            "body.org": {"dictionary": "org_ids", "probability": 0.7},
            "body.parent": {"dictionary": "org_ids", "probability": 0.7},
            "body.into": {"dictionary": "org_ids", "probability": 0.7},
        },
        "operations": [
            {"include-operation-id": NOT_FUZZED, "enabled": False},
            {"include-method-regex": "^(POST|PATCH|DELETE)$",
             "checks": {"positive_data_acceptance": {"expected-statuses": WRITE_STATUSES}}},
        ],
    })


class Run:
    """What one persona's run did: operations, cases, failures (by check) and the answers seen."""

    def __init__(self, persona: str):
        self.persona = persona
        self.operations: set[str] = set()
        self.cases = 0
        self.failures: list[str] = []
        self.errors: list[str] = []
        self.answers: list[tuple[str, str, int, bytes]] = []  # method, url, status, body
        self.statuses: dict[int, int] = {}
        self.seconds = 0.0

    def record(self, recorder) -> None:
        labels = {case_id: node.value.operation.label for case_id, node in recorder.cases.items()}
        self.operations.update(labels.values())
        self.cases += len(recorder.cases)
        for interaction in recorder.interactions.values():
            resp = interaction.response
            if resp is None:
                continue
            self.statuses[resp.status_code] = self.statuses.get(resp.status_code, 0) + 1
            self.answers.append((resp.request.method, resp.request.url, resp.status_code, resp.content))
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.status == Status.FAILURE:
                    f = check.failure_info.failure if check.failure_info else None
                    seen = recorder.interactions.get(case_id)
                    resp = seen.response if seen is not None else None
                    sent = f"{resp.request.method} {resp.request.url} {(resp.request.body or b'')[:200]!r} -> {resp.status_code} " \
                           f"{resp.content[:200]!r}" if resp is not None else ""
                    self.failures.append(f"{labels.get(case_id, recorder.label)} [{check.name}] {getattr(f, 'title', '')}: "
                                         f"{getattr(f, 'message', '')[:200]} | {sent}")


def fuzz(raw_schema: dict, persona: str, config) -> Run:
    run = Run(persona)
    schema = schemathesis.openapi.from_dict(raw_schema, config=config)
    start = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, st_events.ScenarioFinished):
            run.record(event.recorder)
        elif isinstance(event, st_events.NonFatalError):
            run.errors.append(f"{event.label}: {event.info.format()[:500] if hasattr(event.info, 'format') else event.value!r}")
        elif isinstance(event, st_events.FatalError):
            run.errors.append(f"fatal: {event.exception!r}")
    run.seconds = time.monotonic() - start
    return run


def leaks(run: Run, allowed_members: set[int], allowed_orgs: set[int]) -> list[str]:
    """Object-level findings: a 2xx answer naming a member or an organization outside the caller's reach."""
    found = []
    for method, url, status, body in run.answers:
        if not 200 <= status < 300 or not body:
            continue
        path = urlsplit(url).path
        try:
            data = json.loads(body)
        except ValueError:
            continue
        rows = data.get("results", [data]) if isinstance(data, dict) else data
        if path.startswith("/api/v1/members/"):
            m = MEMBER_PATH.match(path)
            if m and int(m.group(1)) not in allowed_members:
                found.append(f"{method} {url} -> {status}")
            found += [f"{method} {url} -> member {r.get('id')}" for r in rows
                      if isinstance(r, dict) and "id" in r and r["id"] not in allowed_members]
        elif path.startswith("/api/v1/organizations/"):
            m = ORG_PATH.match(path)
            if m and int(m.group(1)) not in allowed_orgs:
                found.append(f"{method} {url} -> {status}")
            found += [f"{method} {url} -> organization {r.get('id')}" for r in rows
                      if isinstance(r, dict) and "id" in r and r["id"] not in allowed_orgs]
    return found


def test_filter_values_outside_the_schema_are_refused_with_400(server, keys):
    """``status=AAA`` once answered 200 with an empty page: the schema's enums and ranges are enforced."""
    base, orgs = server["base"], server["orgs"]
    c = client(base, keys["secretary"])
    for path, params in (("members/", {"status": "AAA"}), ("members/", {"gender": "X"}), ("members/", {"include_left": "maybe"}),
                         ("members/", {"page_size": "1000"}), ("members/", {"age_min": "-1"}), ("members/", {"position": ""}),
                         ("organizations/", {"kind": "AAA"}), ("organizations/", {"status": ""}),
                         ("organizations/", {"page_size": "-5"}), ("organizations/", {"parent": "0.5"}),
                         (f"organizations/{orgs['b1']}/children/", {"status": "gone"})):
        r = c.get(f"{base}/api/v1/{path}", params=params)
        assert r.status_code == 400, (path, params, r.text)
        assert set(r.json()) == {*params, "codes"}, (path, params, r.json())
        assert set(r.json()["codes"]) == set(params) and all(r.json()["codes"][p] for p in params), r.json()  # a code per refusal
    # a request body of the wrong JSON type is refused, not coerced (the schema says integer / string)
    r = c.post(f"{base}/api/v1/members/{server['m_member']}/move/", json={"org": str(orgs["b1"])})
    assert r.status_code == 400 and r.json()["codes"] == {"org": ["invalid"]}, r.text
    r = c.post(f"{base}/api/v1/members/{server['m_member']}/reveal/", data="field=phone&purpose=verification",
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and r.json()["code"] == "unsupported_media_type", r.text
    # a URL under /api/ that matches no route answers the JSON error body, not the HTML 404 page
    r = c.get(f"{base}/api/v1/members/-1/")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    # the filters that are valid still serve
    ok = c.get(f"{base}/api/v1/members/", params={"status": "full", "include_left": "true", "page_size": "999"})
    assert ok.status_code == 200 and ok.json()["results"], ok.text


def test_a_peer_secretary_cannot_reach_the_other_branchs_member(server, keys):
    base, orgs = server["base"], server["orgs"]
    mine, peer, outsider = (client(base, keys[p]) for p in PERSONAS)
    own, other = server["m_member"], server["m_b2"]
    assert mine.get(f"{base}/api/v1/members/{own}/").status_code == 200  # the requests themselves are right: own member 200
    assert peer.get(f"{base}/api/v1/members/{other}/").status_code == 200
    for s, pk in ((mine, other), (peer, own), (outsider, own)):
        for method, path, body in (("GET", "", None), ("PATCH", "", {"name": "改名"}), ("POST", "move/", {"org": orgs["b2"]}),
                                   ("POST", "reveal/", {"field": "phone", "purpose": "verification"})):
            r = s.request(method, f"{base}/api/v1/members/{pk}/{path}", json=body)
            assert r.status_code == 404, (method, path, r.status_code, r.text)
            assert r.json() == {"detail": r.json()["detail"], "code": "not_found"}  # missing and not yours look alike
    # the list never names the other branch's members, and asking for its organization is a 404
    listed = mine.get(f"{base}/api/v1/members/", params={"page_size": 200}).json()["results"]
    assert {m["id"] for m in listed} == set(server["b1_members"])
    assert mine.get(f"{base}/api/v1/members/", params={"org": orgs["b2"]}).status_code == 404
    assert peer.get(f"{base}/api/v1/organizations/{orgs['b1']}/").status_code == 404
    assert outsider.get(f"{base}/api/v1/members/").status_code == 403
    # nor revokes the other's token (404 like a missing one), which keeps working
    peer_token = peer.get(f"{base}/api/v1/auth/tokens/").json()[0]["id"]
    assert mine.delete(f"{base}/api/v1/auth/tokens/{peer_token}/").status_code == 404
    assert peer.get(f"{base}/api/v1/members/{other}/").status_code == 200


def test_schemathesis_finds_no_server_error_schema_violation_or_leak(server, keys, capsys):
    base, orgs = server["base"], server["orgs"]
    raw = client(base, keys["secretary"]).get(f"{base}/api/v1/schema/", params={"format": "json"}, timeout=30)
    assert raw.status_code == 200, raw.text
    raw_schema = raw.json()

    b1_members, b2_members = set(server["b1_members"]), set(server["b2_members"])
    aimed = [orgs[k] for k in ("b1", "g1", "b2", "t1", "b3", "t2", "county", "b4")]
    ids = {"objects": sorted(b1_members | b2_members | set(aimed)), "orgs": aimed}
    ancestors = {orgs["t1"], orgs["county"], orgs["city"]}
    reach = {  # what each persona may ever be shown: members of its subtree; organizations of its subtree and above
        "secretary": (b1_members, {orgs["b1"], orgs["g1"]} | ancestors),
        "secretary2": (b2_members, {orgs["b2"]} | ancestors),
        "outsider": (set(), set()),
    }

    # The coverage phase (every boundary of every parameter, ~1,500 cases) runs as the first secretary;
    # the examples and fuzzing phases run as all three personas.
    runs = [fuzz(raw_schema, persona, config_for(base, keys[persona], ids, coverage=persona == "secretary")) for persona in PERSONAS]

    lines = []
    for run in runs:
        lines.append(f"{run.persona}: {len(run.operations)} operations, {run.cases} cases, {sum(run.statuses.values())} requests "
                     f"({', '.join(f'{s}: {n}' for s, n in sorted(run.statuses.items()))}), {len(run.failures)} failures, "
                     f"{len(run.errors)} errors, {run.seconds:.1f} s")
    found = {run.persona: leaks(run, *reach[run.persona]) for run in runs}
    with capsys.disabled():
        print("\nAPI fuzzing (schemathesis", schemathesis.__version__, f"seed {SEED}, {EXAMPLES} examples per operation and phase):")
        for line in lines:
            print("  " + line)
        print(f"  total: {sum(r.cases for r in runs)} cases, {sum(len(r.failures) for r in runs)} check failures, "
              f"{sum(n for r in runs for s, n in r.statuses.items() if s >= 500)} server errors, "
              f"{sum(len(v) for v in found.values())} object-level leaks")
        for run in runs:
            for failure in run.failures[:20]:
                print(f"  FAILURE ({run.persona}): {failure}")
            for leak in found[run.persona][:20]:
                print(f"  LEAK ({run.persona}): {leak}")

    for run in runs:
        assert len(run.operations) >= 17, (run.persona, sorted(run.operations))  # 19 of the 21 operations are fuzzed
        assert not [s for s in run.statuses if s >= 500], (run.persona, run.statuses)
        assert not run.errors, (run.persona, run.errors[:5])
        assert not run.failures, (run.persona, run.failures[:10])
        assert not found[run.persona], (run.persona, found[run.persona][:10])
    # the fuzzer reached real objects: each secretary was shown its own members by id, the outsider none
    for persona, members in (("secretary", b1_members), ("secretary2", b2_members)):
        run = next(r for r in runs if r.persona == persona)
        shown = {int(m.group(1)) for method, url, status, _ in run.answers
                 if method == "GET" and status == 200 and (m := MEMBER_PATH.match(urlsplit(url).path))}
        assert shown & members, persona
