"""The survey in the flows' languages: the page strings come from the catalogues, the
questions from the questionnaire's own translations; a language is offered once every
question is translated, and until then a page in that language asks the questions in
French (lang="fr", dir="ltr" on them)."""

import pytest

from engagements.surveys import translations
from engagements.surveys.demo_languages import translate
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(service):
    return CampaignFactory(site=service.site, services=[service])


def test_a_flow_language_needs_only_the_questions(campaign):
    questionnaire = campaign.questionnaire
    questionnaire.extra_languages = ["ar"]
    questionnaire.save()
    assert translations.missing(questionnaire, "ar")  # the questions
    assert "ar" not in translations.offered_languages(questionnaire)
    translate(questionnaire, "yearly")
    assert translations.missing(questionnaire, "ar") == []
    offered = translations.offered_languages(questionnaire)
    assert {"ar", "es", "pt", "uk"} <= set(offered)
    ui = translations.interface(questionnaire, "uk")
    assert ui["submit"] == "Надіслати відгук" and ui["scale_4"] == "Дуже задоволений"
    # A questionnaire's own wording wins over the catalogue's.
    questionnaire.interface_translations = {"uk": {"submit": "Надіслати"}}
    assert translations.interface(questionnaire, "uk")["submit"] == "Надіслати"


def test_untranslated_questionnaire_on_an_arabic_page_asks_in_french(client, campaign, service):
    url = f"/ar/s/{campaign.token}/{service.slug}/?canal=web"
    content = client.get(url).content.decode()
    assert '<html lang="ar" dir="rtl"' in content
    assert '<h1 lang="fr" dir="ltr">' in content and "Donnez votre avis" in content
    translate(campaign.questionnaire, "yearly")
    content = client.get(url).content.decode()
    assert '<h1 lang="ar" dir="rtl">أعطِ رأيك</h1>' in content
    assert "ما رأيك في مدة الانتظار؟" in content
