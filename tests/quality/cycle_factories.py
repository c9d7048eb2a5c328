"""Factories of the label cycle (labels, training sessions), with traits named after
scenarios."""

from datetime import date
from decimal import Decimal

import factory

from engagements.quality.models import Label, TrainingSession
from tests.factories import ServiceFactory, SiteFactory


class LabelFactory(factory.django.DjangoModelFactory):
    """A Qual-e-pref label on module 1, obtained in 2024 for three years, audit planned."""

    class Meta:
        model = Label

    site = factory.SubFactory(SiteFactory)
    prefecture = factory.SelfAttribute("site.prefecture")
    module = 1
    label = "qualepref"
    obtained_on = date(2024, 1, 15)
    valid_until = date(2027, 1, 14)
    audit_body = "AFNOR Certification"
    last_audit_on = date(2024, 1, 10)
    next_audit_on = date(2026, 10, 1)

    class Params:
        # Ends on 2026-09-30: at most 180 days away from mid-2026.
        expiring = factory.Trait(valid_until=date(2026, 9, 30), next_audit_on=date(2026, 9, 1))
        audit_unplanned = factory.Trait(next_audit_on=None)
        expired = factory.Trait(
            obtained_on=date(2020, 1, 15), valid_until=date(2023, 1, 14), next_audit_on=None
        )


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    service = factory.SubFactory(ServiceFactory)
    site = factory.SelfAttribute("service.site")
    prefecture = factory.SelfAttribute("service.site.prefecture")
    date = date(2026, 3, 10)
    topic = "accueil"
    title = factory.Sequence(lambda n: f"Session d'accueil {n}")
    hours = Decimal("3.5")
    participants = 10
    trainer = "Centre de formation"

    class Params:
        fraud = factory.Trait(topic="fraude", title="Détection de la fraude documentaire")
