"""The label cycle in a real browser (axe-core clean): the référent records a renewal, sees
the "Calendrier qualité" with a late obligation, the diagnostic per commitment × site and
the trainings; the public prefecture page shows the current labels (FR/EN)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from engagements.quality.models import CriterionResult, Label
from tests.browser import assert_accessible, screenshot
from tests.quality.cycle_factories import LabelFactory, TrainingFactory
from tests.quality.factories import AssessmentFactory, CommitmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, user):
    page.goto("/agents/login/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill("secret-password")
    page.get_by_role("button", name="Se connecter").click()


def test_labels_calendar_diagnostic_and_trainings(page, prefecture, site, service, quality_lead):
    today = date.today()
    # Expiring in 100 days, its audit 10 days ago without a self-assessment before it.
    LabelFactory(
        site=site,
        obtained_on=today - timedelta(days=1000),
        valid_until=today + timedelta(days=100),
        next_audit_on=today - timedelta(days=10) if today.month > 1 else None,
    )
    commitment = CommitmentFactory(ref="SP+1", title="Respect mutuel")
    assessment = AssessmentFactory(
        site=site,
        referential=commitment.module.referential,
        kind="self_evaluation",
        planned_on=date(today.year, 1, 1),
    )
    for n, result in enumerate(["oui", "partiel", "non", "sans_objet"]):
        CriterionResult.objects.create(
            assessment=assessment, commitment=commitment, criterion=f"C{n}", result=result
        )
    TrainingFactory(service=service, date=date(today.year, 1, 2), fraud=True)
    login(page, quality_lead)
    page.wait_for_url(f"**/agents/{prefecture.slug}/")
    expect(page.get_by_text("1 label à renouveler dans les 6 mois")).to_be_visible()

    page.goto(f"/agents/{prefecture.slug}/qualite/labels/")
    expect(page.get_by_role("heading", name="Labels des sites")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Site", exact=True).select_option(str(site.pk))
    page.get_by_label("Label", exact=True).select_option("sp_plus")
    page.get_by_label("Obtenu le").fill(today.isoformat())
    page.get_by_label("Valable jusqu'au").fill((today + timedelta(days=1095)).isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Label enregistré.")).to_be_visible()
    assert Label.objects.filter(site=site, module=1).count() == 2
    assert_accessible(page)
    screenshot(page, "quality-labels")

    page.goto(f"/agents/{prefecture.slug}/qualite/calendrier/")
    expect(page.get_by_role("heading", name=f"Calendrier qualité {today.year}")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "quality-calendar")

    page.goto(f"/agents/{prefecture.slug}/qualite/diagnostic/?referentiel="
              f"{commitment.module.referential.code}")  # fmt: skip
    # 1 + 0.5 + 0 over 3 = 50,0 %
    expect(page.get_by_role("cell", name="50,0").first).to_be_visible()
    assert_accessible(page)

    page.goto(f"/agents/{prefecture.slug}/qualite/formations/")
    expect(page.get_by_role("cell", name="Lutte contre la fraude").first).to_be_visible()
    assert_accessible(page)


def test_public_page_shows_current_labels_in_french_and_english(page, prefecture, site):
    LabelFactory(
        site=site,
        label="sp_plus",
        obtained_on=date.today() - timedelta(days=30),
        valid_until=date.today() + timedelta(days=1000),
    )
    page.goto(f"/prefectures/{prefecture.slug}/")
    expect(page.get_by_role("heading", name="Nos labels qualité")).to_be_visible()
    expect(page.get_by_role("cell", name="Services Publics +")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/en/prefectures/{prefecture.slug}/")
    expect(page.get_by_role("heading", name="Our quality labels")).to_be_visible()
    assert_accessible(page)


def test_national_overview_sorts_and_exports(
    page, prefecture, other_prefecture, site, other_site, national_admin
):
    from django.utils import timezone

    from engagements.indicators.models import Publication, PublishedValue

    LabelFactory(
        site=site,
        obtained_on=date.today() - timedelta(days=30),
        valid_until=date.today() + timedelta(days=1000),
    )
    for pref, value in [(prefecture, 72.5), (other_prefecture, 91)]:
        publication = Publication.objects.create(
            prefecture=pref,
            period_kind="quarter",
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            published_by=national_admin,
        )
        PublishedValue.objects.create(
            publication=publication,
            code="correspondence_on_time_rate",
            name_fr="Réponses dans les délais",
            unit="percent",
            frequency="trimestrielle",
            value=value,
            target=85,
            met=value >= 85,
            updated_at=timezone.now(),
        )
    login(page, national_admin)
    page.wait_for_url("**/agents/**")
    page.goto(f"/agents/{prefecture.slug}/qualite/calendrier/")
    page.get_by_role("link", name="Vue nationale des labels").click()
    expect(page.get_by_role("heading", name="Vue nationale des labels")).to_be_visible()
    page.get_by_role("link", name="Obligations en retard").click()
    page.wait_for_url("**?tri=retard")
    expect(page.get_by_role("cell", name="1 sur 2")).to_be_visible()
    assert_accessible(page)
    # The table per indicator: the best on-time rate first once sorted on it (keyboard).
    link = page.get_by_role("link", name="Réponses dans les délais")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?tri=indicateur-correspondence_on_time_rate")
    table = page.get_by_role("table", name="Résultats publiés par préfecture et par indicateur")
    rows = table.get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Préfecture de Bêta")
    expect(rows.nth(1)).to_contain_text("91,0")
    expect(rows.nth(2)).to_contain_text("non atteinte")
    assert_accessible(page)
    screenshot(page, "quality-national")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le tableau (CSV)").click()
    assert download.value.suggested_filename.startswith("labels-national-")
