"""In a browser: answer a postal message without a template and read the letter PDF back."""

import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import screenshot
from tests.correspondence.factories import MessageFactory
from tests.e2e.test_correspondence_agents import login
from tests.tooling import require_tool

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@time_machine.travel(datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("Europe/Paris")), tick=True)
def test_letter_without_template_has_every_mandatory_block(page, prefecture, service, agent):
    pdftotext = require_tool("pdftotext", "poppler-utils")
    agent.roles.update(title="Cheffe du bureau du séjour")
    message = MessageFactory(
        service=service, letter=True, sender_name="Jeanne Dupont", subject="Titre en retard"
    )
    login(page, agent)
    page.wait_for_selector("text=Se déconnecter")
    page.goto(reverse("correspondence:agents-answer", args=[prefecture.slug, message.pk]))
    page.check("input[name=channel][value=letter]")
    page.fill("#id_subject", "Votre demande de titre de séjour")
    page.fill("#id_text", "Madame,\n\nVotre titre est prêt : vous pouvez venir le retirer.")
    with page.expect_navigation():  # post, then redirect to the message page
        page.get_by_role("button", name="Enregistrer et envoyer la réponse").click()
    link = page.get_by_role("link", name="Courrier PDF")
    expect(link).to_be_visible()
    screenshot(page, "e2e-letter-after-answer")
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "e2e-letter-without-template.pdf"
    path.write_bytes(response.body())
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        f"{message.site.city}, le 20 mars 2026",  # date and place
        "Objet : Votre demande de titre de séjour",
        "Agathe Agent",  # signatory's first name and name
        "Cheffe du bureau du séjour",  # title
        prefecture.postal_address,
        prefecture.phone,
        prefecture.website,
    ):
        assert expected in text, expected
