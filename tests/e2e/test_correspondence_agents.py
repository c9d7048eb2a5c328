"""The agents' pages of the register in a browser: accessible, late messages stand out."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.browser import assert_accessible, screenshot
from tests.correspondence.factories import (
    MessageFactory,
    TemplateFactory,
    TopicFactory,
    VersionFactory,
)

pytestmark = pytest.mark.browser


def login(page, user):
    page.goto(reverse("organisation:agents-login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", "secret-password")
    page.click("button[type=submit]")


@time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=True)
def test_worklist_figures_and_library(page, prefecture, service, other_service, quality_lead):
    topic = TopicFactory(prefecture=prefecture, name="Prise de rendez-vous")
    late = MessageFactory(service=service, topic=topic, received_on=date(2026, 3, 2))
    MessageFactory(service=service, received_on=date(2026, 3, 18), subject="Adresse")
    MessageFactory(service=other_service, letter=True, received_on=date(2026, 3, 10))
    MessageFactory.create_batch(3, service=service, topic=topic, answered_on_time=True)
    MessageFactory(service=service, answered_late=True)
    VersionFactory(
        template=TemplateFactory(prefecture=prefecture, name="Réponse type"), published=True
    )
    login(page, quality_lead)

    page.goto(reverse("correspondence:agents-list", args=[prefecture.slug]))
    row = page.locator("tr.eng-late").first
    assert late.reference in row.inner_text() and "en retard" in row.inner_text().lower()
    assert_accessible(page)
    screenshot(page, "correspondence-worklist")

    page.goto(reverse("correspondence:agents-detail", args=[prefecture.slug, late.pk]))
    assert_accessible(page)

    page.goto(reverse("correspondence:agents-figures", args=[prefecture.slug]) + "?year=2026")
    # 3 answered on time / (4 answered + 1 late); the two recent ones are pending.
    assert page.locator("[data-rate]").inner_text() == "60,0\u00a0%"
    assert_accessible(page)
    screenshot(page, "correspondence-figures")

    for name in ("agents-templates", "agents-templates-collection", "agents-settings"):
        page.goto(reverse(f"correspondence:{name}", args=[prefecture.slug]))
        assert_accessible(page)


def test_choosing_a_template_asks_before_replacing_what_was_written(
    page, prefecture, service, agent
):
    """The templates are links that reload the page with their text: a click on one after
    writing the answer threw the writing away without a word."""
    message = MessageFactory(service=service)
    version = VersionFactory(
        template=TemplateFactory(prefecture=prefecture, name="Réponse type"), published=True
    )
    login(page, agent)
    url = reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk])
    page.goto(url)
    asked: list[str] = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.fill("#id_text", "Madame, votre titre est prêt depuis lundi.")
    page.get_by_role("link", name="Réponse type").click()
    assert asked == [
        "Remplacer le texte de la réponse par ce modèle ? Ce que vous avez écrit sera perdu."
    ]
    assert page.input_value("#id_text") == "Madame, votre titre est prêt depuis lundi."
    assert "template=" not in page.url
    # Nothing written yet: the template comes without a question.
    page.remove_listener("dialog", refuse)
    page.fill("#id_text", "")
    page.get_by_role("link", name="Réponse type").click()
    page.wait_for_url(f"**?template={version.pk}")
    assert len(asked) == 1
    assert page.input_value("#id_text").strip()


def test_the_worklist_ticks_a_whole_page_at_once(page, prefecture, service, agent):
    """Giving out a page of messages meant ticking fifty boxes one by one. With the
    keyboard, as with the mouse."""
    messages = MessageFactory.create_batch(3, service=service)
    login(page, agent)
    page.goto(reverse("correspondence:agents-list", args=[prefecture.slug]))
    page.focus("#sel-all")
    page.keyboard.press("Space")
    assert page.locator("input[name=messages]:checked").count() == 3
    page.focus(f"#sel-{messages[0].pk}")
    page.keyboard.press("Space")  # one unticked: the box says "some"
    assert page.eval_on_selector("#sel-all", "box => box.indeterminate")
    page.focus("#sel-all")
    page.keyboard.press("Space")
    assert page.locator("input[name=messages]:checked").count() == 3
    assert_accessible(page)
    page.select_option("#id_agent", str(agent.pk))
    page.get_by_role("button", name="Attribuer", exact=True).click()
    assert "3 messages attribués." in page.inner_text("body")
