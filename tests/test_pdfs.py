"""Every PDF the product makes, rendered and read back: key texts, the Marianne font and
the bloc marque, no table column cut, footers on one line; each page 1 kept as a PNG
(var/screenshots/pdf-*.png) to look at."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.appointments.enums import BookingStatus
from engagements.committee.models import Minutes
from engagements.surveys.enums import Criterion
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.committee.factories import (
    AttendanceFactory,
    CommitteeFactory,
    DecisionFactory,
    MinutesFactory,
    MinutesItemFactory,
)
from tests.correspondence.factories import MessageFactory, TemplateFactory, VersionFactory
from tests.factories import ServiceFactory
from tests.surveys.factories import AnswerFactory, CampaignFactory, ResponseFactory
from tests.tooling import require_tool

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def read_pdf(content: bytes, name: str) -> str:
    """`pdftotext -layout` of the PDF, after checking its fonts and saving page 1 as PNG."""
    pdftotext = require_tool("pdftotext", "poppler-utils")
    assert content.startswith(b"%PDF"), name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"pdf-{name}.pdf"
    path.write_bytes(content)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert "Marianne" in fonts, f"{name}: no Marianne font\n{fonts}"
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(path)[:-4]],
            check=True,
        )
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    # The bloc marque: "République française" and the flag (an image) on every document.
    assert "RÉPUBLIQUE" in text.upper() and "FRANÇAISE" in text.upper(), name
    return text


def one_line_with(text: str, *parts: str) -> bool:
    return any(all(part in line for part in parts) for line in text.splitlines())


def test_correspondence_letters_and_collection(prefecture, service, quality_lead, client_for):
    client = client_for(quality_lead)
    message = MessageFactory(service=service, letter=True, sender_name="Jeanne Dupont")
    ack = client.get(
        reverse("correspondence:agents-ack-letter", args=[prefecture.slug, message.pk])
    )
    text = read_pdf(ack.content, "acknowledgement")
    assert message.reference in text.replace(" ", "") and "Jeanne Dupont" in text
    assert one_line_with(text, prefecture.postal_address, prefecture.website), "footer wraps"
    VersionFactory(template=TemplateFactory(prefecture=prefecture, name="Réponse"), published=True)
    collection = client.get(
        reverse("correspondence:agents-templates-collection", args=[prefecture.slug]),
        {"format": "pdf"},
    )
    text = read_pdf(collection.content, "collection")
    # Filled with the sample person, whose name is never glued to "Madame, Monsieur" (issue 19).
    assert "1. Réponse" in text and "Madame, Monsieur," in text
    assert "Monsieur Camille Exemple" not in text


def test_booking_summary_and_attendance_certificate(prefecture, service, agent, client_for):
    procedure = ProcedureFactory(service=service, documents="Passeport")
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    booking = BookingFactory(slot=SlotFactory(procedure=procedure, starts_at=start))
    summary = client_for(agent).get(reverse("appointments:pdf", args=[booking.token]))
    text = read_pdf(summary.content, "booking-summary")
    # pdftotext may split a reference at a kerning gap ("2CVQ JBYC"): compare without spaces.
    assert booking.reference in text.replace(" ", "") and "Passeport" in text
    booking.status = BookingStatus.ATTENDED
    booking.checked_in_at = start - timedelta(minutes=5)
    booking.checked_in_by = agent
    booking.save()
    certificate = client_for(agent).get(
        reverse("appointments:agents-certificate", args=[prefecture.slug, booking.pk])
    )
    text = read_pdf(certificate.content, "certificate")
    for expected in (service.site.name, agent.get_full_name(), "22:55", booking.reference):
        assert expected in text, expected
    # Neither "présenté(e)" nor "que Amina": the person is named in the facts below.
    flat = "".join(text.split())  # line breaks fall anywhere ("ci-" / "dessous")
    assert "lapersonnenomméeci-dessouss'estprésentéeauguichet" in flat
    assert "(e)" not in text
    assert f"Personne{booking.first_name}{booking.last_name}" in flat


def test_survey_report_posters_and_coupons(prefecture, site, quality_lead, client_for):
    services = [ServiceFactory(site=site, name=f"Bureau numéro {i}") for i in range(1, 7)]
    campaign = CampaignFactory(site=site, services=services)
    questions = {q.criterion: q for q in campaign.questionnaire.questions.all() if q.criterion}
    for service in services:
        for value in (4, 3, 4, 2, 4):
            response = ResponseFactory(campaign=campaign, service=service)
            for question in questions.values():
                AnswerFactory(
                    response=response,
                    question=question,
                    value=min(value, 2) if question.kind == "yes_no" else value,
                )
    client = client_for(quality_lead)
    report = client.get(reverse("surveys:agents-campaign-pdf", args=[prefecture.slug, campaign.pk]))
    text = read_pdf(report.content, "survey-report")
    # Every column of "par service" is there: each criterion and each service.
    for criterion in Criterion:
        assert criterion.label in text, criterion.label
    for service in services:
        assert service.name in text, service.name
    poster = client.get(
        reverse("surveys:agents-poster", args=[prefecture.slug, campaign.pk, services[0].pk])
    )
    text = read_pdf(poster.content, "poster")
    assert "Questionnaire en Français, English." in text
    # A language being translated is not announced.
    campaign.questionnaire.extra_languages = ["de"]
    campaign.questionnaire.save()
    text = read_pdf(
        client.get(
            reverse("surveys:agents-poster", args=[prefecture.slug, campaign.pk, services[0].pk])
        ).content,
        "poster",
    )
    assert "Deutsch" not in text
    coupons = client.get(
        reverse("surveys:agents-coupons", args=[prefecture.slug, campaign.pk]),
        {"first": 1, "count": 2},
    )
    text = read_pdf(coupons.content, "coupons")
    assert f"N° {campaign.pk}-0001" in text and "Non concerné" in text


def test_committee_minutes_and_sign_in_sheet(prefecture, quality_lead, client_for):
    """The minutes and the sign-in sheet use the product's font (Marianne, not the DejaVu
    they once fell back to) and carry the bloc marque, as the letters do."""
    minutes = MinutesFactory(meeting__committee=CommitteeFactory(prefecture=prefecture))
    item = MinutesItemFactory(minutes=minutes)
    DecisionFactory(minutes=minutes, agenda_item=item.agenda_item, text="Avis très favorable.")
    AttendanceFactory(meeting=minutes.meeting, person_name="Dominique Exemple")
    Minutes.objects.filter(pk=minutes.pk).update(
        status="approved", approved_on=minutes.meeting.day, published_at=timezone.now()
    )
    client = client_for(quality_lead)
    pdf = client.get(reverse("committee:public-minutes-pdf", args=[prefecture.slug, minutes.pk]))
    text = read_pdf(pdf.content, "committee-minutes")
    if shutil.which("pdffonts"):  # every text in Marianne, the page numbers too
        fonts = subprocess.run(
            ["pdffonts", str(SCREENSHOTS / "pdf-committee-minutes.pdf")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()[2:]
        assert fonts and all("Marianne" in line for line in fonts), fonts
    assert "Relevé de décisions de la réunion du" in text and "Avis très favorable." in text
    assert "Dominique Exemple" in text
    sheet = client.get(
        reverse("committee:agents-sign-in-sheet", args=[prefecture.slug, minutes.meeting.pk])
    )
    text = read_pdf(sheet.content, "committee-sign-in-sheet")
    assert "Dominique Exemple" in text
