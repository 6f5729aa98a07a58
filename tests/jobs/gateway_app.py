"""Registers the ``testgw`` channel in worker processes of the crash test (tests/jobs/worker_settings.py):
its deliverer POSTs the message to the local gateway with ``message.pk`` as the idempotency key."""
from __future__ import annotations

import json
import os
import urllib.request

from django.apps import AppConfig


def deliver(message) -> None:
    key = str(message.pk)
    body = json.dumps({"out_id": key, "to": message.to, "text": message.payload.get("text", "")}).encode()
    req = urllib.request.Request(os.environ["DANGJIAN_TEST_GATEWAY"], data=body, method="POST",  # noqa: S310 (local test URL)
                                 headers={"Content-Type": "application/json", "Idempotency-Key": key})
    with urllib.request.urlopen(req, timeout=5) as resp:  # noqa: S310 (5xx raise HTTPError: the worker retries)
        answer = json.loads(resp.read())
    if answer.get("Code") != "OK":
        raise RuntimeError(f"gateway refused: {answer}")


class GatewayTestConfig(AppConfig):
    name = "tests.jobs"
    label = "jobs_crash_test"

    def ready(self):
        from dangjian.jobs.api import register_channel

        register_channel("testgw", deliver)
