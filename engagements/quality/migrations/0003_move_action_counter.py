# The action counters move to the one reference service (organisation.ReferenceCounter).

from django.db import migrations

SCOPE = "quality.action"


def forward(apps, schema_editor):
    Old = apps.get_model("quality", "ActionCounter")
    New = apps.get_model("organisation", "ReferenceCounter")
    New.objects.bulk_create(
        New(prefecture_id=c.prefecture_id, scope=SCOPE, year=c.year, last=c.last)
        for c in Old.objects.all()
    )


def backward(apps, schema_editor):
    Old = apps.get_model("quality", "ActionCounter")
    New = apps.get_model("organisation", "ReferenceCounter")
    Old.objects.bulk_create(
        Old(prefecture_id=c.prefecture_id, year=c.year, last=c.last)
        for c in New.objects.filter(scope=SCOPE)
    )
    New.objects.filter(scope=SCOPE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0002_move_survey_followups"),
        ("organisation", "0006_reference_counter"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="ActionCounter"),
    ]
