"""Template library: mandatory blocks, CLU review workflow, observations, PDF letters."""

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from engagements.correspondence import services
from engagements.correspondence.enums import AnswerChannel, TemplatePurpose, VersionStatus
from engagements.correspondence.models import Observation
from tests.correspondence.factories import LETTER_BODY, MessageFactory
from tests.tooling import require_tool

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def new_letter(prefecture, quality_lead, body=LETTER_BODY):
    return services.create_template(
        prefecture,
        actor=quality_lead,
        name="Réponse à une réclamation",
        purpose=TemplatePurpose.COMPLAINT_ANSWER,
        channel=AnswerChannel.LETTER,
        subject="Objet : {objet}",
        body=body,
    )


def test_letter_missing_a_mandatory_block_is_refused_with_its_name(prefecture, quality_lead):
    version = new_letter(
        prefecture, quality_lead, body=LETTER_BODY.replace("{prefecture_telephone}", "")
    )
    with pytest.raises(services.LibraryError, match="« téléphone de la préfecture »"):
        services.submit_version(version, actor=quality_lead)
    with pytest.raises(services.LibraryError, match="téléphone de la préfecture"):
        services.publish_version(version, actor=quality_lead)
    no_signature = new_letter(
        prefecture, quality_lead, body=LETTER_BODY.replace("{signataire_fonction}", "")
    )
    with pytest.raises(services.LibraryError, match="bloc de signature"):
        services.submit_version(no_signature, actor=quality_lead)


def test_email_template_needs_direction_service_and_address(prefecture, quality_lead):
    version = services.create_template(
        prefecture,
        actor=quality_lead,
        name="Accusé de réception",
        purpose=TemplatePurpose.ACKNOWLEDGEMENT,
        channel=AnswerChannel.EMAIL,
        subject="Votre message {reference}",
        body="Bonjour,\n{service_nom}\n{prefecture_adresse}",
    )
    with pytest.raises(services.LibraryError, match="« direction »"):
        services.submit_version(version, actor=quality_lead)


def test_unknown_placeholder_is_refused(prefecture, quality_lead):
    with pytest.raises(services.LibraryError, match="{numero_dossier}"):
        new_letter(prefecture, quality_lead, body=LETTER_BODY + "{numero_dossier}")


def test_workflow_draft_submitted_observations_then_published(
    prefecture, quality_lead, committee_member
):
    version = new_letter(prefecture, quality_lead)
    services.submit_version(version, actor=quality_lead, today=date(2026, 3, 2))
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED
    assert version.observations_until == date(2026, 3, 17)  # 15 days (seed 003)
    services.add_observation(
        version, author=committee_member, text="Trop administratif.", today=date(2026, 3, 5)
    )
    with pytest.raises(services.LibraryError, match="jusqu'au 17/03/2026"):
        services.publish_version(version, actor=quality_lead, today=date(2026, 3, 10))
    # The last day of the window is still the members': no publication on it.
    with pytest.raises(services.LibraryError, match="possible après cette date"):
        services.publish_version(version, actor=quality_lead, today=date(2026, 3, 17))
    with pytest.raises(services.LibraryError, match="clos"):
        services.add_observation(
            version, author=committee_member, text="Trop tard", today=date(2026, 3, 18)
        )
    services.publish_version(version, actor=quality_lead, today=date(2026, 3, 18))
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert [e.to_status for e in version.events.all()] == ["draft", "submitted", "published"]
    # A second version replaces the first, which is archived; observations stay per version.
    second = services.save_draft(
        version.template, actor=quality_lead, subject=version.subject, body=version.body + "\n."
    )
    assert second.number == 2
    services.submit_version(second, actor=quality_lead, today=date(2026, 4, 1))
    services.publish_version(second, actor=quality_lead, today=date(2026, 4, 20))
    version.refresh_from_db()
    assert version.status == VersionStatus.ARCHIVED
    assert Observation.objects.filter(version=version).count() == 1
    assert not Observation.objects.filter(version=second).exists()
    with pytest.raises(services.LibraryError):
        services.submit_version(version, actor=quality_lead)


def test_committee_member_records_an_observation_in_the_agents_space(
    prefecture, quality_lead, committee_member, client_for
):
    version = new_letter(prefecture, quality_lead)
    client = client_for(committee_member)
    page = reverse("correspondence:agents-template", args=[prefecture.slug, version.template_id])
    assert client.get(page).status_code == 404  # drafts are not shown to the CLU
    services.submit_version(version, actor=quality_lead)
    assert (
        "Soumis au comité"
        in client.get(
            reverse("correspondence:agents-templates", args=[prefecture.slug])
        ).content.decode()
    )
    response = client.post(
        reverse("correspondence:agents-version-observe", args=[prefecture.slug, version.pk]),
        {"text": "Préciser le délai de 8 jours."},
    )
    assert response.status_code == 302
    assert "Préciser le délai de 8 jours." in client.get(page).content.decode()
    # Members comment; they do not publish.
    publish = reverse(
        "correspondence:agents-version-transition", args=[prefecture.slug, version.pk, "publier"]
    )
    assert client.post(publish).status_code == 403


def test_the_auditor_reads_a_submitted_version_but_records_no_observation(
    prefecture, quality_lead, auditor, client_for
):
    """The auditor changes nothing: no observation form, and a posted one is refused."""
    version = new_letter(prefecture, quality_lead)
    services.submit_version(version, actor=quality_lead)
    client = client_for(auditor)
    page = client.get(
        reverse("correspondence:agents-template", args=[prefecture.slug, version.template_id])
    ).content.decode()
    assert "Observations du comité local des usagers" in page
    assert "Enregistrer l'observation" not in page
    response = client.post(
        reverse("correspondence:agents-version-observe", args=[prefecture.slug, version.pk]),
        {"text": "Une observation de l'auditeur."},
    )
    assert response.status_code == 403
    assert not Observation.objects.exists()


def test_publish_is_offered_once_the_observation_window_is_over(
    prefecture, quality_lead, client_for
):
    """ "Publier" was offered during the window, then refused once clicked."""
    with time_machine.travel(date(2026, 3, 2), tick=False):
        version = new_letter(prefecture, quality_lead)
        services.submit_version(version, actor=quality_lead)
    page = reverse("correspondence:agents-template", args=[prefecture.slug, version.template_id])
    client = client_for(quality_lead)
    publish = reverse(
        "correspondence:agents-version-transition", args=[prefecture.slug, version.pk, "publier"]
    )
    with time_machine.travel(date(2026, 3, 17), tick=False):
        body = client.get(page).content.decode()
    assert publish not in body and "Publication possible après le 17/03/2026" in body
    with time_machine.travel(date(2026, 3, 18), tick=False):
        assert publish in client.get(page).content.decode()


def test_the_observation_form_goes_once_the_window_is_over(
    prefecture, quality_lead, committee_member, client_for
):
    """The form stayed after the window's last day, and the observation typed was refused."""
    with time_machine.travel(date(2026, 3, 2), tick=False):
        version = new_letter(prefecture, quality_lead)
        services.submit_version(version, actor=quality_lead)
    page = reverse("correspondence:agents-template", args=[prefecture.slug, version.template_id])
    client = client_for(committee_member)
    with time_machine.travel(date(2026, 3, 17), tick=False):
        assert "Enregistrer l'observation" in client.get(page).content.decode()
    with time_machine.travel(date(2026, 3, 18), tick=False):
        assert "Enregistrer l'observation" not in client.get(page).content.decode()


def test_publication_refusal_is_shown_to_the_manager(prefecture, quality_lead, client_for):
    version = new_letter(prefecture, quality_lead, body=LETTER_BODY.replace("{objet}", ""))
    version.template.versions.update(subject="Réponse")
    client = client_for(quality_lead)
    url = reverse(
        "correspondence:agents-version-transition", args=[prefecture.slug, version.pk, "soumettre"]
    )
    response = client.post(url, follow=True)
    assert "il manque au courrier-type le bloc obligatoire « objet »" in response.content.decode()


@time_machine.travel(date(2026, 3, 5), tick=False)
def test_pdf_letter_renders_every_block(prefecture, service, quality_lead, client_for):
    pdftotext = require_tool("pdftotext", "poppler-utils")
    quality_lead.roles.update(title="Secrétaire")
    version = new_letter(prefecture, quality_lead)
    version.template.versions.update(status=VersionStatus.PUBLISHED)
    message = MessageFactory(
        service=service,
        letter=True,
        sender_name="Jeanne Dupont",
        subject="Retard de mon titre de séjour",
    )
    client = client_for(quality_lead)
    answer_url = reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk])
    filled = client.get(answer_url, {"template": version.pk}).context["form"].initial
    assert "Jeanne Dupont" in filled["text"] and "{" not in filled["text"]
    response = client.post(
        answer_url,
        {
            "channel": "letter",
            "subject": filled["subject"],
            # The template's "[réponse]" is completed: an unfinished answer cannot leave.
            "text": filled["text"].replace("[réponse]", "votre titre est prêt")
            + "\n\n"
            + "Paragraphe complémentaire. " * 200,
            "answered_on": "2026-03-05",
            "template_version": version.pk,
        },
    )
    assert response.status_code == 302
    answer = message.answers.get()
    pdf = client.get(reverse("correspondence:agents-answer-pdf", args=[prefecture.slug, answer.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "correspondence-letter.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        prefecture.name,  # expéditeur
        service.name,
        "Chef-Lieu, le 5 mars 2026",  # date et lieu
        "Jeanne Dupont",  # destinataire
        "12 rue des Lilas",
        "Objet : Retard de mon titre de séjour",
        "Quentin Qualité",  # signature: first name, name
        "Secrétaire",  # title
        prefecture.postal_address,
        prefecture.phone,
        prefecture.website,
        "Page 1 / 2",  # each block printed once (issue 19): two pages, not three
        "Page 2 / 2",
    ):
        assert expected in text, expected
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(path)[:-4]],
            check=True,
        )


def test_collection_as_pdf_lists_every_published_template(
    prefecture, quality_lead, committee_member, client_for
):
    from tests.correspondence.factories import TemplateFactory, VersionFactory

    pdftotext = require_tool("pdftotext", "poppler-utils")
    for name in ("Accusé de réception", "Fiche pièces manquantes"):
        VersionFactory(template=TemplateFactory(prefecture=prefecture, name=name), published=True)
    VersionFactory(template=TemplateFactory(prefecture=prefecture, name="Brouillon secret"))
    url = reverse("correspondence:agents-templates-collection", args=[prefecture.slug])
    html = client_for(committee_member).get(url).content.decode()
    assert "Fiche pièces manquantes" in html and "Brouillon secret" not in html
    pdf = client_for(committee_member).get(url, {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    path = SCREENSHOTS / "correspondence-collection.pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf.content)
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "1. Accusé de réception" in text and "2. Fiche pièces manquantes" in text
    assert "Brouillon secret" not in text


def pdf_text(pdftotext, content: bytes, name: str) -> str:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    path.write_bytes(content)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(path)[:-4]],
            check=True,
        )
    return subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@time_machine.travel(date(2026, 3, 5), tick=False)
def test_letter_without_template_carries_every_block(prefecture, service, agent, client_for):
    pdftotext = require_tool("pdftotext", "poppler-utils")
    agent.roles.update(title="Adjointe au chef de bureau")
    message = MessageFactory(
        service=service, letter=True, sender_name="Jeanne Dupont", subject="Titre en retard"
    )
    client = client_for(agent)
    response = client.post(
        reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk]),
        {
            "channel": "letter",
            "subject": "Votre titre de séjour",
            "text": "Madame,\n\nVoici la réponse à votre demande.",
            "answered_on": "2026-03-05",
        },
    )
    assert response.status_code == 302
    answer = message.answers.get()
    assert answer.signatory_title == "Adjointe au chef de bureau"
    pdf = client.get(reverse("correspondence:agents-answer-pdf", args=[prefecture.slug, answer.pk]))
    text = pdf_text(pdftotext, pdf.content, "correspondence-letter-free.pdf")
    for expected in (
        f"{message.site.city}, le 5 mars 2026",
        "Objet : Votre titre de séjour",
        agent.get_full_name(),
        "Adjointe au chef de bureau",
        prefecture.postal_address,
        prefecture.phone,
        prefecture.website,
        "Jeanne Dupont",
        message.reference,
    ):
        assert expected in text, expected


@time_machine.travel(date(2026, 3, 5), tick=False)
def test_letter_from_a_template_posted_by_a_browser_keeps_its_text(
    prefecture, service, quality_lead, client_for
):
    """A browser sends a textarea's line breaks as CRLF: the letter once split the text
    on "\\n\\n" only, took it for one paragraph starting with the sender block, and printed
    an empty letter (no subject, no text, no signature)."""
    pdftotext = require_tool("pdftotext", "poppler-utils")
    quality_lead.roles.update(title="Secrétaire")
    version = new_letter(prefecture, quality_lead)
    version.template.versions.update(status=VersionStatus.PUBLISHED)
    message = MessageFactory(service=service, letter=True, sender_name="Jeanne Dupont")
    client = client_for(quality_lead)
    answer_url = reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk])
    filled = client.get(answer_url, {"template": version.pk}).context["form"].initial
    text = filled["text"].replace("[réponse]", "votre titre est prêt")
    response = client.post(
        answer_url,
        {
            "channel": "letter",
            "subject": filled["subject"],
            "text": text.replace("\n", "\r\n"),
            "answered_on": "2026-03-05",
            "template_version": version.pk,
        },
    )
    assert response.status_code == 302
    answer = message.answers.get()
    pdf = client.get(reverse("correspondence:agents-answer-pdf", args=[prefecture.slug, answer.pk]))
    printed = pdf_text(pdftotext, pdf.content, "correspondence-letter-crlf.pdf")
    for expected in (
        f"Objet : {message.subject}",
        "votre titre est prêt",
        "Quentin Qualité",
        "Secrétaire",
    ):
        assert expected in printed, expected
    assert printed.count(prefecture.postal_address) == 1  # the footer only


def test_answer_refused_when_a_block_value_is_missing(prefecture, service, agent, client_for):
    agent.roles.update(title="")
    message = MessageFactory(service=service, letter=True)
    response = client_for(agent).post(
        reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk]),
        {
            "channel": "letter",
            "subject": "Objet",
            "text": "Texte.",
            "answered_on": str(date.today()),
        },
    )
    assert "la fonction du signataire" in response.content.decode()
    assert not message.answers.exists()
    prefecture.website = ""
    prefecture.save()
    message.sender_email = "a@example.test"
    message.save()
    with pytest.raises(services.RegisterError, match="site internet de la préfecture"):
        services.answer_message(
            message, actor=agent, subject="Objet", text="Texte", channel="letter"
        )


def test_template_missing_a_block_cannot_be_used_to_answer(
    prefecture, service, quality_lead, agent
):
    version = new_letter(
        prefecture, quality_lead, body=LETTER_BODY.replace("{prefecture_site}", "")
    )
    version.status = VersionStatus.PUBLISHED
    version.save()
    message = MessageFactory(service=service, letter=True)
    with pytest.raises(services.RegisterError, match="ne peut pas servir à répondre"):
        services.answer_message(
            message,
            actor=agent,
            subject="Objet",
            text="Texte",
            channel="letter",
            template_version=version,
        )


def test_clu_reviews_templates_as_rendered_previews(
    prefecture, quality_lead, committee_member, client_for
):
    version = new_letter(prefecture, quality_lead)
    services.submit_version(version, actor=quality_lead)
    client = client_for(committee_member)
    page = client.get(
        reverse("correspondence:agents-template", args=[prefecture.slug, version.template_id])
    ).content.decode()
    assert "Camille Exemple" in page and prefecture.phone in page
    assert "{expediteur}" not in page and "{signataire_nom}" not in page
    version.status = VersionStatus.PUBLISHED
    version.save()
    url = reverse("correspondence:agents-templates-collection", args=[prefecture.slug])
    collection = client.get(url).content.decode()
    assert "Camille Exemple" in collection and "{" not in collection.split("<main")[-1]
    # The manager still sees the placeholders, folded under the preview.
    manager_page = client_for(quality_lead).get(
        reverse("correspondence:agents-template", args=[prefecture.slug, version.template_id])
    )
    assert "{expediteur}" in manager_page.content.decode()


def test_acknowledgement_letter_refused_without_a_signatory_title(
    prefecture, service, agent, client_for
):
    agent.roles.update(title="")
    message = MessageFactory(service=service, letter=True)
    response = client_for(agent).get(
        reverse("correspondence:agents-ack-letter", args=[prefecture.slug, message.pk]),
        follow=True,
    )
    assert response["Content-Type"].startswith("text/html")
    assert "la fonction du signataire" in response.content.decode()


def test_collection_shows_the_versions_submitted_to_the_committee_to_whom_sees_them(
    prefecture, committee_member, agent, client_for
):
    """The committee's agenda and invitation link this collection for the templates submitted
    to its observations: the members must find the submitted version there, not only the
    published one it would replace."""
    from tests.correspondence.factories import TemplateFactory, VersionFactory

    pdftotext = require_tool("pdftotext", "poppler-utils")
    template = TemplateFactory(prefecture=prefecture, name="Fiche pièces manquantes")
    VersionFactory(template=template, number=1, published=True, subject="Ancien objet {reference}")
    VersionFactory(template=template, number=2, submitted=True, subject="Nouvel objet {reference}")
    url = reverse("correspondence:agents-templates-collection", args=[prefecture.slug])
    html = client_for(committee_member).get(url).content.decode()
    assert "Ancien objet" in html and "Nouvel objet" in html
    assert "observations jusqu'au 16/03/2026" in html
    assert reverse("correspondence:agents-template", args=[prefecture.slug, template.pk]) in html
    pdf = client_for(committee_member).get(url, {"format": "pdf"})
    text = " ".join(
        pdf_text(pdftotext, pdf.content, "correspondence-collection-submitted.pdf").split()
    )
    assert "Nouvel objet" in text and "observations jusqu'au 16/03/2026" in text
    # An agent without the committee's pages sees the published versions only.
    html = client_for(agent).get(url).content.decode()
    assert "Ancien objet" in html and "Nouvel objet" not in html
