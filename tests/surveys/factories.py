"""Factories of the surveys app (traits named after scenarios)."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from engagements.surveys.defaults import END_OF_CALL, NOT_CONCERNED_CODES, STARS, YEARLY
from engagements.surveys.enums import (
    CampaignKind,
    Channel,
    CheckKind,
    CheckStatus,
    CommentStatus,
    Criterion,
    QuestionKind,
)
from engagements.surveys.models import (
    Answer,
    Campaign,
    Comment,
    Grid,
    GridCriterion,
    MysteryCheck,
    Question,
    Questionnaire,
    Response,
)
from tests.factories import PrefectureFactory, ServiceFactory

PRESETS = {"yearly": YEARLY, "stars": STARS, "end_of_call": END_OF_CALL}


class PresetQuestions(factory.declarations.PostGenerationDeclaration):
    """Creates the questions of the `preset` parameter (a trait picks it)."""

    def call(self, instance, step, context):
        preset = context.value if context.value_provided else step.stub.preset
        if not step.builder.strategy == factory.enums.CREATE_STRATEGY or not preset:
            return
        for i, (code, kind, criterion, fr, en) in enumerate(PRESETS[preset], start=1):
            Question.objects.create(
                questionnaire=instance,
                code=code,
                position=i,
                kind=kind,
                criterion=criterion,
                text=fr,
                translations={"en": {"text": en}},
                not_concerned=code in NOT_CONCERNED_CODES,
            )


class QuestionnaireFactory(factory.django.DjangoModelFactory):
    """`QuestionnaireFactory(yearly=True)`: seed 002's questions; also `stars`, `end_of_call`."""

    class Meta:
        model = Questionnaire
        skip_postgeneration_save = True

    prefecture = factory.SubFactory(PrefectureFactory)
    name = factory.Sequence(lambda n: f"Questionnaire {n}")

    class Params:
        preset = None
        yearly = factory.Trait(preset="yearly")
        stars = factory.Trait(preset="stars")
        end_of_call = factory.Trait(preset="end_of_call")

    questions = PresetQuestions()


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    position = factory.Sequence(lambda n: n)
    kind = QuestionKind.SCALE
    criterion = Criterion.COURTESY
    text = factory.Sequence(lambda n: f"Question {n} ?")

    class Params:
        stars = factory.Trait(kind=QuestionKind.STARS, criterion=Criterion.OVERALL)
        yes_no = factory.Trait(kind=QuestionKind.YES_NO)
        free_text = factory.Trait(kind=QuestionKind.TEXT, criterion="")


class CampaignFactory(factory.django.DjangoModelFactory):
    """A yearly campaign open today on one site; `finished=True`, `not_started=True`,
    `stars_poster=True`…"""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    site = factory.SubFactory("tests.factories.SiteFactory")
    prefecture = factory.LazyAttribute(lambda o: o.site.prefecture)
    questionnaire = factory.SubFactory(
        QuestionnaireFactory, prefecture=factory.SelfAttribute("..prefecture"), yearly=True
    )
    name = factory.Sequence(lambda n: f"Enquête {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))

    class Params:
        finished = factory.Trait(
            starts_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400)),
            ends_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=370)),
        )
        not_started = factory.Trait(
            starts_on=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=20)),
            ends_on=factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=40)),
        )
        stars_poster = factory.Trait(
            kind=CampaignKind.STARS,
            ends_on=None,
            questionnaire=factory.SubFactory(
                QuestionnaireFactory, prefecture=factory.SelfAttribute("..prefecture"), stars=True
            ),
        )
        end_of_call = factory.Trait(
            kind=CampaignKind.END_OF_CALL,
            ends_on=None,
            questionnaire=factory.SubFactory(
                QuestionnaireFactory,
                prefecture=factory.SelfAttribute("..prefecture"),
                end_of_call=True,
            ),
        )

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.services.set(extracted)


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    campaign = factory.SubFactory(CampaignFactory)
    channel = Channel.QR
    answered_on = factory.LazyFunction(timezone.localdate)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
    value = 4


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    response = factory.SubFactory(ResponseFactory)
    text = "L'accueil était agréable."
    status = CommentStatus.PENDING

    class Params:
        with_phone_number = factory.Trait(text="Rappelez-moi au 06 12 34 56 78", flags=["phone"])
        published = factory.Trait(status=CommentStatus.PUBLISHED)


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid
        skip_postgeneration_save = True

    prefecture = factory.SubFactory(PrefectureFactory)
    kind = CheckKind.CALL
    name = factory.Sequence(lambda n: f"Grille {n}")

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        labels = extracted or [
            "Décroché en 5 sonneries",
            "Formule d'accueil",
            "Information exacte",
            "Courtoisie",
        ]
        for i, label in enumerate(labels):
            GridCriterion.objects.create(grid=obj, position=i, label=label)


class MysteryCheckFactory(factory.django.DjangoModelFactory):
    """A planned check of a service by its own prefecture; `crossed_by=<prefecture>`."""

    class Meta:
        model = MysteryCheck

    service = factory.SubFactory(ServiceFactory)
    prefecture = factory.LazyAttribute(lambda o: o.service.site.prefecture)
    grid = factory.SubFactory(GridFactory, prefecture=factory.SelfAttribute("..prefecture"))
    checker_prefecture = factory.LazyAttribute(lambda o: o.prefecture)
    planned_on = factory.LazyFunction(lambda: date.today() + timedelta(days=3))
    status = CheckStatus.PLANNED
