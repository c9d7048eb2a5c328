from django.db import migrations, models


class Migration(migrations.Migration):
    """One small index for the queue (rows not sent, by status then due time) instead of an
    index on the status and one on the due time over every row ever sent."""

    dependencies = [
        ("outbox", "0003_slimmer_delivery_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="delivery", name="outbox_status_idx"),
        migrations.AlterField(
            model_name="delivery",
            name="next_attempt_at",
            field=models.DateTimeField(verbose_name="prochaine tentative"),
        ),
        migrations.AddIndex(
            model_name="delivery",
            index=models.Index(
                condition=models.Q(("status", "sent"), _negated=True),
                fields=["status", "next_attempt_at"],
                name="outbox_queue_idx",
            ),
        ),
    ]
