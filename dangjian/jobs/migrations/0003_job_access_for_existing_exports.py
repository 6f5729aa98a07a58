"""Existing roster and dues exports get the rights their file needs at download (issue 10 item 5):
without this, a file finished before the upgrade would be served to its owner whatever their
roles until the retention job deletes it."""
from django.db import migrations


def fill_access(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for job in Job.objects.filter(access=[]).exclude(result_file="").iterator():
        params = job.params or {}
        if job.kind == "members.roster_export":
            access = [["member", "export", job.org_path]]
            if params.get("clear"):
                access.append(["member", "reveal", job.org_path])
            Job.objects.filter(pk=job.pk).update(access=access, clear_text=bool(params.get("clear")))
        elif job.kind == "dues.export":
            Job.objects.filter(pk=job.pk).update(access=[["dues", "export", job.org_path]])


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_job_access_retention_errors")]

    operations = [migrations.RunPython(fill_access, migrations.RunPython.noop)]
