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
