# The working-day table moves from organisation to calendar: this migration only takes the
# model into calendar's state (the table, organisation_workingday, exists already and keeps
# its rows); 0002 renames it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('organisation', '0004_working_days'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='WorkingDay',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('day', models.DateField()),
                        ('number', models.PositiveIntegerField()),
                        ('prefecture', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisation.prefecture')),
                        ('site', models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='organisation.site')),
                    ],
                    options={
                        'verbose_name': 'jour du calendrier ouvré',
                        'db_table': 'organisation_workingday',
                        'indexes': [models.Index(fields=['site', 'day'], name='workingday_site_day')],
                        'constraints': [models.UniqueConstraint(fields=('prefecture', 'site', 'day'), name='one_working_day_row_per_calendar', nulls_distinct=False)],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
