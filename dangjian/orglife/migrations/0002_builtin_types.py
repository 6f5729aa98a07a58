from django.db import migrations

from dangjian.orglife.builtin_types import BUILTIN_TYPES


def add_types(apps, schema_editor):
    MeetingType = apps.get_model("orglife", "MeetingType")
    for order, (code, name, name_en, audience, frequency, required, due_quarter, voting, rule) in enumerate(BUILTIN_TYPES):
        MeetingType.objects.update_or_create(
            owner_path="", code=code,
            defaults=dict(name=name, name_en=name_en, audience=audience, frequency=frequency, required=required,
                          due_quarter=due_quarter, voting=voting, rule_ref=rule, order=(order + 1) * 10),
        )


class Migration(migrations.Migration):
    dependencies = [("orglife", "0001_initial")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
