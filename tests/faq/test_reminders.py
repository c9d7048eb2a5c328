"""Answers not reviewed for FAQ_REVIEW_MONTHS: one reminder mail per service, never twice."""

import pytest
import time_machine

from engagements.faq import services
from engagements.outbox.models import Delivery
from tests.faq.factories import EntryFactory

pytestmark = pytest.mark.django_db


def test_daily_job_mails_each_service_once(
    prefecture, service, other_service, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.FAQ_REVIEW_MONTHS = 6
    service.email = "sejour@alpha.test"
    service.save()
    prefecture.email = "pref@alpha.test"
    prefecture.save()
    with time_machine.travel("2026-01-15 09:00 +01:00"):
        old = EntryFactory(service=service, question="Vieille question ?")
        EntryFactory(service=service, question="Autre vieille question ?")
        EntryFactory(prefecture=prefecture, question="Question générale ?")
    with time_machine.travel("2026-07-14 09:00 +02:00"):
        assert services.send_review_reminders() == 0
    with time_machine.travel("2026-07-15 09:00 +02:00"):
        EntryFactory(service=other_service, question="Récente ?")
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_review_reminders() == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_review_reminders() == 0
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"sejour@alpha.test", "pref@alpha.test"}
    body = by_address["sejour@alpha.test"].body
    assert "Vieille question ?" in body and "Autre vieille question ?" in body
    assert by_address["sejour@alpha.test"].subject.startswith("FAQ : 2 réponses à relire")
    assert Delivery.objects.filter(purpose="faq-review").count() == 2
    # Reviewed, then overdue again six months later: reminded again.
    with time_machine.travel("2026-07-20 09:00 +02:00"):
        services.mark_reviewed(old, actor=None)
    mailoutbox.clear()
    with time_machine.travel("2027-01-21 09:00 +01:00"):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_review_reminders() == 2  # and "Récente ?" is now due too
    again = next(m for m in mailoutbox if m.to == ["sejour@alpha.test"])
    assert "Vieille question ?" in again.body and "Autre vieille" not in again.body


def test_a_single_answer_is_spoken_of_in_the_singular(
    prefecture, service, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.FAQ_REVIEW_MONTHS = 6
    service.email = "sejour@alpha.test"
    service.save()
    with time_machine.travel("2026-01-15 09:00 +01:00"):
        EntryFactory(service=service, question="Seule question ?")
    with time_machine.travel("2026-07-15 09:00 +02:00"):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_review_reminders() == 1
    body = mailoutbox[0].body
    assert "Cette réponse de la FAQ" in body
    assert "Relisez-la dans l'espace agents ; si elle est toujours juste" in body
    assert "Relisez-les" not in body
