"""RightsRestriction moved to the members app (development and the meeting records need it too).

State only: the table ``elections_rightsrestriction`` stays where it is, with its rows; the
members app takes the model over in members.0005 (``db_table`` keeps the name).
"""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('elections', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='RightsRestriction')],
            database_operations=[],
        ),
    ]
