from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _jobs_dir(settings, tmp_path):
    settings.DANGJIAN_JOBS_DIR = str(tmp_path / "jobs")
    return tmp_path / "jobs"


class Recorder:
    """A test channel: records what it is asked to deliver; ``fail`` times it raises first."""

    def __init__(self):
        self.delivered: list[int] = []
        self.fail = 0

    def __call__(self, message):
        if self.fail:
            self.fail -= 1
            raise ConnectionError("gateway unreachable")
        self.delivered.append(message.pk)


@pytest.fixture
def channel():
    from dangjian.jobs.api import CHANNELS, register_channel

    rec = Recorder()
    register_channel("test", rec)
    yield rec
    CHANNELS.pop("test", None)


@pytest.fixture
def job_kind():
    """Registers the kinds 'test.export' (progress, then a file) and 'test.boom' (fails)."""
    from dangjian.jobs.api import JOB_KINDS, register_job_kind

    seen = []

    def export(job, progress):
        for pct in (10, 50, 90):
            progress(pct, f"row {pct}")
            seen.append(pct)
        return ("名册 export.xlsx", b"PK\x03\x04 fake xlsx " + str(job.params.get("n", 0)).encode())

    def boom(job, progress):
        progress(30, "half way")
        raise ValueError("the source table is gone")

    register_job_kind("test.export", export)
    register_job_kind("test.boom", boom)
    register_job_kind("test.none", lambda job, progress: None)
    yield seen
    for k in ("test.export", "test.boom", "test.none"):
        JOB_KINDS.pop(k, None)
