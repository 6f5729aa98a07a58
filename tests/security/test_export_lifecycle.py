"""Export lifecycle (SECURITY.md family): the permission is re-checked at download, files are
0600 and encrypted at rest, a retention job deletes them, every download is audited, and an
uploaded roster (plaintext ID numbers) does not outlive its use (issue 10 item 5).

Figures this module asserts: 0 downloads after revocation, 0 files past retention, mode 0600.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import stat
import time
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangjian.core import services as org_services
from dangjian.core.models import AuditEvent, RoleAssignment
from dangjian.jobs import services as job_services
from dangjian.jobs import tasks as _job_tasks  # noqa: F401 (registers the periodic jobs, as the worker does)
from dangjian.jobs.api import PERIODIC
from dangjian.jobs.models import Job
from dangjian.members import roster_xlsx as rx
from dangjian.members import tasks as _member_tasks  # noqa: F401
from dangjian.members.models import Member

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _dirs(settings, tmp_path):
    settings.DANGJIAN_JOBS_DIR = str(tmp_path / "var" / "jobs")
    settings.DANGJIAN_ROSTER_DIRECT_EXPORT_ROWS = 2  # every roster export below runs as a job
    return tmp_path


def export_job(c, org, *, clear: bool, capture) -> Job:
    data = {"org": org.pk, **({"clear": "on"} if clear else {})}
    with capture(execute=True):
        r = c.post(reverse("member-roster-export"), data)
    job = Job.objects.filter(kind=rx.EXPORT_JOB_KIND).latest("pk")
    assert r.status_code == 302 and r["Location"] == reverse("job-detail", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    return job


def download(c, job):
    return c.get(reverse("job-download", kwargs={"pk": job.pk}))


def revoke(user, org, role="org_admin"):
    a = RoleAssignment.objects.get(user=user, org=org, role=role, active=True)
    org_services.revoke_role(actor=None, assignment=a)


# -- permission at download ----------------------------------------------------------------------------

@pytest.mark.parametrize("clear", [True, False])
def test_a_revoked_admin_downloads_nothing(world, login, clear, django_capture_on_commit_callbacks):
    admin = world.users["town_admin"]
    c = login(admin)
    job = export_job(c, world.t1, clear=clear, capture=django_capture_on_commit_callbacks)
    assert job.clear_text is clear
    assert download(c, job).status_code == 200  # still an admin: the file is served
    revoke(admin, world.t1)
    r = download(c, job)
    assert r.status_code == 403
    assert not hasattr(r, "streaming_content") and b"PK\x03\x04" not in r.content
    refused = AuditEvent.objects.filter(action="job.download_refused", actor=admin).latest("seq")
    assert refused.object_id == str(job.pk) and refused.data["code"] == "not_allowed"
    assert AuditEvent.objects.filter(action="job.download", actor=admin).count() == 1  # only the one before revocation
    # and no new export can be started from the old job's page
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error_code="internal")
    assert c.post(reverse("job-retry", kwargs={"pk": job.pk})).status_code == 403
    assert Job.objects.filter(retry_of=job).count() == 0


def test_a_clear_text_export_needs_the_reveal_right_at_download(world, login, monkeypatch, django_capture_on_commit_callbacks):
    """Export and reveal are checked separately: once the admin's role no longer carries reveal
    (a policy change), the clear-text file is refused while the masked one is still served."""
    from dangjian.core.policy import POLICY

    admin = world.users["town_admin"]
    c = login(admin)
    clear_job = export_job(c, world.t1, clear=True, capture=django_capture_on_commit_callbacks)
    masked_job = export_job(c, world.t1, clear=False, capture=django_capture_on_commit_callbacks)
    assert clear_job.access == [["member", "export", world.t1.path], ["member", "reveal", world.t1.path]] and clear_job.clear_text
    assert masked_job.access == [["member", "export", world.t1.path]] and not masked_job.clear_text
    monkeypatch.setitem(POLICY["member"], "reveal", {k: v for k, v in POLICY["member"]["reveal"].items() if k != "org_admin"})
    assert download(c, masked_job).status_code == 200
    assert download(c, clear_job).status_code == 403


# -- files: mode, encryption, retention -------------------------------------------------------------

def test_files_are_0600_in_a_0700_folder_and_encrypted_at_rest(world, login, django_capture_on_commit_callbacks, _dirs):
    c = login(world.users["town_admin"])
    job = export_job(c, world.t1, clear=True, capture=django_capture_on_commit_callbacks)
    path = job_services.result_path(job)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    raw = path.read_bytes()
    assert not raw.startswith(b"PK")  # not a readable workbook on disk
    body = b"".join(download(c, job).streaming_content)
    ws = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    ids = {row[5] for row in ws.iter_rows(min_row=3, values_only=True)}
    member_id = world.m_member.id_number
    assert member_id in ids  # clear text in the download ...
    assert member_id.encode() not in raw and "赵党员".encode() not in raw  # ... never on disk


def test_no_file_outlives_its_retention(world, login, settings, django_capture_on_commit_callbacks, _dirs):
    settings.DANGJIAN_JOB_RESULT_RETENTION_HOURS = 24
    c = login(world.users["town_admin"])
    jobs = [export_job(c, world.t1, clear=clear, capture=django_capture_on_commit_callbacks) for clear in (True, False)]
    for job in jobs:
        assert abs((job.expires_at - job.finished_at) - dt.timedelta(hours=24)) < dt.timedelta(seconds=5)
    folder = Path(settings.DANGJIAN_JOBS_DIR)
    (folder / "99999-orphan.xlsx").write_bytes(b"left by a deleted job")
    os.utime(folder / "99999-orphan.xlsx", (time.time() - 25 * 3600,) * 2)
    assert "jobs.purge_results" in PERIODIC
    assert job_services.purge_results(now=timezone.now() + dt.timedelta(hours=23)) == 1  # only the orphan
    assert len(list(folder.iterdir())) == 2
    assert job_services.purge_results(now=timezone.now() + dt.timedelta(hours=25)) == 2
    assert list(folder.iterdir()) == []  # 0 files past retention
    for job in jobs:
        job.refresh_from_db()
        assert job.result_file == "" and job.purged_at is not None
        r = download(c, job)
        assert r.status_code == 410
    page = c.get(reverse("job-detail", kwargs={"pk": jobs[0].pk})).content.decode()
    assert 'data-testid="job-expired"' in page and 'data-testid="job-retry"' in page
    # a retry makes a new file for a user who still has the rights
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("job-retry", kwargs={"pk": jobs[0].pk}))
    new = Job.objects.latest("pk")
    assert r.status_code == 302 and r["Location"] == reverse("job-detail", kwargs={"pk": new.pk})
    new.refresh_from_db()
    assert new.retry_of_id == jobs[0].pk and new.status == Job.Status.DONE and download(c, new).status_code == 200


def test_each_download_is_audited(world, login, django_capture_on_commit_callbacks):
    admin = world.users["town_admin"]
    c = login(admin)
    job = export_job(c, world.t1, clear=True, capture=django_capture_on_commit_callbacks)
    for _ in range(3):
        assert download(c, job).status_code == 200
    rows = AuditEvent.objects.filter(action="job.download", object_id=str(job.pk))
    assert rows.count() == 3
    assert {(e.actor_id, e.org_path, e.data["clear_text"]) for e in rows} == {(admin.pk, world.t1.path, True)}


# -- uploaded rosters ---------------------------------------------------------------------------------

def _roster_upload(c, world) -> str:
    from tests.members.test_roster_xlsx import row, workbook

    r = c.post(reverse("member-roster-import"),
               {"file": SimpleUploadedFile("r.xlsx", workbook([row("东村党支部", "上传甲")]), content_type=XLSX)})
    assert r.status_code == 200 and 'data-testid="roster-preview"' in r.content.decode()
    return c.session["roster_import"]["token"]


def test_uploaded_rosters_live_under_var_0600_and_are_gone_after_the_import(world, login, settings, tmp_path):
    default = Path(django_settings.DANGJIAN_ROSTER_UPLOAD_DIR)
    assert Path(settings.VAR_DIR) in default.parents  # not a shared temporary folder
    settings.DANGJIAN_ROSTER_UPLOAD_DIR = str(tmp_path / "var" / "uploads" / "roster")
    c = login(world.users["town_admin"])
    token = _roster_upload(c, world)
    [kept] = list(Path(settings.DANGJIAN_ROSTER_UPLOAD_DIR).iterdir())
    assert kept.name == f"{token}.xlsx"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    r = c.post(reverse("member-roster-import-confirm"), {"token": token})
    assert r.status_code == 302 and Member.objects.filter(name="上传甲").exists()
    assert list(Path(settings.DANGJIAN_ROSTER_UPLOAD_DIR).iterdir()) == []


def test_an_abandoned_upload_is_deleted_by_the_periodic_sweep(world, login, settings, tmp_path):
    settings.DANGJIAN_ROSTER_UPLOAD_DIR = str(tmp_path / "var" / "uploads" / "roster")
    c = login(world.users["town_admin"])
    _roster_upload(c, world)  # previewed, never confirmed
    [kept] = list(Path(settings.DANGJIAN_ROSTER_UPLOAD_DIR).iterdir())
    assert "members.sweep_roster_uploads" in PERIODIC
    PERIODIC["members.sweep_roster_uploads"].call_local()
    assert kept.exists()  # fresh: the user may still confirm
    old = time.time() - settings.SESSION_COOKIE_AGE - 60
    os.utime(kept, (old, old))
    PERIODIC["members.sweep_roster_uploads"].call_local()  # no other upload needed
    assert not kept.exists()


def test_a_revoked_secretary_downloads_no_dues_export(world, login, settings, django_capture_on_commit_callbacks):
    from decimal import Decimal

    from dangjian.dues import services as dues_services
    from dangjian.dues.export import EXPORT_JOB_KIND

    settings.DANGJIAN_DUES_DIRECT_EXPORT_ROWS = 0
    month = timezone.localdate().replace(day=1)
    for m in (world.m_secretary, world.m_member):
        dues_services.set_profile(actor=None, member=m, category="salaried", base=Decimal("5400"), effective_month=month,
                                  today=month)
    dues_services.generate_bills(actor=None, month=month, org=world.b1)
    secretary = world.users["secretary"]
    c = login(secretary)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.get(reverse("dues-export"), {"org": world.b1.pk, "month": month.strftime("%Y-%m")})
    job = Job.objects.get(kind=EXPORT_JOB_KIND)
    assert r.status_code == 302 and r["Location"] == reverse("job-detail", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.access == [["dues", "export", world.b1.path]]
    assert download(c, job).status_code == 200
    revoke(secretary, world.b1, role="secretary")
    assert download(c, job).status_code == 403
