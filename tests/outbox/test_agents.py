"""The référent's failed deliveries: home item, list (bounded queries), resend."""

import pytest
from django.urls import reverse

from engagements.correspondence.enums import AnswerChannel
from engagements.correspondence.models import Answer
from engagements.outbox.enums import Status
from engagements.shell import navigation
from tests.appointments.factories import BookingFactory, ProcedureFactory
from tests.correspondence.factories import MessageFactory
from tests.outbox.agent_urls import failed_delivery

pytestmark = pytest.mark.django_db


def _failures(prefecture, service, n):
    for _ in range(n):
        message = MessageFactory(service=service)
        answer = Answer.objects.create(
            message=message,
            channel=AnswerChannel.EMAIL,
            answered_on=message.received_on,
            subject="Réponse",
            text="Texte",
        )
        failed_delivery(prefecture, record=answer, purpose="correspondence.answer")
        failed_delivery(prefecture, record=message, purpose="correspondence.acknowledgement")
        booking = BookingFactory(slot__procedure=ProcedureFactory(service=service))
        failed_delivery(prefecture, record=booking, purpose="appointments.confirmed")


def test_failed_list_query_count_does_not_grow(
    prefecture, service, quality_lead, client_for, django_assert_max_num_queries
):
    client = client_for(quality_lead)
    url = reverse("outbox:agents-failed", args=[prefecture.slug])
    _failures(prefecture, service, 2)
    with django_assert_max_num_queries(7) as few:
        response = client.get(url)
    assert response.status_code == 200
    _failures(prefecture, service, 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Renvoyer<span") == 30
    assert "2026-" in page


def test_home_item_for_the_referent_only(prefecture, service, quality_lead, agent, rf):
    from engagements.organisation.access import Access
    from engagements.outbox.todos import home_items

    failed_delivery(prefecture)
    request = rf.get("/")
    request.prefecture = prefecture
    request.access = Access.for_user(quality_lead)
    [item] = home_items(request)
    assert item.label == "1 envoi en échec (courriel ou SMS) à relancer"
    assert item.level == "error"
    assert item.url == reverse("outbox:agents-failed", args=[prefecture.slug])
    request.access = Access.for_user(agent)
    assert home_items(request) == []
    assert "engagements.outbox.todos.home_items" in navigation._todo_providers


def test_resend_from_the_list(
    prefecture, quality_lead, agent, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    delivery = failed_delivery(prefecture)
    url = reverse("outbox:agents-resend", args=[prefecture.slug, delivery.pk])
    assert client_for(agent).post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(quality_lead).post(url, follow=True)
    assert "Envoi relancé" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and len(mailoutbox) == 1
    response = client_for(quality_lead).post(url, follow=True)
    assert response.status_code == 404  # no longer failed


def test_old_deliveries_are_purged(prefecture):
    from datetime import timedelta

    from django.utils import timezone

    from engagements.outbox.models import Delivery
    from engagements.outbox.services import purge_old

    old_failed = failed_delivery(prefecture)
    recent_failed = failed_delivery(prefecture)
    old_sent = failed_delivery(prefecture, status=Status.SENT)
    Delivery.objects.filter(pk__in=[old_failed.pk, old_sent.pk]).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    assert purge_old() == 2
    assert list(Delivery.objects.values_list("pk", flat=True)) == [recent_failed.pk]


def test_an_arabic_subject_in_the_failed_list_is_isolated(prefecture, quality_lead, client_for):
    """A subject written right to left sits in <bdi>, so the French around it keeps its
    order (« Courriel : <subject> »), as on the booking's own list of mails and SMS."""
    failed_delivery(prefecture, subject="تأكيد موعدك")
    page = client_for(quality_lead).get(reverse("outbox:agents-failed", args=[prefecture.slug]))
    assert "<bdi>تأكيد موعدك</bdi>" in page.content.decode()
