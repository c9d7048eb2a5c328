"""Factories of the register; traits are named after scenarios (docs/style.md)."""

from datetime import date, timedelta

import factory

from engagements.calendar.stored import ensure_covering
from engagements.calendar.workdays import calendar_for
from engagements.correspondence.enums import (
    AnswerChannel,
    ClosedReason,
    Kind,
    Status,
    TemplatePurpose,
    VersionStatus,
)
from engagements.correspondence.models import Message, Template, TemplateVersion, Topic
from engagements.organisation.enums import Channel
from tests.factories import ServiceFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Thème {n}")


class MessageFactory(factory.django.DjangoModelFactory):
    """A message registered without the service (no reference counter, no mail):
    for fixtures of lists and figures. Use services.create_message for the real path."""

    class Meta:
        model = Message
        skip_postgeneration_save = True

    service = factory.SubFactory(ServiceFactory)
    site = factory.LazyAttribute(lambda o: o.service.site)
    prefecture = factory.LazyAttribute(lambda o: o.site.prefecture)
    reference = factory.Sequence(lambda n: f"2026-{n + 1:06d}")
    year = factory.LazyAttribute(lambda o: int(o.reference[:4]))
    channel = Channel.EMAIL
    kind = Kind.INFORMATION
    sender_name = factory.Sequence(lambda n: f"Usager {n}")
    sender_email = factory.Sequence(lambda n: f"usager{n}@example.test")
    subject = factory.Sequence(lambda n: f"Question numéro {n} sur mon dossier")
    body = "Bonjour, où en est mon dossier ?"
    received_on = date(2026, 3, 2)
    deadline_days = factory.LazyAttribute(lambda o: o.prefecture.deadline_for(o.channel))
    due_on = factory.LazyAttribute(
        lambda o: calendar_for(o.prefecture, o.site).add_working_days(
            o.received_on, o.deadline_days
        )
    )
    status = Status.NEW

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Like the services, a message arriving extends the stored working-day calendars
        # to its days (figures never write them).
        message = super()._create(model_class, *args, **kwargs)
        ensure_covering(message.prefecture, message.received_on, message.answered_on)
        return message

    class Params:
        letter = factory.Trait(
            channel=Channel.LETTER,
            sender_email="",
            sender_address="12 rue des Lilas\n75011 Paris",
        )
        complaint = factory.Trait(kind=Kind.COMPLAINT)
        answered_on_time = factory.Trait(
            status=Status.ANSWERED,
            answered_on=factory.LazyAttribute(lambda o: o.received_on + timedelta(days=1)),
        )
        answered_late = factory.Trait(
            status=Status.ANSWERED,
            answered_on=factory.LazyAttribute(lambda o: o.due_on + timedelta(days=7)),
        )
        spam = factory.Trait(
            status=Status.CLOSED,
            closed_reason=ClosedReason.SPAM,
            closed_on=factory.LazyAttribute(lambda o: o.received_on),
        )


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Template

    name = factory.Sequence(lambda n: f"Modèle {n}")
    purpose = TemplatePurpose.INFORMATION_ANSWER
    channel = AnswerChannel.EMAIL


EMAIL_BODY = (
    "Madame, Monsieur {usager_nom},\n\nVotre message {reference} du {date_reception} "
    "a retenu toute notre attention.\n\n[Réponse personnalisée]\n\n"
    "{direction} — {service_nom}\n{prefecture_nom}, {prefecture_adresse}"
)
LETTER_BODY = (
    "{expediteur}\n{service_coordonnees}\n\n{lieu}, le {date_du_jour}\n\n"
    "Destinataire : {usager_nom}, {usager_adresse}\n\nObjet : {objet} (réf. {reference})\n\n"
    "Madame, Monsieur,\n\nEn réponse à votre courrier du {date_reception}, [réponse].\n\n"
    "Veuillez agréer, Madame, Monsieur, l'expression de mes salutations distinguées.\n\n"
    "{signataire_prenom} {signataire_nom}\n{signataire_fonction}\n\n"
    "{prefecture_nom} — {prefecture_adresse} — {prefecture_telephone} — {prefecture_site}"
)


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateVersion

    template = factory.SubFactory(TemplateFactory)
    number = 1
    subject = "Votre message {reference}"
    body = factory.LazyAttribute(
        lambda o: LETTER_BODY if o.template.channel == AnswerChannel.LETTER else EMAIL_BODY
    )
    status = VersionStatus.DRAFT

    class Params:
        published = factory.Trait(status=VersionStatus.PUBLISHED)
        submitted = factory.Trait(
            status=VersionStatus.SUBMITTED, observations_until=date(2026, 3, 16)
        )
