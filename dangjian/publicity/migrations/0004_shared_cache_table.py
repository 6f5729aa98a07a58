"""The database cache table (settings CACHES without Redis): made by every `migrate`, so the public
boards' invalidation and the rate limits are shared by all workers from the first request
(issue 10 item 8). A no-op when the cache is Redis or the table exists."""
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("publicity", "0003_version_public_phones")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
