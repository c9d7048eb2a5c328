"""Scope per service, the fraud referent of module 2's services, and the training plan's
coverage (issue 22, points 4 and 5)."""

from datetime import date

import pytest
from django.urls import reverse

from engagements.quality.models import ServiceScope
from engagements.quality.obligations import year_obligations
from engagements.quality.service_scopes import (
    ScopeError,
    add_plan_item,
    plan_coverage,
    set_service_scope,
)
from tests.factories import ServiceFactory
from tests.quality.cycle_factories import LabelFactory, TrainingFactory
from tests.tooling import pdf_text

pytestmark = pytest.mark.django_db


def test_the_referent_sets_a_service_s_modules_and_its_fraud_referent(
    prefecture, site, service, client_for, quality_lead, agent
):
    page_url = reverse("quality:agents-service-scopes", args=[prefecture.slug])
    prefix = f"s{service.pk}"
    response = client_for(quality_lead).post(
        page_url,
        {
            "service": service.pk,
            f"{prefix}-modules": ["1", "2"],
            f"{prefix}-fraud_referent": agent.pk,
        },
    )
    assert response.status_code == 302
    scopes = {s.module: s for s in ServiceScope.objects.filter(service=service)}
    assert set(scopes) == {1, 2}
    assert scopes[2].fraud_referent == agent and scopes[1].fraud_referent is None
    # Taken out of module 1: its row goes, module 2 stays.
    client_for(quality_lead).post(page_url, {"service": service.pk, f"{prefix}-modules": ["2"]})
    assert list(ServiceScope.objects.values_list("module", flat=True)) == [2]
    page = client_for(quality_lead).get(page_url).content.decode()
    assert "À désigner" in page  # the referent was not given again


def test_a_service_outside_the_user_s_scope_is_404(
    prefecture, site, service, other_service, client_for, site_manager, quality_lead
):
    page_url = reverse("quality:agents-service-scopes", args=[prefecture.slug])
    response = client_for(quality_lead).post(page_url, {"service": 999_999})
    assert response.status_code == 404
    assert client_for(site_manager).post(page_url, {"service": service.pk}).status_code == 403


def test_module_2_services_owe_a_fraud_referent_and_a_fraud_training(
    prefecture, site, service, agent
):
    LabelFactory(site=site)
    titles = ServiceFactory(site=site, slug="titres", name="Centre des titres")
    set_service_scope(prefecture, titles, [2])
    set_service_scope(prefecture, service, [1, 2], fraud_referent=agent)
    TrainingFactory(service=service, fraud=True, date=date(2026, 4, 1))
    items = year_obligations(prefecture, 2026, today=date(2026, 6, 30))
    states = {o.title: o.state for o in items if "fraude" in o.title}
    assert states == {
        "Référent fraude désigné pour le centre des titres": "late",
        "Formation à la lutte contre la fraude pour le centre des titres": "due",
        "Référent fraude désigné pour le bureau du séjour": "done",
        "Formation à la lutte contre la fraude pour le bureau du séjour": "done",
    }
    with pytest.raises(ScopeError):
        set_service_scope(prefecture, titles, [9])


def test_the_training_plan_s_coverage(
    prefecture, site, service, other_service, client_for, quality_lead
):
    add_plan_item(prefecture, year=2026, service=service, topic="accueil", participants=10)
    add_plan_item(prefecture, year=2026, service=service, topic="fraude")
    add_plan_item(prefecture, year=2026, service=other_service, topic="handicap")
    TrainingFactory(service=service, participants=4)  # accueil, 2026
    TrainingFactory(service=service, participants=3, title="Accueil, suite")
    TrainingFactory(service=other_service, topic="handicap", date=date(2025, 6, 1))  # 2025
    coverage = plan_coverage(prefecture, 2026)
    # 1 of the 3 items has a session in 2026: 33.3 %.
    assert coverage["coverage"] == 33.3
    reception = next(line for line in coverage["lines"] if line.item.topic == "accueil")
    assert (reception.sessions, reception.participants, reception.covered) == (2, 7, True)
    with pytest.raises(ScopeError, match="déjà au plan"):
        add_plan_item(prefecture, year=2026, service=service, topic="fraude")
    page_url = reverse("quality:agents-trainings", args=[prefecture.slug]) + "?annee=2026"
    client = client_for(quality_lead)
    assert "33,3\u00a0% des formations prévues" in client.get(page_url).content.decode()
    response = client.post(
        page_url, {"plan": "1", "plan-service": other_service.pk, "plan-topic": "numerique"}
    )
    assert response.status_code == 302
    assert plan_coverage(prefecture, 2026)["coverage"] == 25.0  # 1 of 4


def test_the_evidence_pack_lists_the_site_s_trainings_of_the_year(prefecture, site, service):
    import io
    import zipfile

    from engagements.quality.evidence import build_evidence_pack
    from tests.quality.factories import AssessmentFactory

    TrainingFactory(service=service, fraud=True, hours="1.5", participants=6)
    TrainingFactory(service=service, date=date(2025, 3, 1), title="Année précédente")
    assessment = AssessmentFactory(site=site, planned_on=date(2026, 6, 1))
    archive = zipfile.ZipFile(io.BytesIO(build_evidence_pack(assessment)))
    text = archive.read("formations.csv").decode("utf-8-sig")
    assert "10/03/2026;Bureau du séjour;Lutte contre la fraude;" in text
    assert "1,50;6" in text and "Année précédente" not in text


def test_the_committee_s_annual_report_includes_the_year_s_trainings(
    prefecture, site, service, client_for, committee_member
):
    TrainingFactory(service=service, fraud=True, hours="1.25", participants=2)  # 2.5
    TrainingFactory(service=service, participants=4)  # 3.5 × 4 = 14
    response = client_for(committee_member).get(
        reverse("indicators:agents-annual-report", args=[prefecture.slug, 2026])
    )
    text = pdf_text(response.content, layout=True)
    assert "5. Formations des agents" in text
    # 2 sessions, 6 participants, 2.5 + 14 = 16.5 trainee hours
    assert "2 sessions, 6 participants, 16,5 heures-stagiaires" in text
    assert "Lutte contre la fraude" in text


def test_the_scopes_page_s_queries_do_not_grow_with_the_services(
    prefecture,
    site,
    service,
    other_site,
    other_service,
    quality_lead,
    agent,
    client_for,
    django_assert_max_num_queries,
):
    """Each service's form offers the prefecture's people as fraud referent: read once for
    the page (it was one query per service), six queries however many services and sites."""
    client = client_for(quality_lead)
    page_url = reverse("quality:agents-service-scopes", args=[prefecture.slug])
    set_service_scope(prefecture, service, [1, 2], fraud_referent=agent)
    with django_assert_max_num_queries(6) as first:
        client.get(page_url)
    for n in range(6):
        set_service_scope(
            prefecture, ServiceFactory(site=site, slug=f"s{n}"), [2], fraud_referent=agent
        )
        ServiceFactory(site=other_site, slug=f"o{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(page_url)
    rows = response.context["rows"]
    assert len(rows) == 14
    assert sum(row["referent"] == agent for row in rows) == 7
    page = response.content.decode()
    assert page.count(f'<option value="{agent.pk}" selected>') == 7
