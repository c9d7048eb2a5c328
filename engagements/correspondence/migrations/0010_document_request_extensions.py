# Missing documents: the 8 days are indicative (issue 23, item 1). A wait keeps its own end
# (moved by an extension), the person's request for more time, and when it went overdue.

import datetime

import django.core.validators
from django.db import migrations, models


def fill_ends_on(apps, schema_editor):
    DocumentRequest = apps.get_model("correspondence", "DocumentRequest")
    for wait in DocumentRequest.objects.all().only("pk", "requested_on"):
        wait.ends_on = wait.requested_on + datetime.timedelta(days=8)
        wait.save(update_fields=["ends_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0009_move_reference_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="registersettings",
            name="extension_max_days",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="Compté après les 8 jours de la demande ; un agent peut accorder davantage.",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(365),
                ],
                verbose_name="délai complémentaire que l'usager peut demander pour ses pièces (jours)",
            ),
        ),
        migrations.AddField(
            model_name="documentrequest",
            name="ends_on",
            field=models.DateField(null=True, verbose_name="attendues jusqu'au"),
        ),
        migrations.RunPython(fill_ends_on, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="documentrequest",
            name="ends_on",
            field=models.DateField(verbose_name="attendues jusqu'au"),
        ),
        migrations.AddField(
            model_name="documentrequest",
            name="extension_asked_on",
            field=models.DateField(
                blank=True,
                null=True,
                verbose_name="délai complémentaire demandé par l'usager le",
            ),
        ),
        migrations.AddField(
            model_name="documentrequest",
            name="extension_reason",
            field=models.TextField(blank=True, verbose_name="motif du délai complémentaire"),
        ),
        migrations.AddField(
            model_name="documentrequest",
            name="overdue_on",
            field=models.DateField(blank=True, null=True, verbose_name="délai dépassé depuis le"),
        ),
        migrations.AlterField(
            model_name="messageevent",
            name="kind",
            field=models.CharField(choices=[('created', 'Enregistrement'), ('assigned', 'Attribution'), ('answered', 'Réponse'), ('answer_sent', 'Réponse envoyée par courriel'), ('closed', 'Clôture'), ('reopened', 'Réouverture'), ('comment', 'Commentaire interne'), ('acknowledged', 'Accusé de réception'), ('delivery_failed', 'Envoi en échec'), ('reply_received', "Nouveau courriel de l'usager"), ('duplicate_flagged', 'Doublon possible signalé'), ('linked', 'Lié à un autre message'), ('merged', 'Fusionné'), ('updated', 'Modification'), ('imported', 'Import CSV'), ('purged', 'Données personnelles effacées'), ('documents_requested', 'Demande de pièces manquantes'), ('documents_reminded', 'Relance pour les pièces manquantes'), ('documents_received', 'Pièces reçues, reprise du traitement'), ('document_added', "Document déposé par l'usager"), ('documents_extended', 'Délai complémentaire pour les pièces'), ('documents_overdue', 'Délai des pièces dépassé')], max_length=30),
        ),
    ]
