"""Printed survey material read back: paper coupons never overlap (each coupon's questions
stay in its own box, on its own page), the star-rating poster fits on one page, and the
CLU report keeps one orientation per section without cutting a label."""

import re
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from engagements.surveys.enums import Criterion, QuestionKind
from tests.factories import ServiceFactory
from tests.surveys.factories import (
    AnswerFactory,
    CampaignFactory,
    QuestionFactory,
    QuestionnaireFactory,
    ResponseFactory,
)
from tests.test_pdfs import SCREENSHOTS
from tests.tooling import require_tool

pytestmark = pytest.mark.django_db


def save(content: bytes, name: str) -> Path:
    assert content.startswith(b"%PDF"), name
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"pdf-{name}.pdf"
    path.write_bytes(content)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(path)[:-4]], check=False)
    return path


def pages_text(path: Path) -> list[str]:
    """pdftotext -layout of each page (lines sorted top to bottom)."""
    pdftotext = require_tool("pdftotext", "poppler-utils")
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def page_sizes(path: Path) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, text=True
    ).stdout
    return [
        tuple(float(n) for n in re.search(r"([\d.]+) x ([\d.]+) pts", line).groups())
        for line in info.splitlines()
        if re.match(r"Page +\d+ size:", line)
    ]


def test_ten_question_coupons_never_print_over_each_other(prefecture, site, agent, client_for):
    questionnaire = QuestionnaireFactory(prefecture=prefecture)
    kinds = [QuestionKind.SCALE] * 6 + [QuestionKind.YES_NO, QuestionKind.STARS]
    kinds += [QuestionKind.SCALE, QuestionKind.TEXT]
    for n, kind in enumerate(kinds, start=1):
        QuestionFactory(
            questionnaire=questionnaire,
            position=n,
            kind=kind,
            criterion="" if kind == QuestionKind.TEXT else "courtesy",
            text=f"Question numéro {n} sur l'accueil ?",
        )
    campaign = CampaignFactory(site=site, questionnaire=questionnaire)
    response = client_for(agent).get(
        reverse("surveys:agents-coupons", args=[prefecture.slug, campaign.pk]),
        {"first": 9998, "count": 2},
    )
    path = save(response.content, "coupons-10-questions")
    serials = [f"{campaign.pk}-{n:04d}" for n in (9998, 9999)]
    seen = []
    for number, page in enumerate(pages_text(path), start=1):
        # Top to bottom, a page reads: a coupon's header, its questions 1 to 10, then the
        # next coupon's header… — a question printed over the next header breaks the order.
        events = []
        for line in page.splitlines():
            serial = re.search(r"N° (\d+-\d{4})", line)
            if serial:
                events.append(serial.group(1))
            question = re.search(r"(\d+)\. Question numéro (\d+)", line)
            if question:
                assert question.group(1) == question.group(2), line
                events.append(int(question.group(1)))
        assert events, f"page {number} is empty"
        assert len(events) % 11 == 0, (number, events)
        for start in range(0, len(events), 11):
            block = events[start : start + 11]
            assert isinstance(block[0], str) and block[1:] == list(range(1, 11)), (number, block)
            seen.append(block[0])
    assert seen == serials


def test_star_rating_poster_fits_on_one_page(prefecture, site, agent, client_for):
    services = [ServiceFactory(site=site, name="Bureau de l'accueil général et des titres")]
    campaign = CampaignFactory(site=site, stars_poster=True, services=services)
    campaign.questionnaire.extra_languages = ["ar", "es", "pt", "uk"]
    campaign.questionnaire.save()
    response = client_for(agent).get(
        reverse("surveys:agents-poster", args=[prefecture.slug, campaign.pk, services[0].pk])
    )
    path = save(response.content, "stars-poster")
    pages = pages_text(path)
    assert len(pages) == 1, [p[:200] for p in pages]
    text = " ".join(pages[0].split())
    assert "Donnez votre avis en étoiles" in text and "Scannez le code" in text


def test_survey_report_one_orientation_per_section_and_whole_labels(
    prefecture, site, quality_lead, client_for
):
    services = [ServiceFactory(site=site, name=f"Bureau numéro {i}") for i in range(1, 7)]
    campaign = CampaignFactory(site=site, services=services)
    questions = [q for q in campaign.questionnaire.questions.all() if q.criterion]
    for service in services:
        for value in (4, 3, 4, 2, 4):
            response = ResponseFactory(campaign=campaign, service=service)
            for q in questions:
                AnswerFactory(
                    response=response,
                    question=q,
                    value=min(value, 2) if q.kind == "yes_no" else value,
                )
    report = client_for(quality_lead).get(
        reverse("surveys:agents-campaign-pdf", args=[prefecture.slug, campaign.pk])
    )
    path = save(report.content, "survey-report-sections")
    pages = pages_text(path)
    sizes = page_sizes(path)
    assert len(sizes) == len(pages)
    orientation = ["landscape" if w > h else "portrait" for w, h in sizes]
    # Each section's pages share one orientation: "Par service" landscape, the others portrait.
    sections = {}
    current = None
    for page, kind in zip(pages, orientation, strict=True):
        for title in ("Par critère", "Par service", "Par canal", "Extraits des commentaires"):
            if re.search(rf"^\s*{title}\s*$", page, re.MULTILINE):
                current = title
        sections.setdefault(current, set()).add(kind)
    assert sections["Par service"] == {"landscape"}, sections
    assert sections["Par critère"] == {"portrait"} and sections["Par canal"] == {"portrait"}
    # No label is cut: each criterion is whole in the chart and in both tables (the chart
    # cut "Prise en charge des personnes à mobilit…").
    flat = " ".join(" ".join(pages).split())
    for label in {Criterion(q.criterion).label for q in questions}:
        assert flat.count(label) >= 3, (label, flat.count(label))
    assert "…" not in flat
    # A table is never split: "Satisfaction globale" stays with its services' table.
    for page in pages:
        if "Satisfaction par service" not in page and "Par service" not in page:
            assert "Bureau numéro" not in page
