"""A message past its retention period keeps no trace of the person in the outbox either."""

from datetime import date

import pytest
import time_machine

from engagements.correspondence import services
from engagements.correspondence.enums import AnswerChannel
from engagements.correspondence.models import Answer, RegisterSettings
from engagements.outbox.models import Delivery
from tests.correspondence.factories import MessageFactory
from tests.outbox.agent_urls import failed_delivery


@pytest.mark.django_db
def test_the_mails_of_a_purged_message_go_with_its_details(prefecture, service):
    RegisterSettings.objects.create(prefecture=prefecture, retention_years=2)
    old = MessageFactory(service=service, answered_on_time=True, received_on=date(2023, 3, 1))
    answer = Answer.objects.create(
        message=old,
        channel=AnswerChannel.EMAIL,
        answered_on=date(2023, 3, 6),
        subject="Votre demande",
        text=f"Madame {old.sender_name}, …",
    )
    recent = MessageFactory(service=service, answered_on_time=True, received_on=date(2025, 6, 2))
    acknowledgement = failed_delivery(prefecture, record=old, to=[old.sender_email])
    answer_mail = failed_delivery(prefecture, record=answer, to=[old.sender_email])
    kept = failed_delivery(prefecture, record=recent, to=[recent.sender_email])
    with time_machine.travel(date(2026, 3, 10)):
        assert services.purge_personal_data() == 1
    assert not Delivery.objects.filter(pk__in=[acknowledgement.pk, answer_mail.pk]).exists()
    assert Delivery.objects.filter(pk=kept.pk).exists()


@pytest.mark.django_db
def test_the_reason_given_for_more_time_goes_with_the_person_s_details(
    prefecture, service, auditor, agent, client_for
):
    """Asking for more time to send documents, the person writes why (her health, her
    family): the staff read it, the auditor does not, and the purge forgets it."""
    from django.urls import reverse

    from engagements.correspondence.models import DocumentRequest

    RegisterSettings.objects.create(prefecture=prefecture, retention_years=2)
    old = MessageFactory(service=service, answered_on_time=True, received_on=date(2023, 3, 1))
    wait = DocumentRequest.objects.create(
        message=old,
        requested_on=date(2023, 3, 2),
        ends_on=date(2023, 3, 20),
        documents="Justificatif de domicile",
        extension_asked_on=date(2023, 3, 10),
        extension_reason="Hospitalisée jusqu'au 25",
    )
    page = reverse("correspondence:agents-detail", args=[prefecture.slug, old.pk])
    assert "Hospitalisée" in client_for(agent).get(page).content.decode()
    html = client_for(auditor).get(page).content.decode()
    assert "demandé par l'usager le 10/03/2023" in html and "Hospitalisée" not in html
    with time_machine.travel(date(2026, 3, 10)):
        assert services.purge_personal_data() == 1
    wait.refresh_from_db()
    assert wait.extension_reason == "" and wait.documents == ""
