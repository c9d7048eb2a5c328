"""Every agent URL of the register hides other prefectures' records (404), checks roles."""

import pytest
from django.urls import reverse

from tests.correspondence import agent_urls
from tests.correspondence.factories import MessageFactory
from tests.organisation.test_cross_prefecture import _agent_url_names, _is_record_key


@pytest.mark.django_db
def test_every_register_url_has_a_case_and_hides_records(
    prefecture, site, service, outsider, client_for
):
    cases = agent_urls.cases(prefecture, site, service)
    ours = {n for n in _agent_url_names() if n.startswith("correspondence:")}
    assert ours == set(cases)
    client = client_for(outsider)
    own_slug = outsider.roles.get().prefecture.slug
    for name, kwargs in sorted(cases.items()):
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, f"{method.upper()} {url}"
        if any(_is_record_key(key) for key in kwargs):
            own = reverse(name, kwargs={"prefecture": own_slug, **kwargs})
            assert client.get(own).status_code in (404, 405), own
            assert client.post(own).status_code == 404, own


@pytest.mark.django_db
def test_agent_of_another_site_cannot_open_a_message(service, agent_other_site, client_for):
    message = MessageFactory(service=service)
    url = reverse("correspondence:agents-detail", args=[message.prefecture.slug, message.pk])
    assert client_for(agent_other_site).get(url).status_code == 404


@pytest.mark.django_db
def test_committee_member_sees_no_register_but_the_library(
    prefecture, committee_member, client_for
):
    client = client_for(committee_member)
    assert (
        client.get(reverse("correspondence:agents-list", args=[prefecture.slug])).status_code == 403
    )
    assert (
        client.get(reverse("correspondence:agents-templates", args=[prefecture.slug])).status_code
        == 200
    )


@pytest.mark.django_db
def test_the_auditor_reads_the_register_without_the_people(
    prefecture, service, auditor, quality_lead, client_for
):
    """The auditor checks the register's facts (dates, delays, statuses, classification):
    the message's page gives him neither the sender's name and contact details nor what
    the person wrote or was answered; the letters and attachments are refused him, and a
    search by name finds nothing. The staff still read them all."""
    from engagements.correspondence.enums import AnswerChannel, EventKind
    from engagements.correspondence.models import Answer, Attachment, DocumentRequest
    from engagements.correspondence.services.messages import log_event

    message = MessageFactory(
        service=service,
        letter=True,
        sender_name="Rose Lemaire",
        sender_phone="0611223344",
        body="Je suis Rose Lemaire, mon voisin Paul Martin a le même dossier.",
    )
    answer = Answer.objects.create(
        message=message,
        channel=AnswerChannel.LETTER,
        answered_on=message.received_on,
        subject="Votre titre de séjour",
        text="Madame Lemaire, votre dossier est complet.",
    )
    attachment = Attachment.objects.create(
        message=message, file="correspondence/x.pdf", name="lemaire.pdf", content_type="", size=1
    )
    wait = DocumentRequest.objects.create(
        message=message, requested_on=message.received_on, documents="Justificatif", closed=True
    )
    # Event texts quote the person (a reply's text, a reason, an address mailed to).
    log_event(message, EventKind.REPLY_RECEIVED, text="Paul Martin ajoute une pièce.")
    slug = prefecture.slug
    detail = reverse("correspondence:agents-detail", args=[slug, message.pk])
    worklist = reverse("correspondence:agents-list", args=[slug])
    letters = [
        reverse("correspondence:agents-ack-letter", args=[slug, message.pk]),
        reverse("correspondence:agents-answer-pdf", args=[slug, answer.pk]),
        reverse("correspondence:agents-documents-letter", args=[slug, message.pk, wait.pk]),
        reverse("correspondence:agents-documents-closed-letter", args=[slug, message.pk, wait.pk]),
        reverse("correspondence:agents-attachment", args=[slug, attachment.pk]),
        reverse("correspondence:agents-forwarded-letter", args=[slug, message.pk]),
    ]
    personal = ["Lemaire", "Paul Martin", "0611223344", "12 rue des Lilas", "lemaire.pdf"]
    client = client_for(auditor)
    page = client.get(detail).content.decode()
    assert message.reference in page and "Réponse 1" in page
    assert "Nouveau courriel de l" in page
    assert [word for word in personal + [message.subject] if word in page] == []
    for letter in letters:
        assert letter not in page
        assert client.get(letter).status_code == 403, letter
    listed = client.get(worklist, {"q": "Lemaire", "status": ""}).content.decode()
    assert message.reference not in listed
    assert message.subject not in client.get(worklist, {"status": ""}).content.decode()
    found = client.get(worklist, {"q": message.reference, "status": ""}).content.decode()
    assert message.reference in found
    lead = client_for(quality_lead)
    page = lead.get(detail).content.decode()
    assert all(word in page for word in personal + [message.subject, "Votre titre de séjour"])
    assert message.reference in lead.get(worklist, {"q": "Lemaire", "status": ""}).content.decode()
    assert lead.get(letters[1]).status_code == 200
