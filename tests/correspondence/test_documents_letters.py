"""The printable missing-documents sheet and closing letter need the person's postal address:
without one (a message from the online form or by e-mail), the message's page does not
offer them and says why, and the PDF reached directly is refused with the reason, as the
acknowledgement letter is; the e-mail is the way."""

import html
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.correspondence import services
from engagements.organisation.enums import Channel
from tests.correspondence.test_documents_wording import pdf_text
from tests.correspondence.test_follow import WEDNESDAY, create

pytestmark = pytest.mark.django_db

NO_LETTER = (
    "Pas de fiche pièces manquantes à imprimer : l'usager n'a pas donné d'adresse postale ; "
    "le courriel suffit."
)


def _ask(message, agent):
    with time_machine.travel(WEDNESDAY, tick=False):
        return services.request_documents(message, actor=agent, documents="Photo d'identité")


def _posted(prefecture, service, **kwargs):
    """A letter from a person who gave a postal address and no e-mail."""
    values = {"sender_email": "", "sender_address": "12 rue des Lilas\n75011 Paris"}
    return create(prefecture, service, channel=Channel.LETTER, acknowledge=False, **values | kwargs)


def _close_unanswered(message, agent):
    """The wait asked on WEDNESDAY runs out; an agent closes the message for want of them."""
    services.remind_and_flag_waits(today=date(2026, 3, 13))
    with time_machine.travel(date(2026, 3, 16), tick=False):
        services.close_for_missing_documents(message, actor=agent)


def _urls(prefecture, message, wait):
    args = [prefecture.slug, message.pk, wait.pk]
    return (
        reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]),
        reverse("correspondence:agents-documents-letter", args=args),
        reverse("correspondence:agents-documents-closed-letter", args=args),
    )


@pytest.mark.parametrize("channel", [Channel.WEB_FORM, Channel.EMAIL])
def test_no_letter_is_offered_or_printed_without_a_postal_address(
    channel, prefecture, service, agent, client_for
):
    message = create(prefecture, service, channel=channel, acknowledge=False)
    assert message.sender_email and not message.sender_address
    wait = _ask(message, agent)
    detail, sheet, closing = _urls(prefecture, message, wait)
    client = client_for(agent)
    page = html.unescape(client.get(detail).content.decode())
    assert "Demande envoyée par courriel à l'usager." in page
    assert NO_LETTER in page
    assert sheet not in page and "Fiche pièces manquantes à imprimer (PDF)" not in page
    # Reached directly (an old link, a bookmark): back to the message with the reason.
    response = client.get(sheet, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert response["Content-Type"].startswith("text/html")
    assert (
        f"Pas de courrier à imprimer pour le message {message.reference} : l'usager n'a pas "
        "donné d'adresse postale ; il reçoit nos courriels."
    ) in html.unescape(response.content.decode())
    # Closed for want of documents: the closing went by e-mail, no letter either.
    _close_unanswered(message, agent)
    page = html.unescape(client.get(detail).content.decode())
    assert closing not in page
    assert "clôture annoncée par courriel (pas d'adresse postale)" in page
    response = client.get(closing, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert "l'usager n'a pas donné d'adresse postale" in html.unescape(response.content.decode())


def test_with_a_postal_address_the_sheet_is_offered_and_prints_it(
    prefecture, service, agent, client_for, tmp_path
):
    """The control: the same e-mail message with an address keeps its sheet."""
    message = create(
        prefecture,
        service,
        channel=Channel.WEB_FORM,
        sender_address="12 rue des Lilas\n75011 Paris",
        acknowledge=False,
    )
    wait = _ask(message, agent)
    detail, sheet, _closing = _urls(prefecture, message, wait)
    client = client_for(agent)
    page = html.unescape(client.get(detail).content.decode())
    assert sheet in page and "Pas de fiche pièces manquantes" not in page
    response = client.get(sheet)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Léa Martin 12 rue des Lilas 75011 Paris" in text, text


@pytest.mark.parametrize("address", ["", "3 rue des Lilas\n96000 Lysville"])
def test_the_acknowledgement_letter_is_offered_only_with_a_postal_address(
    address, prefecture, service, agent, client_for
):
    """A slip from the suggestion box often has no address: the page offered the
    acknowledgement letter, which was refused once clicked."""
    message = create(
        prefecture, service, channel=Channel.BOX, sender_email="", sender_address=address
    )
    detail = reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk])
    letter = reverse("correspondence:agents-ack-letter", args=[prefecture.slug, message.pk])
    page = html.unescape(client_for(agent).get(detail).content.decode())
    offered = letter in page and "Accusé de réception à imprimer (PDF)" in page
    said = "Pas d'accusé de réception à imprimer : l'usager n'a pas donné d'adresse postale."
    assert (offered, said in page) == ((True, False) if address else (False, True))


def test_the_sheet_and_the_closing_letter_sign_with_the_agents_name_and_title(
    prefecture, service, agent, client_for, tmp_path
):
    """Both letters are checked for a complete signature block (seed 000) and print it, as
    every letter does; a letter registered without a subject keeps them (each letter has
    its own)."""
    message = _posted(prefecture, service, subject="")
    wait = _ask(message, agent)
    _detail, sheet, closing = _urls(prefecture, message, wait)
    client = client_for(agent)
    response = client.get(sheet)
    assert response["Content-Type"] == "application/pdf", response.content[:500]
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Objet : Pièces manquantes" in text, text
    assert "Agathe Agent Chargé d'accueil" in text, text
    _close_unanswered(message, agent)
    response = client.get(closing)
    assert response["Content-Type"] == "application/pdf", response.content[:500]
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Agathe Agent Chargé d'accueil" in text, text


def test_a_letter_the_mandatory_blocks_refuse_is_not_offered_and_the_page_says_why(
    prefecture, service, agent, client_for
):
    """The message's page offers a printable letter by the same check the PDF applies: with
    the prefecture's phone number missing, it offered letters that were then refused."""
    prefecture.phone = ""
    prefecture.save()
    message = _posted(prefecture, service)
    wait = _ask(message, agent)
    detail, sheet, _closing = _urls(prefecture, message, wait)
    ack = reverse("correspondence:agents-ack-letter", args=[prefecture.slug, message.pk])
    client = client_for(agent)
    page = html.unescape(client.get(detail).content.decode())
    assert ack not in page and sheet not in page
    reason = "il manque le téléphone de la préfecture"
    assert f"Pas d'accusé de réception à imprimer : {reason}" in page, page
    assert f"Pas de fiche pièces manquantes à imprimer : {reason}" in page
    # The PDF reached directly says the same.
    response = client.get(sheet, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    assert reason in html.unescape(response.content.decode())
    # Completed, the letters are offered again.
    prefecture.phone = "01 23 45 67 89"
    prefecture.save()
    page = html.unescape(client.get(detail).content.decode())
    assert ack in page and sheet in page and reason not in page
