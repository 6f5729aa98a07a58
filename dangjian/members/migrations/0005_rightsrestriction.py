"""The members app takes over RightsRestriction from elections (state only; same table)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0004_name_c_collation'),
        ('elections', '0002_rightsrestriction_to_members'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RightsRestriction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('org_path', models.CharField(db_index=True, max_length=255)),
                        ('kind', models.CharField(choices=[('probation', 'Placed on probation within the Party (留党察看)'), ('detained', 'Detained (留置) or arrested')], max_length=10, verbose_name='kind')),
                        ('starts_on', models.DateField(verbose_name='from')),
                        ('ends_on', models.DateField(blank=True, null=True, verbose_name='until')),
                        ('note', models.CharField(blank=True, default='', max_length=200, verbose_name='note')),
                        ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rights_restrictions', to='members.member')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={'db_table': 'elections_rightsrestriction', 'ordering': ['-starts_on', '-id']},
                ),
            ],
            database_operations=[],
        ),
    ]
