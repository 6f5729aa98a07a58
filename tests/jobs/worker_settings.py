"""Settings for the processes the worker-crash test starts: the test profile with a real queue
(SqliteHuey in DANGJIAN_VAR_DIR, or RedisHuey with DANGJIAN_REDIS_URL), the ``testgw`` channel,
and a short lease and backoff so a killed worker's rows come back within seconds."""
import os

from dangjian.settings import base as _base
from dangjian.settings.test import *  # noqa: F401,F403
from dangjian.settings.test import INSTALLED_APPS

HUEY = {**_base.HUEY, "name": os.environ.get("DANGJIAN_HUEY_NAME", "dangjian-crash"), "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"}}
INSTALLED_APPS = [*INSTALLED_APPS, "tests.jobs.gateway_app.GatewayTestConfig"]
DANGJIAN_OUTBOX = {"lease_seconds": 3, "batch": 10, "max_attempts": 12, "backoff_base": 0.2, "backoff_max": 1.0}
