"""``manage.py run_worker``: the background worker (Huey's consumer, as ``run_huey``).

It imports every app's ``tasks.py`` (periodic jobs included), sweeps the outbox once right away
(rows a dead worker or a lost kick left behind), then consumes the queue: the SQLite file in
VAR_DIR by default, Redis when DANGJIAN_REDIS_URL is set. Run as many as you like, on one machine
(SQLite) or many (Redis): the outbox claim makes concurrent workers safe.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey.management.commands.run_huey import Command as RunHuey


class Command(RunHuey):
    help = "Run the background worker: outbox delivery, jobs and periodic jobs (Huey consumer)."

    def handle(self, *args, **options):
        from huey.contrib.djhuey import HUEY

        if HUEY.immediate:
            raise CommandError("HUEY runs in immediate mode in these settings; a worker has nothing to consume")
        autodiscover_modules("tasks")
        from dangjian.jobs import tasks

        consumer = settings.HUEY.get("consumer", {}) if isinstance(settings.HUEY, dict) else {}
        workers = options.get("workers") or consumer.get("workers") or 1
        if options.get("max_delay") is None and "max_delay" not in consumer:
            options["max_delay"] = 1.0  # an idle SQLite queue is polled at least once a second
        tasks.startup_kick(int(workers))
        self.stdout.write(f"worker: queue {type(HUEY).__name__} {HUEY.name!r}, {workers} worker(s); Ctrl-C stops it", ending="\n")
        self.stdout.flush()
        huey_log = logging.getLogger("huey")  # through the project's JSON log handlers, once
        if not huey_log.handlers:
            huey_log.addHandler(logging.NullHandler())
            huey_log.setLevel(logging.INFO)
        options["disable_autoload"] = True
        super().handle(*args, **options)
