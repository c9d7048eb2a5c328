"""Read side of the outbox: a record's deliveries, a prefecture's failures."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .enums import Status
from .models import Delivery


def deliveries_for(record) -> QuerySet[Delivery]:
    """Every e-mail and SMS queued for this record, newest first."""
    record_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
    return Delivery.objects.filter(record_type=record_type, record_id=record.pk)


def deliveries_for_all(records) -> QuerySet[Delivery]:
    """Every delivery of several records (of any models) in one query, newest first."""
    condition = Q(pk__in=[])
    by_type: dict = {}
    for record in records:
        record_type = ContentType.objects.get_for_model(record, for_concrete_model=False)
        by_type.setdefault(record_type, []).append(record.pk)
    for record_type, ids in by_type.items():
        condition |= Q(record_type=record_type, record_id__in=ids)
    return Delivery.objects.filter(condition)


def failed_for(prefecture) -> QuerySet[Delivery]:
    """Deliveries of a prefecture that gave up (shown on the référent's home)."""
    return Delivery.objects.filter(prefecture=prefecture, status=Status.FAILED)


def status_of(record, purpose: str) -> str | None:
    """The latest delivery status for a record and purpose (None when nothing was queued)."""
    latest = deliveries_for(record).filter(purpose=purpose).values_list("status", flat=True)
    return latest.first()


def queue_health(now=None) -> dict:
    """For monitoring: deliveries waiting (pending or being sent), given up, and the age in
    seconds of the oldest one waiting (0 when none)."""
    now = now or timezone.now()
    waiting = Delivery.objects.filter(status__in=[Status.PENDING, Status.SENDING]).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    oldest = waiting["oldest"]
    return {
        "pending": waiting["count"],
        "failed": Delivery.objects.filter(status=Status.FAILED).count(),
        "oldest_pending_seconds": max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
    }
