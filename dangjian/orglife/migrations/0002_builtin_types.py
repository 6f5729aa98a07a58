from django.db import migrations

from dangjian.orglife.builtin_types import ensure_builtin_types


def add_types(apps, schema_editor):
    ensure_builtin_types(apps.get_model("orglife", "MeetingType"))


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
