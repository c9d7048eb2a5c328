"""Plain language (issue 23.8): the checker, and its suggestions in the editors and in the
committee's review of templates."""

import pytest
from django.urls import reverse

from engagements.plain_language import check, parse_glossary
from tests.correspondence.factories import TemplateFactory, VersionFactory
from tests.faq.factories import EntryFactory

LONG = (
    "Nous vous informons que votre dossier a bien été reçu par nos services et qu'il sera "
    "examiné dans les meilleurs délais par un agent du bureau du séjour qui vous contactera."
)  # 31 words


def kinds(report):
    return [(s.kind, s.text) for s in report.suggestions]


def test_acronyms_must_be_expanded_on_first_use():
    report = check("Déposez votre demande sur l'ANEF. L'ANEF vous répond.")
    assert kinds(report) == [("acronym", "ANEF")]  # flagged once, at its first use
    assert "Administration numérique pour les étrangers en France (ANEF)" in (
        report.suggestions[0].advice
    )
    # Expanded before or right beside the first use: nothing to say.
    assert not check("L'Agence nationale des titres sécurisés (ANTS) instruit.").suggestions
    assert not check("Le PAN (point d'accueil numerique) vous aide.").suggestions
    assert not check("Services Publics + (SP+) vous écoute.").suggestions
    assert kinds(check("Les engagements SP+ sont affichés.")) == [("acronym", "SP+")]
    # Unknown acronyms are flagged until the prefecture's glossary knows them.
    assert kinds(check("Adressez-vous à la DDETS.")) == [("acronym", "DDETS")]
    glossary = "DDETS = Direction départementale de l'emploi, du travail et des solidarités"
    assert parse_glossary(glossary) == {
        "DDETS": "Direction départementale de l'emploi, du travail et des solidarités"
    }
    assert "Direction départementale" in check("La DDETS.", glossary).suggestions[0].advice
    assert not check(
        "La Direction départementale de l'emploi, du travail et des solidarités (DDETS).",
        glossary,
    ).suggestions


def test_long_sentences_and_jargon_and_a_score():
    report = check(f"{LONG} Merci.")
    assert kinds(report) == [("sentence", "Nous vous informons que votre dossier a bien…")]
    assert "Phrase de 31 mots" in report.suggestions[0].advice
    assert report.sentences == 2 and report.words == 32
    jargon = check("Nonobstant les pièces afférentes, ledit dossier est complet.")
    assert {s.text for s in jargon.suggestions} == {"afférente", "nonobstant", "ledit"}
    assert all(s.kind == "jargon" for s in jargon.suggestions)
    # Placeholders and addresses are not prose; short plain sentences read easily.
    easy = check(
        "Venez à 9 h avec votre passeport. Apportez aussi une photo. Votre numéro : {reference}."
    )
    assert easy.suggestions == [] and easy.score >= 60 and easy.level == "facile à lire"
    assert check(LONG).score < easy.score
    assert check("").score is None and check("Question numéro 3 ?").score is None


@pytest.mark.django_db
def test_editors_and_the_committee_review_show_the_suggestions(
    prefecture, quality_lead, client_for
):
    client = client_for(quality_lead)
    prefecture.plain_language_glossary = "DDETS = Direction départementale de l'emploi"
    prefecture.save()
    entry = EntryFactory(prefecture=prefecture, answer="Voyez la DDETS ou le CERT.")
    page = client.get(reverse("faq:agents-edit", args=[prefecture.slug, entry.pk]))
    text = page.content.decode()
    assert "Langage clair : suggestions" in text and "Lisibilité :" in text
    assert "Direction départementale de l&#x27;emploi (DDETS)" in text
    assert "Centre d&#x27;expertise et de ressources titres (CERT)" in text
    # As typed on a refused form too: the suggestions follow what was written.
    template = TemplateFactory(prefecture=prefecture)
    version = VersionFactory(template=template, submitted=True, body=f"{LONG}\n\n{{reference}}")
    review = client.get(
        reverse("correspondence:agents-template", args=[prefecture.slug, template.pk])
    )
    assert "Phrase de 31 mots" in review.content.decode()
    assert version.status == "submitted"
