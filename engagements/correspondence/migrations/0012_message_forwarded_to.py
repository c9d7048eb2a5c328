"""Messages closed as forwarded keep the administration they went to in a field of their
own; it was read back from the closing event's text ("Transmis à une autre administration —
NAME"), which is filled in here for the messages closed before."""

from django.db import migrations, models

# The closing event's text as close_message wrote it (the reason's label, then the note).
FORWARDED_PREFIX = "Transmis à une autre administration — "


def fill_forwarded_to(apps, schema_editor):
    Message = apps.get_model("correspondence", "Message")
    MessageEvent = apps.get_model("correspondence", "MessageEvent")
    forwarded = Message.objects.filter(status="closed", closed_reason="forwarded")
    latest: dict[int, str] = {}
    events = (
        MessageEvent.objects.filter(message__in=forwarded, kind="closed")
        .order_by("message_id", "pk")
        .values_list("message_id", "text")
    )
    for message_id, text in events.iterator():
        latest[message_id] = text  # the last closing wins (a message reopened, closed again)
    changed = []
    for message_id, text in latest.items():
        if text.startswith(FORWARDED_PREFIX) and text[len(FORWARDED_PREFIX) :].strip():
            changed.append(
                Message(pk=message_id, forwarded_to=text[len(FORWARDED_PREFIX) :].strip()[:300])
            )
    Message.objects.bulk_update(changed, ["forwarded_to"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0011_social_network_channel"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="forwarded_to",
            field=models.CharField(blank=True, max_length=300, verbose_name="transmis à"),
        ),
        migrations.RunPython(fill_forwarded_to, migrations.RunPython.noop, elidable=True),
    ]
