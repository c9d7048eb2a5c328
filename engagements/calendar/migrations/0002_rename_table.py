# The table takes the calendar app's name (a rename: the rows stay), and the content type
# (with its permissions) follows the model.

from django.db import migrations


def move_content_type(apps, schema_editor, old="organisation", new="calendar"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label=new, model="workingday").exists():
        ContentType.objects.using(db).filter(app_label=old, model="workingday").update(
            app_label=new
        )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, old="calendar", new="organisation")


class Migration(migrations.Migration):

    dependencies = [
        ('calendar', '0001_initial'),
        ('organisation', '0005_working_days_to_calendar'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelTable(name='workingday', table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
