"""Seed, inspect and clean the outbox of the crash test's database from a separate process
(``python -m tests.jobs.crash_tool seed N | report | purge``, with worker_settings)."""
from __future__ import annotations

import json
import sys

import django


def main(argv: list[str]) -> None:
    django.setup()
    from django.db import transaction
    from django.db.models import Count, Max

    from dangjian.jobs.api import outbox_put
    from dangjian.jobs.models import OutboxMessage

    rows = OutboxMessage.objects.filter(channel="testgw")
    if argv[0] == "seed":
        with transaction.atomic():  # one business transaction; its commit kicks a delivery
            ids = [outbox_put(channel="testgw", to=f"member:{i}", payload={"text": f"【党建】第{i}号 会议通知"}).pk for i in range(int(argv[1]))]
        print(json.dumps({"ids": ids}))
    elif argv[0] == "report":
        print(json.dumps({
            "status": {r["status"]: r["n"] for r in rows.values("status").annotate(n=Count("pk"))},
            "ids": list(rows.filter(status="sent").values_list("pk", flat=True)),
            "max_attempts": rows.aggregate(m=Max("attempts"))["m"],
            "attempts": {r["attempts"]: r["n"] for r in rows.values("attempts").annotate(n=Count("pk"))},
        }))
    elif argv[0] == "purge":
        from huey.contrib.djhuey import HUEY

        rows.delete()
        HUEY.flush()
    else:
        raise SystemExit(f"unknown command {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
