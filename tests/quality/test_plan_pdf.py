"""The printable action plan (PDF): a prefecture's plan for a year, read back as text."""

import os
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.quality.services import (
    change_status,
    create_action,
    record_effectiveness,
    status_for_code,
    validate_plan,
)
from tests.quality.factories import AssessmentFactory, CommitmentFactory, FindingFactory
from tests.tooling import pdf_text

pytestmark = pytest.mark.django_db
NOW = timezone.make_aware(timezone.datetime(2026, 6, 15, 10))


def _url(prefecture, year=2026, **query):
    url = reverse("quality:agents-plan-pdf", args=[prefecture.slug, year])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def plan(prefecture, site, service, other_site, other_service, agent, quality_lead):
    """Four actions of 2026 on two sites: one late, one done, one from an audit finding on
    an engagement, one sub-action; and one of 2025, not in the plan."""
    with time_machine.travel(NOW, tick=False):
        finding = FindingFactory(
            assessment=AssessmentFactory(site=site),
            commitment=CommitmentFactory(ref="SP+4", title="Répondre sous 15 jours ouvrés"),
        )
        late = create_action(
            prefecture, site=site, year=2026, title="Afficher les horaires à l'entrée",
            service=service, owner=agent, due_on=date(2026, 5, 31),
        )  # fmt: skip
        from_finding = create_action(
            prefecture, site=site, year=2026, title="Relancer les réponses en attente",
            source=finding, due_on=date(2026, 9, 30), service=service,
        )  # fmt: skip
        create_action(
            prefecture, site=site, year=2026, title="Commander les panneaux", parent=late,
            service=service,
        )  # fmt: skip
        done = create_action(
            prefecture, site=other_site, year=2026, title="Former l'accueil du Nord",
            service=other_service, owner=quality_lead, due_on=date(2026, 4, 30),
            opened_on=date(2026, 1, 10),
        )  # fmt: skip
        record_effectiveness(done, actor=quality_lead, text="Questionnaire de fin de formation")
        change_status(
            done, status_for_code(prefecture, "done"), actor=quality_lead,
            closed_on=date(2026, 4, 20),
        )  # fmt: skip
        create_action(prefecture, site=site, year=2025, title="Action de l'an passé")
        validate_plan(late.plan, actor=quality_lead)
    return {"late": late, "finding": from_finding, "done": done}


@time_machine.travel(NOW, tick=False)
def test_the_plan_reads_back_with_each_action_engagement_owner_status_and_late_mark(
    prefecture, plan, quality_lead, client_for
):
    client = client_for(quality_lead)
    page = client.get(reverse("quality:agents-actions", args=[prefecture.slug]))
    assert _url(prefecture) in page.content.decode()  # linked from the plans page
    response = client.get(_url(prefecture))
    if path := os.environ.get("PLAN_PDF"):  # to look at it: PLAN_PDF=/tmp/plan.pdf
        Path(path).write_bytes(response.content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "plan-d-actions-alpha-2026.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    flat = " ".join(text.split()).replace(" %", "%")  # pdftotext may drop the space
    assert "Plan d'actions 2026" in flat
    assert "4 actions, 1 réalisée, 1 en retard" in flat
    assert "Préfecture — Chef-Lieu" in flat and "Sous-préfecture du Nord" in flat
    assert "Plan validé le 15 juin 2026 par Quentin Qualité" in flat
    assert "Plan à valider" in flat  # the other site's
    for reference in ("PA-2026-001", "PA-2026-002", "PA-2026-003", "PA-2026-004"):
        assert reference in flat
    assert "Action de l'an passé" not in flat
    # Its engagement, else its theme (origin); pilot and service; due date, late marked.
    assert "SP+4 — Répondre sous 15 jours ouvrés" in flat
    assert "Initiative du service" in flat
    assert "Agathe Agent" in flat and "Bureau du séjour" in flat
    # Each row as printed: its first line, then the line under it (pdftotext -layout).
    lines = [" ".join(line.split()) for line in pdf_text(response.content, layout=True).split("\n")]
    row = next(i for i, line in enumerate(lines) if line.startswith("PA-2026-001"))
    assert lines[row].replace(" %", "%").endswith("Agathe Agent 31/05/2026 Prévue 0%")
    assert lines[row + 1].endswith("Bureau du séjour En retard")
    row = next(i for i, line in enumerate(lines) if line.startswith("PA-2026-004"))
    assert "Quentin Qualité 30/04/2026 Réalisée" in lines[row]
    assert lines[row].replace(" %", "%").endswith("100%")
    assert lines[row + 1].endswith("Accueil du Nord le 20/04/2026")
    assert "sous-action de PA-2026-001" in flat
    assert flat.count("En retard") == 1


@time_machine.travel(NOW, tick=False)
def test_an_agent_prints_the_actions_he_sees_and_the_site_filter_is_kept(
    prefecture, site, plan, agent, quality_lead, client_for
):
    """Permission-checked like the page: an agent sees his services' actions only."""
    text = " ".join(pdf_text(client_for(agent).get(_url(prefecture)).content).split())
    assert "Afficher les horaires" in text and "Former l'accueil du Nord" not in text
    assert "3 actions" in text
    response = client_for(quality_lead).get(_url(prefecture, site="sous-pref"))
    assert "plan-d-actions-alpha-2026-sous-pref.pdf" in response["Content-Disposition"]
    text = " ".join(pdf_text(response.content).split())
    assert "Plan d'actions 2026 — Sous-préfecture du Nord" in text
    assert "Former l'accueil du Nord" in text and "Afficher les horaires" not in text


def test_a_year_without_actions_and_an_absurd_year(prefecture, quality_lead, client_for):
    client = client_for(quality_lead)
    text = " ".join(pdf_text(client.get(_url(prefecture, 2024)).content).split())
    assert "Aucune action en 2024." in text and "0 action," in text
    assert client.get(_url(prefecture, 1999)).status_code == 404
