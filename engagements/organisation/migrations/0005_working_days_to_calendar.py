# The working-day table now belongs to the calendar app (calendar.0001 takes the model into
# its state): organisation forgets the model without touching the table or its rows.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0004_working_days'),
        ('calendar', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='WorkingDay')],
            database_operations=[],
        ),
    ]
