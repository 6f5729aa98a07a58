"""The outbox and job machinery (SECURITY.md "Outbox"), one submodule per aggregate (issue 9 item 5):

* :mod:`.outbox` — outbox rows: write in the caller's transaction, claim under a lease, deliver, retry;
* :mod:`.runs` — jobs: create, run once with progress, fail with a code, reap, retry;
* :mod:`.results` — a job's result file: encrypted storage, download with rights re-checked, purge;
* :mod:`._common` — the logger, the tunables (``DANGJIAN_OUTBOX``) and :class:`JobRefused`.

The names below are the ones used from outside the package (``jobs.api``, ``jobs.tasks``, the
views, tests, bench); a test that patches a function patches it in the submodule that looks it up
(``outbox._kick``, ``runs.time``...).
"""
from ._common import DEFAULTS, JobRefused, conf
from .outbox import backoff_seconds, claim, deliver_due, deliver_one, next_due_at, outbox_counts, put, worker_name
from .results import check_access, download, jobs_dir, purge_results, read_result, result_path, retention_hours, store_result
from .runs import FAILURE_CODES, create_job, failure_code, reap_stale_jobs, retry_job, run_job

__all__ = [
    "DEFAULTS",
    "FAILURE_CODES",
    "JobRefused",
    "backoff_seconds",
    "check_access",
    "claim",
    "conf",
    "create_job",
    "deliver_due",
    "deliver_one",
    "download",
    "failure_code",
    "jobs_dir",
    "next_due_at",
    "outbox_counts",
    "purge_results",
    "put",
    "read_result",
    "reap_stale_jobs",
    "result_path",
    "retention_hours",
    "retry_job",
    "run_job",
    "store_result",
    "worker_name",
]
