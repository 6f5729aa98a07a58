"""The job services assert their actor (decisions.md 38): nobody starts a job for a result they
may not read, and the rights a result needs are asserted again at download and at retry."""
from __future__ import annotations

import pytest

from dangjian.core import policy
from dangjian.core.models import AuditEvent
from dangjian.jobs import services
from dangjian.jobs.api import start_job
from dangjian.jobs.models import Job


def _access(world):
    return [("member", "export", world.b1.path)]


def test_a_sibling_secretary_may_not_start_a_job_for_b1(world, job_kind):
    with pytest.raises(policy.NotPermitted) as exc:
        start_job(actor=world.users["secretary2"], kind="test.export", params={}, org_path=world.b1.path,
                  access=_access(world))
    assert exc.value.code == "not_permitted"
    assert Job.objects.count() == 0


def test_the_branch_secretary_starts_it(world, job_kind):
    job = start_job(actor=world.users["secretary"], kind="test.export", params={}, org_path=world.b1.path,
                    access=_access(world))
    assert Job.objects.filter(pk=job.pk, actor=world.users["secretary"]).exists()


def _job(world, owner, **over):
    fields = {"kind": "test.export", "params": {}, "actor": owner, "org_path": world.b1.path,
              "access": [list(a) for a in _access(world)], "status": Job.Status.FAILED}
    return Job.objects.create(**{**fields, **over})


def test_retry_asserts_the_rights_again(world, job_kind):
    """The owner of a failed B1 export who is now the secretary of B2 only gets nothing new."""
    job = _job(world, world.users["secretary2"])
    with pytest.raises(services.JobRefused) as exc:
        services.retry_job(actor=world.users["secretary2"], job=job)
    assert exc.value.code == "not_allowed"
    assert Job.objects.count() == 1 and not AuditEvent.objects.filter(action="job.retry").exists()
    new = services.retry_job(actor=world.users["secretary"], job=_job(world, world.users["secretary"]))
    assert new.retry_of_id and AuditEvent.objects.filter(action="job.retry").exists()


def test_download_asserts_the_rights_again(world, job_kind):
    job = _job(world, world.users["secretary2"], status=Job.Status.DONE, result_file="x.xlsx")
    with pytest.raises(services.JobRefused) as exc:
        services.download(actor=world.users["secretary2"], job=job)
    assert exc.value.code == "not_allowed"
    assert not AuditEvent.objects.filter(action="job.download").exists()
    assert AuditEvent.objects.filter(action="job.download_refused", data__code="not_allowed").exists()
