"""Mails and SMS of the public flows go out in the person's language (Arabic, Spanish,
Portuguese, Ukrainian): the booking's confirmation, the contact form's acknowledgement,
the survey invitation and the day-before SMS."""

import json
import re
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements import sms
from engagements.appointments import services as appointments
from engagements.appointments.models import Booking
from engagements.correspondence import services as correspondence
from engagements.correspondence.enums import Kind
from engagements.organisation.enums import Channel
from engagements.surveys.services import invite_after_visit
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.appointments.test_public import _accept, _details
from tests.mail import plain_text
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db

# (language, words of the confirmation request, of the acknowledgement, of the invitation)
EXPECTED = {
    "ar": ("أكِّد موعدك", "إشعار استلام رسالتك", "رأيك في موعدك", "تذكير: موعد"),
    "es": (
        "Confirme su cita",
        "Acuse de recibo de su mensaje",
        "Su opinión sobre su cita",
        "Recordatorio: cita",
    ),
    "pt": (
        "Confirme a sua marcação",
        "Aviso de receção da sua mensagem",
        "A sua opinião sobre a sua marcação",
        "Lembrete: marcação",
    ),
    "uk": (
        "Підтвердьте свій запис",
        "Підтвердження отримання вашого повідомлення",
        "Ваш відгук про прийом",
        "Нагадування: прийом",
    ),
}
LANGUAGES = sorted(EXPECTED)


@pytest.mark.parametrize("language", LANGUAGES)
def test_booking_from_a_page_in_the_language_mails_in_it(
    language, client, service, mailoutbox, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    _accept(client, procedure)
    details = f"/{language}" + reverse("appointments:details", args=[procedure.pk, slot.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(details, _details(slot))
    assert response.status_code == 302 and response["Location"].startswith(f"/{language}/")
    booking = Booking.objects.get()
    assert booking.language == language
    [mail] = mailoutbox
    assert mail.subject.startswith(EXPECTED[language][0])
    assert "Bonjour" not in mail.body and "Confirmez" not in mail.body
    # The link keeps the language: the confirmation page opens in it.
    link = re.search(r"https?://\S+/confirmer/\S+/", mail.body).group(0)
    assert f"/{language}/rendez-vous/confirmer/" in link


def _message(prefecture, service, language, **extra):
    """A message by e-mail from a person writing in `language`."""
    values = {
        "site": service.site,
        "service": service,
        "channel": Channel.EMAIL,
        "kind": Kind.INFORMATION,
        "received_on": date(2026, 3, 2),
        "sender_email": "lea.martin@example.test",
        "sender_name": "Léa Martin",
        "subject": "Titre de séjour",
        "language": language,
    }
    return correspondence.create_message(prefecture, **{**values, **extra})


@pytest.mark.parametrize("language", LANGUAGES)
def test_acknowledgement_in_the_language_of_the_message(
    language, prefecture, service, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _message(prefecture, service, language)
    [mail] = mailoutbox
    assert mail.subject == f"{EXPECTED[language][1]} {message.reference}"
    assert message.reference in mail.body and "Madame, Monsieur" not in mail.body


def test_published_french_acknowledgement_wording_is_not_sent_in_another_language(
    prefecture, service, mailoutbox, django_capture_on_commit_callbacks
):
    from engagements.correspondence.enums import AnswerChannel, TemplatePurpose
    from tests.correspondence.factories import TemplateFactory, VersionFactory

    VersionFactory(
        template=TemplateFactory(
            prefecture=prefecture,
            purpose=TemplatePurpose.ACKNOWLEDGEMENT,
            channel=AnswerChannel.EMAIL,
        ),
        body="Bien reçu : {reference}.",
        published=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        for language in ("fr", "es"):
            _message(prefecture, service, language, subject="Titre")
    french, spanish = mailoutbox
    assert "Bien reçu" in french.body
    assert "Bien reçu" not in spanish.body and "Hemos recibido su mensaje" in spanish.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_survey_invitation_in_the_language_of_the_booking(
    language, prefecture, service, mailoutbox, django_capture_on_commit_callbacks
):
    CampaignFactory(site=service.site, services=[service])
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_after_visit(prefecture, service, "venue@usager.test", language=language)
    assert invitation.language == language
    [mail] = mailoutbox
    assert mail.subject.startswith(EXPECTED[language][2])
    assert f"/{language}/avis-rdv/" in mail.body
    html = mail.alternatives[0][0]
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")


@pytest.mark.parametrize("language", LANGUAGES)
def test_day_before_sms_in_the_language_of_the_booking(
    language, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    start = timezone.make_aware(datetime(2026, 12, 10, 10, 0))
    BookingFactory(slot__starts_at=start, phone="0611", language=language)
    with time_machine.travel(timezone.make_aware(datetime(2026, 12, 9, 10, 5)), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert appointments.send_reminders()["sms"] == 1
    [line] = (tmp_path / "sms.log").read_text().splitlines()
    text = json.loads(line)["text"]
    assert f"/{language}/rendez-vous/v/" in text
    # One GSM-7 message (engagements.sms.one_sms): Ukrainian in Latin letters; Arabic has
    # no GSM writing, so its SMS goes in UCS-2, in at most two parts.
    if language == "pt":
        assert text.startswith("Lembrete: marcacao")  # "ç" and "ã" are not GSM letters
    elif language == "uk":
        assert text.startswith("Nahaduvannia: pryiom")
    elif language == "ar":
        assert text.startswith(EXPECTED["ar"][3]) and sms.sms_parts(text) <= 2
    else:
        assert text.startswith(EXPECTED[language][3]) and "Rappel" not in text


# "Tell the service why" in the missing-documents request: the service's name in
# parentheses after "the service handling your request", never bare after the verb.
TELL_THE_SERVICE = {
    "ar": "أخبر القسم الذي يعالج طلبك (Accueil général) وبيّن السبب",
    "es": "avise al servicio que tramita su solicitud (Accueil général) indicando el motivo",
    "pt": "avise o serviço que trata o seu pedido (Accueil général) e diga porquê",
    "uk": "повідомте службу, яка розглядає ваш запит (Accueil général), і поясніть чому",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_missing_documents_request_names_the_service_in_the_language(
    language, prefecture, service, agent, mailoutbox, django_capture_on_commit_callbacks
):
    service.name = "Accueil général"
    service.save(update_fields=["name"])
    message = _message(prefecture, service, language, acknowledge=False)
    with (
        time_machine.travel(date(2026, 3, 4), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        correspondence.request_documents(message, actor=agent, documents="Photo d'identité")
    [mail] = mailoutbox
    text = " ".join(plain_text(mail).split())
    assert TELL_THE_SERVICE[language] in text
    assert "prévenez" not in text
