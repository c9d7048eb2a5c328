"""Correspondence says "envoyée" only once the mail has left; a failure shows and resends."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.correspondence import services
from engagements.correspondence.enums import AnswerChannel, EventKind
from engagements.correspondence.models import Answer, Message
from engagements.outbox import services as outbox
from engagements.outbox.enums import Status as DeliveryStatus
from engagements.outbox.models import Delivery
from tests.correspondence.factories import MessageFactory
from tests.mail import free_port

pytestmark = pytest.mark.django_db


def _mail_server_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_TIMEOUT = 2


def _give_up(delivery):
    now = timezone.now()
    while delivery.status != DeliveryStatus.FAILED:
        now += timedelta(hours=7)
        outbox.deliver(delivery.pk, now=now)
        delivery.refresh_from_db()


def test_a_failed_answer_shows_as_failed_then_is_resent(
    prefecture, service, quality_lead, client_for, smtp_mail, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    message = MessageFactory(service=service, received_on=date(2026, 3, 2))
    client = client_for(quality_lead)
    detail = reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
    settings.EMAIL_PORT = free_port()  # the mail server is down
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk]),
            {
                "channel": AnswerChannel.EMAIL,
                "answered_on": date(2026, 3, 3).isoformat(),
                "subject": "Votre dossier",
                "text": "Votre dossier est complet.",
            },
            follow=True,
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Réponse envoyée" not in page
    assert "en cours d'envoi" in page
    answer = Answer.objects.get()
    assert answer.sent_at is None

    delivery = Delivery.objects.get(purpose="correspondence.answer")
    _give_up(delivery)
    page = client.get(detail).content.decode()
    assert "envoi en échec" in page
    assert "Le serveur de messagerie était injoignable" in page
    assert "Renvoyer" in page
    assert Message.objects.get().events.filter(kind=EventKind.DELIVERY_FAILED).exists()

    settings.EMAIL_PORT = smtp_mail.port  # the server is back
    resend = reverse(
        "correspondence:agents-resend", args=[prefecture.slug, message.pk, delivery.pk]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(resend, follow=True)
    assert "Envoi relancé" in response.content.decode()
    [received] = smtp_mail.to(message.sender_email)
    assert received.subject == "Votre dossier"
    answer.refresh_from_db()
    assert answer.sent_at is not None
    page = client.get(detail).content.decode()
    assert "Courriel envoyé le" in page and "envoi en échec" not in page
    assert message.events.filter(kind=EventKind.ANSWER_SENT).count() == 1


def test_resend_is_refused_to_an_agent_of_another_site(
    prefecture, service, agent_other_site, client_for, settings
):
    from tests.outbox.agent_urls import failed_delivery

    message = MessageFactory(service=service)
    delivery = failed_delivery(prefecture, record=message, purpose="correspondence.answer")
    url = reverse("correspondence:agents-resend", args=[prefecture.slug, message.pk, delivery.pk])
    assert client_for(agent_other_site).post(url).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_acknowledgement_is_marked_sent_only_once_it_left(
    prefecture, service, settings, mailoutbox, django_capture_on_commit_callbacks
):
    _mail_server_down(settings)
    with time_machine.travel(date(2026, 3, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            message = services.create_message(
                prefecture,
                site=service.site,
                service=service,
                channel="email",
                kind="information",
                received_on=date(2026, 3, 2),
                sender_email="lea.martin@example.test",
                subject="Mon titre",
                body="Bonjour",
            )
    message.refresh_from_db()
    assert message.acknowledged_at is None
    assert not message.events.filter(kind=EventKind.ACKNOWLEDGED).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver_due(now=timezone.now() + timedelta(minutes=1)) == 1
    message.refresh_from_db()
    assert message.acknowledged_at is not None
    assert message.events.filter(kind=EventKind.ACKNOWLEDGED).count() == 1
    assert [m.to for m in mailoutbox] == [["lea.martin@example.test"]]


def test_an_unusable_sender_address_still_registers_the_message(prefecture, service):
    message = services.create_message(
        prefecture,
        site=service.site,
        service=service,
        channel="email",
        kind="information",
        received_on=timezone.localdate(),
        sender_email="rep1@exemple\u0095.fr",
        body="Bonjour",
    )
    assert message.reference
    assert message.events.filter(kind=EventKind.DELIVERY_FAILED).exists()
    assert Delivery.objects.count() == 0


def test_contact_form_refuses_an_address_the_mail_server_cannot_take(prefecture, service, client):
    from tests.correspondence.test_views import contact_data

    url = reverse("correspondence:contact", args=[prefecture.slug])
    response = client.post(url, contact_data(service, email="rep1@exemple\u0095.fr"))
    assert response.status_code == 400  # the form again, with its errors
    assert "adresse de courriel valide" in response.content.decode()
    assert Message.objects.count() == 0


def test_answering_an_unusable_address_explains_and_records_nothing(
    prefecture, service, quality_lead, client_for
):
    message = MessageFactory(service=service, sender_email="rep1@exemple\u0095.fr")
    response = client_for(quality_lead).post(
        reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk]),
        {
            "channel": AnswerChannel.EMAIL,
            "answered_on": message.received_on.isoformat(),
            "subject": "Votre dossier",
            "text": "Votre dossier est complet.",
        },
    )
    assert response.status_code == 200
    assert "n&#x27;est pas valide" in response.content.decode()
    assert Answer.objects.count() == 0
