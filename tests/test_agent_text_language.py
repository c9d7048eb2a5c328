"""What the prefecture's agents typed in French (site and service names, addresses, access
notes, procedure presentations) stays French on a page in another language: it is marked
`lang="fr"` there, so that a screen reader reads it with a French voice (RGAA 8.7, WCAG
3.1.2), and left unmarked on French pages."""

import re
from datetime import date

import pytest
from django.urls import reverse

from engagements.correspondence.enums import Kind
from engagements.correspondence.services import create_message
from engagements.correspondence.services import follow as follow_link
from engagements.organisation.enums import Channel
from tests.appointments.factories import ProcedureFactory
from tests.faq.factories import EntryFactory

pytestmark = pytest.mark.django_db


VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def in_french(html: str, text: str) -> bool:
    """`text` sits inside an element marked lang="fr" (its own or an enclosing one, the
    page's `<html>` left out)."""
    return in_french_at(html, html.index(text))


def in_french_at(html: str, at: int) -> bool:
    """The text at `at` sits inside an element marked lang="fr"."""
    opened = [m for m in re.finditer(r"<([a-zA-Z0-9]+)\b([^>]*)>", html[:at])]
    depth: dict[str, int] = {}
    for m in reversed(opened):
        tag = m.group(1).lower()
        if tag in VOID or tag == "html":  # the page's own language is not a mark
            continue
        closes = html.count(f"</{tag}>", m.end(), at)
        depth[tag] = depth.get(tag, 0)
        if closes > depth[tag]:
            depth[tag] += 1
            continue
        lang = re.search(r'\slang="([^"]*)"', m.group(2))
        if lang:
            return lang.group(1) == "fr"
    return False


def page(client, url_name, *args, language="en", **kwargs) -> str:
    url = reverse(url_name, args=args)
    if language != "fr":
        url = f"/{language}{url}"
    client.cookies.clear()  # the language chosen on the previous page is remembered
    response = client.get(url, follow=True, **kwargs)
    assert response.status_code == 200, url
    return response.content.decode()


def test_prefecture_page_marks_sites_services_and_addresses(client, prefecture, site, service):
    site.access_info = "Tram ligne 2, arrêt Préfecture"
    site.save(update_fields=["access_info"])
    service.description = "Titres de séjour et naturalisations"
    service.save(update_fields=["description"])
    english = page(client, "organisation:prefecture", prefecture.slug)
    for text in (
        "Préfecture — Chef-Lieu",
        "Bureau du séjour",
        "Titres de séjour et naturalisations",
        "Tram ligne 2, arrêt Préfecture",
        "2 rue de l&#x27;Accueil",
    ):
        assert in_french(english, text), text
    french = page(client, "organisation:prefecture", prefecture.slug, language="fr")
    assert not in_french(french, "Bureau du séjour")
    assert not in_french(french, "Tram ligne 2, arrêt Préfecture")


def test_booking_pages_mark_the_site_and_presentation(client, service):
    procedure = ProcedureFactory(
        service=service, name="Remise de titre", description="Venez avec votre convocation."
    )
    english = page(client, "appointments:terms", procedure.pk)
    assert in_french(english, "Venez avec votre convocation.")
    assert in_french(english, "Préfecture — Chef-Lieu")
    assert not in_french(english, "Residence permit collection")  # written in English
    spanish = page(client, "appointments:terms", procedure.pk, language="es")
    assert in_french(spanish, "Venez avec votre convocation.")
    french = page(client, "appointments:terms", procedure.pk, language="fr")
    assert not in_french(french, "Venez avec votre convocation.")


def test_contact_form_marks_each_service_and_the_follow_page_its_service(
    client, prefecture, service
):
    english = page(client, "correspondence:contact", prefecture.slug)
    option = re.search(rf'<option value="{service.pk}"[^>]*>', english).group(0)
    assert 'lang="fr"' in option
    french = page(client, "correspondence:contact", prefecture.slug, language="fr")
    option = re.search(rf'<option value="{service.pk}"[^>]*>', french).group(0)
    assert "lang=" not in option

    message = create_message(
        prefecture,
        site=service.site,
        service=service,
        channel=Channel.EMAIL,
        kind=Kind.INFORMATION,
        sender_email="lea.martin@example.test",
        sender_name="Léa Martin",
        subject="Titre de séjour",
        body="Bonjour",
        received_on=date(2026, 3, 2),
        language="en",
    )
    token = follow_link.follow_token(message)
    english = page(client, "correspondence:follow", prefecture.slug, token)
    assert in_french(english, "Bureau du séjour")


def test_faq_marks_the_service_of_an_english_entry(client, prefecture, service):
    EntryFactory(
        prefecture=prefecture,
        service=service,
        language="en",
        question="How do I renew my residence permit?",
        answer="Book an appointment two months ahead.",
    )
    english = page(client, "faq:prefecture", prefecture.slug)
    assert not in_french(english, "How do I renew my residence permit?")
    assert in_french(english, "Bureau du séjour")


@pytest.mark.parametrize(
    "url_name",
    [
        "organisation:prefecture",
        "committee:public",
        "correspondence:contact",
        "correspondence:follow-lookup",
        "faq:prefecture",
        "indicators:public-results",
        "indicators:methodology",
        "quality:public-approach",
        "quality:public-done",
        "surveys:prefecture",
        "appointments:procedures",
    ],
)
def test_the_prefecture_s_name_is_marked_french_wherever_the_body_names_it(
    client, prefecture, site, url_name
):
    # Breadcrumbs, headings and sentences ("The local users' committee of the Préfecture
    # d'Alpha…") read the name with English phonetics. <title> cannot hold markup.
    html = page(client, url_name, prefecture.slug)
    body = re.sub(r"<title>.*?</title>", "", html, flags=re.S)
    name = "Préfecture d&#x27;Alpha"
    assert name in body
    for found in re.finditer(re.escape(name), body):
        assert in_french_at(body, found.start()), body[found.start() - 200 : found.end()]
