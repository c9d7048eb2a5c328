"""What waits on the agents' home: today's appointments and no-shows still to record."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from engagements.shell.navigation import Todo

from .enums import BookingStatus
from .models import Booking

GROUP = "Rendez-vous"
SCOPE = {
    "prefecture_field": "procedure__prefecture",
    "site_field": "procedure__site",
    "service_field": "procedure__service",
}


def home_items(request) -> list[Todo]:
    prefecture = request.prefecture
    if not request.access.can(prefecture, "work"):
        return []
    now = timezone.now()
    start = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
    counts = request.access.scope(
        Booking.objects.filter(
            slot__starts_at__gte=start, slot__starts_at__lt=start + timedelta(days=1)
        ),
        prefecture,
        **SCOPE,
    ).aggregate(
        today=Count(
            "pk",
            filter=Q(
                status__in=[
                    BookingStatus.CONFIRMED,
                    BookingStatus.ATTENDED,
                    BookingStatus.LATE,
                    BookingStatus.NO_SHOW,
                ]
            ),
        ),
        to_record=Count("pk", filter=Q(status=BookingStatus.CONFIRMED, slot__ends_at__lt=now)),
    )
    url = reverse("appointments:agents-day", args=[prefecture.slug])
    items = []
    if counts["to_record"]:
        n = counts["to_record"]
        label = ngettext(
            "%(n)d rendez-vous passé sans présence ou absence enregistrée",
            "%(n)d rendez-vous passés sans présence ou absence enregistrée",
            n,
        ) % {"n": n}
        items.append(Todo(label, url, n, "warning", GROUP))
    if counts["today"]:
        n = counts["today"]
        label = ngettext("%(n)d rendez-vous aujourd'hui", "%(n)d rendez-vous aujourd'hui", n) % {
            "n": n
        }
        items.append(Todo(label, url, n, "info", GROUP))
    from .services.documents import overdue_waits

    n = overdue_waits(request.access.scope(Booking.objects.all(), prefecture, **SCOPE)).count()
    if n:
        # The agents' pages are in French only.
        label = (
            "1 rendez-vous en délai dépassé pour ses pièces : à prolonger, maintenir ou annuler"
            if n == 1
            else f"{n} rendez-vous en délai dépassé pour leurs pièces : "
            "à prolonger, maintenir ou annuler"
        )
        url = reverse("appointments:agents-documents-overdue", args=[prefecture.slug])
        items.append(Todo(label, url, n, "warning", GROUP))
    return items
