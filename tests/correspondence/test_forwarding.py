"""Messages across services: one sent on to another service (the "Classement" box of its
page) leaves an agent who cannot open it there, and the agent who sent it on is told where
it went; a suspected duplicate in a service the agent does not see is no dead end."""

import html

import pytest
from django.urls import reverse

from engagements.correspondence import services
from engagements.correspondence.enums import EventKind, Status
from tests.correspondence.factories import MessageFactory
from tests.correspondence.test_follow import create
from tests.tooling import pdf_text

pytestmark = pytest.mark.django_db


def test_a_message_moved_to_another_site_leaves_the_agent_who_cannot_open_it(
    prefecture, service, other_service, agent, agent_other_site, site_manager
):
    """It stayed "Attribué" to the agent of the first service: out of his list (he could not
    open it any more) and out of everyone's "non attribués" in the new service."""
    message = MessageFactory(service=service)
    services.assign_message(message, agent=agent, actor=agent)
    message = services.update_classification(
        message, actor=site_manager, kind=message.kind, topic=None, service=other_service
    )
    message.refresh_from_db()
    assert (message.service, message.site) == (other_service, other_service.site)
    assert (message.status, message.assigned_to) == (Status.NEW, None)
    event = message.events.filter(kind=EventKind.UPDATED).get()
    assert "attribution retirée (Agathe Agent ne traite pas ce service)" in event.text
    # Its new service's agents find it among the messages to give out, and may take it.
    services.assign_message(message, agent=agent_other_site, actor=site_manager)


def test_a_message_moved_within_what_its_agent_works_on_stays_his(
    prefecture, service, other_service, quality_lead, site_manager
):
    message = MessageFactory(service=service)
    services.assign_message(message, agent=quality_lead, actor=quality_lead)
    services.update_classification(
        message, actor=site_manager, kind=message.kind, topic=None, service=other_service
    )
    message.refresh_from_db()
    assert (message.status, message.assigned_to) == (Status.ASSIGNED, quality_lead)


def test_a_waiting_message_moved_away_does_not_resume_with_the_former_agent(
    prefecture, service, other_service, agent, quality_lead
):
    """Documents received, a waiting message goes back to its agent: not to one who can no
    longer open it."""
    message = MessageFactory(service=service)
    services.assign_message(message, agent=agent, actor=agent)
    services.request_documents(message, actor=agent, documents="Passeport")
    services.update_classification(
        message, actor=quality_lead, kind=message.kind, topic=None, service=other_service
    )
    message.refresh_from_db()
    assert (message.status, message.assigned_to) == (Status.WAITING, None)
    services.record_documents_received(message, actor=quality_lead)
    message.refresh_from_db()
    assert (message.status, message.assigned_to) == (Status.NEW, None)


def test_an_agent_sends_a_misrouted_message_on_to_another_site_s_service(
    prefecture, service, other_service, agent, agent_other_site, client_for
):
    """The service list offered only his own service: a letter for another bureau stayed
    with him until a référent moved it. Now he sends it on, and lands on his list (the
    message's page would be a 404 for him), told where it went."""
    message = MessageFactory(service=service)
    services.assign_message(message, agent=agent, actor=agent)
    client = client_for(agent)
    page = client.get(reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]))
    choices = page.context["classify_form"].fields["service"].queryset
    assert set(choices) == {service, other_service}
    response = client.post(
        reverse("correspondence:agents-classify", args=[prefecture.slug, message.pk]),
        {"kind": message.kind, "topic": "", "service": other_service.pk},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "correspondence:agents-list", args=[prefecture.slug]
    )
    assert (
        f"Message {message.reference} transmis à {other_service.name} : il ne figure plus "
        "dans votre registre." in response.content.decode()
    )
    message.refresh_from_db()
    assert (message.service, message.status, message.assigned_to) == (
        other_service,
        Status.NEW,
        None,
    )
    # The new service's agent finds it among his messages to give out.
    theirs = client_for(agent_other_site).get(
        reverse("correspondence:agents-list", args=[prefecture.slug])
    )
    assert message.reference in theirs.content.decode()


def test_an_inactive_service_is_not_offered(prefecture, service, other_service, agent, client_for):
    other_service.is_active = False
    other_service.save()
    message = MessageFactory(service=service)
    response = client_for(agent).post(
        reverse("correspondence:agents-classify", args=[prefecture.slug, message.pk]),
        {"kind": message.kind, "topic": "", "service": other_service.pk},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.service == service


def test_a_duplicate_in_a_service_the_agent_does_not_see_is_not_a_dead_end(
    prefecture, service, other_service, agent, client_for
):
    """The look-up spans the prefecture: the alert linked to another service's message and
    offered to merge into it, and both answered the agent with a 404."""
    first = create(prefecture, other_service)
    second = create(prefecture, service)
    assert second.suspected_duplicate_of == first
    client = client_for(agent)
    page = client.get(
        reverse("correspondence:agents-detail", args=[prefecture.slug, second.pk])
    ).content.decode()
    first_url = reverse("correspondence:agents-detail", args=[prefecture.slug, first.pk])
    assert f'href="{first_url}"' not in page
    assert 'value="merge"' not in page and 'value="link"' not in page
    assert (
        f'Doublon possible de <span class="eng-ref">{first.reference}</span>, un message du '
        f"service {other_service.name}" in page
    )
    assert "Vous ne voyez pas ce message" in page
    # What is left to him works: the flag is dismissed.
    client.post(
        reverse("correspondence:agents-duplicate", args=[prefecture.slug, second.pk]),
        {"action": "dismiss"},
    )
    second.refresh_from_db()
    assert second.suspected_duplicate_of is None


def test_a_duplicate_the_agent_sees_keeps_merge_and_link(prefecture, service, agent, client_for):
    first = create(prefecture, service)
    second = create(prefecture, service)
    page = (
        client_for(agent)
        .get(reverse("correspondence:agents-detail", args=[prefecture.slug, second.pk]))
        .content.decode()
    )
    assert 'value="merge"' in page and "Vous ne voyez pas ce message" not in page
    assert first.reference in page


def test_a_request_sent_to_another_administration_tells_the_person_where(
    prefecture, service, agent, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    """Closed as "Transmis à une autre administration", the person heard nothing, where the
    administration that forwards a request must tell him (CRPA, art. L114-2)."""
    message = create(prefecture, service, acknowledge=False)
    client = client_for(agent)
    url = reverse("correspondence:agents-close", args=[prefecture.slug, message.pk])
    # Which administration is asked for: it is what the person is told.
    response = client.post(url, {"reason": "forwarded", "note": ""}, follow=True)
    assert "indiquez laquelle dans « Précision »" in response.content.decode()
    message.refresh_from_db()
    assert message.status == Status.NEW
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url, {"reason": "forwarded", "note": "Direction départementale des territoires"}
        )
    message.refresh_from_db()
    assert message.status == Status.CLOSED
    [mail] = mailoutbox
    assert mail.to == [message.sender_email]
    assert mail.subject == f"Votre demande {message.reference} a été transmise"
    text = " ".join(mail.body.split())
    assert (
        f"Votre demande {message.reference}, reçue le 2 mars 2026, relève d'une autre "
        "administration : nous la lui avons transmise." in text
    )
    assert "Administration destinataire : Direction départementale des territoires" in text


def test_the_forwarding_notice_speaks_the_person_s_language(
    prefecture, service, agent, mailoutbox, django_capture_on_commit_callbacks
):
    message = create(prefecture, service, acknowledge=False, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.close_message(message, reason="forwarded", note="DDT", actor=agent)
    [mail] = mailoutbox
    assert mail.subject == f"Your request {message.reference} has been forwarded"
    assert "Administration it was forwarded to: DDT" in mail.body
    assert "relève" not in mail.body


def test_without_e_mail_the_agent_is_told_to_write(prefecture, service, agent, client_for):
    message = create(
        prefecture, service, channel="letter", sender_email="", sender_address="1 rue Haute"
    )
    client = client_for(agent)
    response = client.post(
        reverse("correspondence:agents-close", args=[prefecture.slug, message.pk]),
        {"reason": "forwarded", "note": "Caisse d'allocations familiales"},
        follow=True,
    )
    page = html.unescape(response.content.decode())
    assert "envoyez-lui par courrier la lettre de transmission" in page
    # The page offers that letter, which names the administration and the law.
    assert "Transmis à : Caisse d'allocations familiales." in page
    url = reverse("correspondence:agents-forwarded-letter", args=[prefecture.slug, message.pk])
    assert url in page
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert f"Transmission de votre demande — {message.reference}" in text
    assert "autre administration : Caisse d'allocations familiales" in text
    assert "article L. 114-2 du code des relations entre le public et l'administration" in text
    assert "1 rue Haute" in text  # the window envelope's address block


def test_the_transmission_letter_is_only_for_a_forwarded_message(
    prefecture, service, agent, client_for
):
    message = create(
        prefecture, service, channel="letter", sender_email="", sender_address="1 rue Haute"
    )
    client = client_for(agent)
    url = reverse("correspondence:agents-forwarded-letter", args=[prefecture.slug, message.pk])
    assert client.get(url).status_code == 404
    services.close_message(message, reason="forwarded", note="DDT", actor=agent)
    assert client.get(url).status_code == 200
    services.reopen_message(message, actor=agent)
    assert client.get(url).status_code == 404


def test_a_forwarding_notice_that_fails_shows_in_the_history(
    prefecture, service, agent, settings, django_capture_on_commit_callbacks
):
    """The notice's failure was recorded nowhere on the message: the agent believed the
    person told."""
    from engagements.correspondence import receivers
    from engagements.outbox.models import Delivery

    message = create(prefecture, service, acknowledge=False)
    services.close_message(message, reason="forwarded", note="DDT", actor=agent)
    delivery = Delivery.objects.get(purpose="correspondence.forwarded")
    delivery.last_error = "SMTPRecipientsRefused: 550 mailbox unavailable"
    receivers.on_failed(sender=Delivery, delivery=delivery)
    event = message.events.get(kind=EventKind.DELIVERY_FAILED)
    assert event.text.startswith(
        f"Avis de transmission à une autre administration à {message.sender_email} : "
    )
