"""Sample URL arguments for every agent URL of the outbox app."""

from django.utils import timezone

from engagements.outbox.enums import Kind, Status
from engagements.outbox.models import Delivery


def failed_delivery(prefecture, record=None, **fields) -> Delivery:
    from django.contrib.contenttypes.models import ContentType

    record_fields = {}
    if record is not None:
        record_fields = {
            "record_type": ContentType.objects.get_for_model(record),
            "record_id": record.pk,
        }
    return Delivery.objects.create(
        prefecture=prefecture,
        kind=Kind.EMAIL,
        status=fields.pop("status", Status.FAILED),
        purpose=fields.pop("purpose", "test"),
        to=fields.pop("to", ["camille@exemple.fr"]),
        subject=fields.pop("subject", "Votre demande"),
        body="Bonjour",
        attempts=8,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        next_attempt_at=timezone.now(),
        **record_fields,
        **fields,
    )


def cases(prefecture, site, service) -> dict[str, dict]:
    return {
        "outbox:agents-failed": {},
        "outbox:agents-resend": {"pk": failed_delivery(prefecture).pk},
    }
