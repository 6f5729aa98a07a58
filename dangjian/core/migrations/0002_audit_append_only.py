"""Make the audit table append-only in the database itself, and create the chain head row."""
from django.db import migrations

from ._audit_sql import POSTGRES, POSTGRES_DROP, SQLITE, SQLITE_DROP


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)
    apps.get_model("core", "AuditHead").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    statements = POSTGRES_DROP if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
