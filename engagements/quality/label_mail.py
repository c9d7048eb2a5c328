"""Daily: mail the référent qualité, once per label and reason, the labels expiring within
180 days and those whose renewal audit is not planned before their end."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from engagements.organisation.enums import RoleKind
from engagements.organisation.models import Prefecture, Role

from .labels import labels_to_act_on
from .models import Label


def _recipients(prefecture: Prefecture) -> list[str]:
    leads = Role.objects.filter(
        prefecture=prefecture, kind=RoleKind.QUALITY_LEAD, user__is_active=True
    ).select_related("user")
    addresses = sorted({r.user.email for r in leads if r.user.email})
    return addresses or ([prefecture.email] if prefecture.email else [])


def send_label_alerts() -> int:
    """Queue one mail per prefecture listing its labels to act on not yet alerted for that
    reason; marks them (in the mail's transaction) so that each is mailed once per reason."""
    from engagements.outbox.services import OutboxError, queue_mail

    today = timezone.localdate()
    pending = Label.objects.filter(obtained_on__lte=today).filter(
        Q(expiry_alerted_on__isnull=True) | Q(audit_alerted_on__isnull=True)
    )
    sent = 0
    for prefecture in Prefecture.objects.filter(pk__in=pending.values("prefecture_id")):
        to_act_on = labels_to_act_on(prefecture, today)
        expiring = [c.label for c in to_act_on["expiring"] if c.label.expiry_alerted_on is None]
        unplanned = [c.label for c in to_act_on["unplanned"] if c.label.audit_alerted_on is None]
        if not expiring and not unplanned:
            continue
        reasons: dict[int, list[str]] = defaultdict(list)
        rows: dict[int, Label] = {}
        for label in expiring:
            reasons[label.pk].append(f"valable jusqu'au {label.valid_until:%d/%m/%Y}")
            rows[label.pk] = label
        for label in unplanned:
            reasons[label.pk].append("audit de renouvellement non planifié")
            rows[label.pk] = label
        labels = list(rows.values())
        with transaction.atomic():
            recipients = _recipients(prefecture)
            if recipients:
                try:
                    queue_mail(
                        "quality/mail/labels",
                        {
                            "prefecture": prefecture,
                            "items": [(label, reasons[label.pk]) for label in labels],
                            "site_url": settings.SITE_URL,
                        },
                        recipients,
                        prefecture=prefecture,
                        record=labels[0],
                        purpose="quality-labels",
                    )
                    sent += 1
                except OutboxError:
                    pass
            Label.objects.filter(pk__in=[label.pk for label in expiring]).update(
                expiry_alerted_on=today
            )
            Label.objects.filter(pk__in=[label.pk for label in unplanned]).update(
                audit_alerted_on=today
            )
    return sent
