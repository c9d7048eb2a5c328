"""A failed delivery in a browser: the référent's home lists it, the list resends it, and the
message page says "envoi en échec" then "envoyé"."""

import pytest
from django.urls import reverse

from engagements.correspondence.enums import AnswerChannel
from engagements.correspondence.models import Answer
from engagements.outbox.enums import Status
from tests.browser import assert_accessible, screenshot
from tests.correspondence.factories import MessageFactory
from tests.e2e.test_correspondence_agents import login
from tests.outbox.agent_urls import failed_delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_failed_answer_from_home_to_resend(page, live_server, prefecture, service, quality_lead):
    message = MessageFactory(service=service, answered_on_time=True)
    answer = Answer.objects.create(
        message=message,
        channel=AnswerChannel.EMAIL,
        answered_on=message.answered_on,
        subject="Votre dossier",
        text="Votre dossier est complet.",
    )
    delivery = failed_delivery(
        prefecture,
        record=answer,
        to=[message.sender_email],
        purpose="correspondence.answer",
        subject="Votre dossier",
    )
    login(page, quality_lead)
    page.goto(reverse("organisation:agents-home"))
    with page.expect_navigation():
        page.get_by_role("link", name="1 envoi en échec (courriel ou SMS) à relancer").click()
    assert message.reference in page.content()
    assert "Le serveur de messagerie était injoignable" in page.content()
    assert_accessible(page)
    screenshot(page, "outbox-failed-list")

    with page.expect_navigation():
        page.get_by_role("link", name=message.reference).click()
    assert "envoi en échec" in page.content()
    assert_accessible(page)
    screenshot(page, "outbox-message-failed")

    with page.expect_navigation():
        page.get_by_role("button", name="Renvoyer").click()
    assert "Envoi relancé" in page.content()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    answer.refresh_from_db()
    assert answer.sent_at is not None
    assert "Courriel envoyé le" in page.content() or "envoi en échec" not in page.content()
    screenshot(page, "outbox-message-resent")
