"""What agents wrote, in the visitor's language, in a real browser: the FAQ in Ukrainian
(a translated answer opened with the keyboard, an untranslated one read as French) and the
"nous l'avons fait" page in Arabic, right to left with a French summary left to right;
axe-core clean on both."""

from datetime import date

import pytest

from engagements.quality.services import create_action
from tests.browser import assert_accessible, screenshot, wait_for_dsfr
from tests.factories import PrefectureFactory, SiteFactory
from tests.faq.factories import EntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_translated_faq_in_ukrainian_and_summaries_in_arabic(page):
    prefecture = PrefectureFactory(slug="demo", name="Préfecture des Hauts-de-Lys")
    site = SiteFactory(prefecture=prefecture, slug="lysville", name="Préfecture — Lysville")
    EntryFactory(
        prefecture=prefecture,
        question="Comment renouveler mon titre de séjour ?",
        answer="Prenez rendez-vous deux mois avant la fin de validité.",
        reviewed_on=date(2026, 12, 5),
        translations={
            "uk": {
                "question": "Як продовжити посвідку на проживання?",
                "answer": "Запишіться на прийом за два місяці до закінчення строку дії.",
            }
        },
    )
    EntryFactory(prefecture=prefecture, question="Où se garer ?", answer="Parking rue Haute.")
    page.goto("/uk/faq/demo/")
    assert page.locator("html").get_attribute("lang") == "uk"
    button = page.get_by_role("button", name="Як продовжити посвідку на проживання?")
    french = page.get_by_role("button", name="Où se garer ?")
    assert french.get_attribute("lang") == "fr" and button.get_attribute("lang") is None
    # Keyboard: reach the translated question and open it (once the DSFR script runs).
    wait_for_dsfr(page)
    button.focus()
    page.keyboard.press("Enter")
    answer = page.get_by_text("Запишіться на прийом за два місяці")
    answer.wait_for(state="visible")
    assert "5 грудня 2026" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "faq-uk-translated")

    create_action(
        prefecture,
        site=site,
        year=2026,
        title="Signalétique",
        public_summary="De nouveaux panneaux indiquent chaque guichet.",
        translations={"ar": {"public_summary": "لوحات جديدة تدل على كل شباك."}},
        is_public=True,
    )
    create_action(
        prefecture, site=site, year=2026, title="Bancs", public_summary="Des bancs.", is_public=True
    )
    page.goto("/ar/prefectures/demo/nous-l-avons-fait/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_text("لوحات جديدة تدل على كل شباك.").is_visible()
    french = page.get_by_text("Des bancs.")
    assert french.get_attribute("lang") == "fr" and french.get_attribute("dir") == "ltr"
    assert_accessible(page)
    screenshot(page, "done-ar-translated")
