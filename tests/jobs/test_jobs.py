"""User-visible jobs: run on commit, progress, a result file written by rename, failure, pages."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dangjian.core.models import AuditEvent
from dangjian.jobs import services
from dangjian.jobs.api import job_url, start_job
from dangjian.jobs.models import Job

J = Job.Status


def start(user, kind="test.export", capture=None, **params):
    with capture(execute=True):
        with transaction.atomic():
            return start_job(actor=user, kind=kind, params=params, org_path="0001", title="花名册导出")


def test_job_runs_on_commit_with_progress_and_a_result_file(world, job_kind, _jobs_dir, django_capture_on_commit_callbacks):
    user = world.users["secretary"]
    job = start(user, capture=django_capture_on_commit_callbacks, n=7)
    job.refresh_from_db()
    assert job_kind == [10, 50, 90]
    assert job.status == J.DONE and job.progress == 100 and job.started_at and job.finished_at
    assert job.result_name == "名册 export.xlsx"
    assert job.result_file.startswith(f"{job.pk}-") and job.result_file.endswith(".xlsx")
    path = services.result_path(job)
    assert services.read_result(job).endswith(b" 7") and path.parent == _jobs_dir
    assert b"fake xlsx" not in path.read_bytes()  # encrypted at rest
    assert [p.name for p in _jobs_dir.iterdir()] == [job.result_file]  # no temp file left behind
    assert job_url(job) == f"/jobs/{job.pk}/"


def test_rolled_back_job_never_runs(world, job_kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            start_job(actor=world.users["secretary"], kind="test.export", params={})
            raise RuntimeError("business failed")
    assert callbacks == [] and Job.objects.count() == 0 and job_kind == []


def test_a_failing_job_is_failed_with_its_error(world, job_kind, django_capture_on_commit_callbacks):
    job = start(world.users["secretary"], kind="test.boom", capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == J.FAILED and job.progress == 30 and "the source table is gone" in job.error and job.error_code == "internal"
    assert job.result_file == "" and job.finished_at


def test_unknown_kind_is_refused(world):
    with pytest.raises(LookupError), transaction.atomic():
        start_job(actor=world.users["secretary"], kind="nope", params={})


def test_a_job_runs_once(world, job_kind):
    job = Job.objects.create(kind="test.export", actor=world.users["secretary"])
    assert services.run_job(job.pk) == J.DONE
    assert services.run_job(job.pk) == ""  # a second delivery of the task does nothing
    assert job_kind == [10, 50, 90]


def test_stale_running_jobs_are_reaped(world):
    old = timezone.now() - timedelta(hours=1)
    stale = Job.objects.create(kind="x", status=J.RUNNING, heartbeat_at=old)
    alive = Job.objects.create(kind="x", status=J.RUNNING, heartbeat_at=timezone.now())
    assert services.reap_stale_jobs() == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == J.FAILED and "worker stopped" in stale.error and alive.status == J.RUNNING


# -- pages ---------------------------------------------------------------------------------------

def test_job_page_polls_while_running_and_stops_when_done(world, login, job_kind):
    user = world.users["secretary"]
    job = Job.objects.create(kind="test.export", actor=user, title="花名册导出", status=J.RUNNING, progress=40, note="row 400")
    c = login(user)
    body = c.get(job_url(job)).content.decode()
    assert 'hx-trigger="every 1s"' in body and f'hx-get="/jobs/{job.pk}/"' in body and "width: 40%" in body and "row 400" in body
    assert "<script>" not in body  # no inline script (CSP)
    partial = c.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="job-status"') and "<html" not in partial
    services.run_job(Job.objects.create(kind="test.export", actor=user).pk)  # another job
    Job.objects.filter(pk=job.pk).update(status=J.QUEUED)
    services.run_job(job.pk)
    done = c.get(job_url(job), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done and reverse("job-download", kwargs={"pk": job.pk}) in done


def test_download_is_an_audited_nosniff_attachment(world, login, job_kind):
    user = world.users["secretary"]
    job = Job.objects.create(kind="test.export", actor=user, org_path=world.b1.path, params={"n": 3})
    services.run_job(job.pk)
    c = login(user)
    r = c.get(reverse("job-download", kwargs={"pk": job.pk}))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment;") and "filename*=utf-8''" in r["Content-Disposition"]
    assert b"".join(r.streaming_content).endswith(b" 3")
    ev = AuditEvent.objects.filter(action="job.download").latest("seq")
    assert ev.actor_id == user.pk and ev.object_id == str(job.pk) and ev.org_path == world.b1.path


def test_download_before_done_goes_to_the_job_page(world, login):
    user = world.users["secretary"]
    job = Job.objects.create(kind="test.export", actor=user)
    r = login(user).get(reverse("job-download", kwargs={"pk": job.pk}))
    assert r.status_code == 302 and r["Location"] == job_url(job)


@pytest.mark.parametrize("other", ["secretary2", "county_admin", "outsider"])
def test_other_users_get_404(world, login, job_kind, other):
    job = Job.objects.create(kind="test.export", actor=world.users["secretary"])
    services.run_job(job.pk)
    c = login(world.users[other])
    for name in ("job-detail", "job-download"):
        assert c.get(reverse(name, kwargs={"pk": job.pk})).status_code == 404
    assert c.get(reverse("job-detail", kwargs={"pk": job.pk + 1000})).status_code == 404  # missing looks the same
    assert f"/jobs/{job.pk}/" not in c.get(reverse("job-list")).content.decode()
    assert not AuditEvent.objects.filter(action="job.download").exists()


def test_my_jobs_lists_only_mine(world, login):
    mine = Job.objects.create(kind="k", actor=world.users["member"], title="我的导出")
    Job.objects.create(kind="k", actor=world.users["secretary"], title="别人的导出")
    body = login(world.users["member"]).get(reverse("job-list")).content.decode()
    assert "我的导出" in body and "别人的导出" not in body and f"/jobs/{mine.pk}/" in body


def test_a_missing_result_file_is_404(world, login, job_kind, _jobs_dir):
    user = world.users["secretary"]
    job = Job.objects.create(kind="test.export", actor=user)
    services.run_job(job.pk)
    job.refresh_from_db()
    (_jobs_dir / job.result_file).unlink()
    assert login(user).get(reverse("job-download", kwargs={"pk": job.pk})).status_code == 404
    Job.objects.filter(pk=job.pk).update(result_file="../../etc/passwd")
    assert login(user).get(reverse("job-download", kwargs={"pk": job.pk})).status_code == 404


# -- failures: a code, a translated message, a retry, the inbox ---------------------------------------

def test_a_failed_job_reaches_the_inbox_and_its_page_offers_a_retry(world, login, job_kind, django_capture_on_commit_callbacks):
    from dangjian.notify.models import InboxMessage

    user = world.users["secretary"]
    job = start(user, kind="test.boom", capture=django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.error_code == "internal"
    msg = InboxMessage.objects.get(user=user, kind="job.failed")
    assert msg.link == job_url(job) and "花名册导出" in msg.title
    c = login(user)
    body = c.get(job_url(job)).content.decode()
    assert 'data-code="internal"' in body and 'data-testid="job-retry"' in body
    assert "the source table is gone" not in body and "ValueError" not in body  # no raw exception text on the page
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("job-retry", kwargs={"pk": job.pk}))
    new = Job.objects.latest("pk")
    assert r.status_code == 302 and r["Location"] == job_url(new) and new.retry_of_id == job.pk and new.kind == "test.boom"
    assert AuditEvent.objects.filter(action="job.retry", object_id=str(new.pk)).count() == 1
    # a job that is not failed is not started again
    done = Job.objects.create(kind="test.export", actor=user)
    services.run_job(done.pk)
    assert c.post(reverse("job-retry", kwargs={"pk": done.pk})).status_code == 302
    assert not Job.objects.filter(retry_of=done).exists()
    # someone else's job: 404, nothing started
    assert login(world.users["secretary2"]).post(reverse("job-retry", kwargs={"pk": job.pk})).status_code == 404


def test_a_reaped_job_reaches_the_inbox(world):
    from dangjian.notify.models import InboxMessage

    user = world.users["secretary"]
    stale = Job.objects.create(kind="x", actor=user, title="大导出", status=J.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1))
    assert services.reap_stale_jobs() == 1
    stale.refresh_from_db()
    assert stale.error_code == "worker_stopped"
    assert InboxMessage.objects.get(user=user, kind="job.failed").link == job_url(stale)


def test_progress_survives_a_busy_database(world, job_kind, monkeypatch):
    """A progress write that keeps meeting a locked database is retried, then skipped: the job
    finishes (before, one "database is locked" on a progress write failed the whole export)."""
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    real_update = QuerySet.update
    calls = {"n": 0}

    def flaky_update(self, **kw):
        if self.model is Job and set(kw) == {"progress", "note", "heartbeat_at"}:
            calls["n"] += 1
            raise OperationalError("database is locked")
        return real_update(self, **kw)

    monkeypatch.setattr(QuerySet, "update", flaky_update)
    monkeypatch.setattr(services.runs.time, "sleep", lambda s: None)
    job = Job.objects.create(kind="test.export", actor=world.users["secretary"])
    assert services.run_job(job.pk) == J.DONE
    assert calls["n"] == 3 * 5  # three progress calls, five attempts each
