"""PostgreSQL: byte-order collation on member names, so the existing b-tree ``member_name``
serves prefix search (``name LIKE '吴宇%'``) — the roster's name search."""
from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE members_member ALTER COLUMN name TYPE varchar(64) COLLATE "C"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE members_member ALTER COLUMN name TYPE varchar(64) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("members", "0003_org_path_c_collation")]
    operations = [migrations.RunPython(forwards, backwards)]
