"""Factories of the quality app."""

from datetime import date

import factory
from django.db import transaction

from engagements.quality import services
from engagements.quality.enums import AssessmentKind, FindingKind, StatusCode
from engagements.quality.models import (
    Action,
    ActionPlan,
    Assessment,
    Commitment,
    Experience,
    Finding,
    Module,
    Referential,
)
from tests.factories import SiteFactory


def _reference(prefecture, year) -> str:
    with transaction.atomic():
        return services.allocate_reference(prefecture, year)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlan

    site = factory.SubFactory(SiteFactory)
    prefecture = factory.SelfAttribute("site.prefecture")
    year = 2026


class ActionFactory(factory.django.DjangoModelFactory):
    """An action with a status given by its code (`state`), reference from the counter."""

    class Meta:
        model = Action
        exclude = ["state"]

    plan = factory.SubFactory(PlanFactory)
    prefecture = factory.SelfAttribute("plan.prefecture")
    site = factory.SelfAttribute("plan.site")
    title = factory.Sequence(lambda n: f"Action d'amélioration {n}")
    opened_on = date(2026, 1, 15)
    state = StatusCode.PLANNED
    status = factory.LazyAttribute(lambda o: services.status_for_code(o.prefecture, o.state))
    progress = factory.LazyAttribute(lambda o: o.status.default_progress)
    reference = factory.LazyAttribute(lambda o: _reference(o.prefecture, o.plan.year))


class ReferentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referential

    code = factory.Sequence(lambda n: f"ref-{n}")
    name = "Référentiel de test"
    version = "1"


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    referential = factory.SubFactory(ReferentialFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Module {n}")
    mandatory = True


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    module = factory.SubFactory(ModuleFactory)
    ref = factory.Sequence(lambda n: f"E{n}")
    title = factory.Sequence(lambda n: f"Engagement {n}")


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    site = factory.SubFactory(SiteFactory)
    prefecture = factory.SelfAttribute("site.prefecture")
    referential = factory.SubFactory(ReferentialFactory)
    kind = AssessmentKind.EXTERNAL_INITIAL
    planned_on = date(2026, 6, 1)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    assessment = factory.SubFactory(AssessmentFactory)
    kind = FindingKind.IMPROVEMENT_TRACK
    text = "Afficher les horaires d'affluence à l'entrée"


class ExperienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Experience

    external_id = factory.Sequence(lambda n: f"EXP-{n}")
    structure = "Préfecture d'Alpha"
    title = "Attente au guichet"
    published_on = date(2026, 3, 2)
