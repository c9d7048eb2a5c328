"""The label cycle follows the scope per service and the labels (issue 22, points 1, 2, 5):
obligations count only the services in the labelled modules' scope, the self-assessment is
owed per labelled module, each late obligation is a home item of its own."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from engagements.quality.cycle_enums import CriterionValue
from engagements.quality.models import CriterionResult
from engagements.quality.obligations import LATE, year_obligations
from engagements.quality.service_scopes import set_service_scope
from engagements.surveys.enums import CheckStatus
from tests.factories import ServiceFactory
from tests.quality.cycle_factories import LabelFactory
from tests.quality.factories import AssessmentFactory, CommitmentFactory, ModuleFactory
from tests.surveys.factories import AnswerFactory, CampaignFactory, MysteryCheckFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 30)


def states(prefecture, today=TODAY) -> dict[str, str]:
    """The 2026 obligations' states as they stand on `today`."""
    return {o.title: o.state for o in year_obligations(prefecture, 2026, today=today)}


def test_answers_and_mystery_checks_count_only_for_services_in_the_labelled_scope(
    prefecture, site, service
):
    LabelFactory(site=site, module=1)
    titles = ServiceFactory(site=site, slug="titres", name="Centre des titres")
    set_service_scope(prefecture, service, [1])
    set_service_scope(prefecture, titles, [2])  # not labelled: outside module 1's scope
    campaign = CampaignFactory(site=site, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    AnswerFactory(response__campaign=campaign, response__service=titles)
    MysteryCheckFactory(
        service=titles,
        status=CheckStatus.DONE,
        planned_on=date(2026, 3, 1),
        performed_at=timezone.make_aware(datetime(2026, 3, 1, 10)),
    )
    before = states(prefecture, date(2027, 1, 5))
    assert before["Enquête de satisfaction avec des réponses"] == "late"
    assert before["Au moins un contrôle mystère réalisé"] == "late"
    # The same records on the service in scope: done.
    AnswerFactory(response__campaign=campaign, response__service=service)
    MysteryCheckFactory(
        service=service,
        status=CheckStatus.DONE,
        planned_on=date(2026, 3, 2),
        performed_at=timezone.make_aware(datetime(2026, 3, 2, 10)),
    )
    after = states(prefecture, date(2027, 1, 5))
    assert after["Enquête de satisfaction avec des réponses"] == "done"
    assert after["Au moins un contrôle mystère réalisé"] == "done"


def test_a_site_without_scoped_services_counts_as_a_whole(prefecture, site, service):
    LabelFactory(site=site, module=1)
    campaign = CampaignFactory(site=site, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    AnswerFactory(response__campaign=campaign, response__service=service)
    assert states(prefecture)["Enquête de satisfaction avec des réponses"] == "done"


def test_the_self_assessment_is_owed_per_labelled_module(prefecture, site):
    # Modules 1 and 3 labelled, both audited on 2026-05-15; the self-assessment of April
    # evaluated module 1's commitments only: module 3's is late.
    LabelFactory(site=site, module=1, next_audit_on=date(2026, 5, 15))
    LabelFactory(site=site, module=3, next_audit_on=date(2026, 5, 15))
    module_one = ModuleFactory(number=1, referential__code="qualepref-test")
    ModuleFactory(number=3, referential=module_one.referential)
    assessment = AssessmentFactory(
        site=site,
        referential=module_one.referential,
        kind="self_evaluation",
        planned_on=date(2026, 4, 10),
    )
    CriterionResult.objects.create(
        assessment=assessment,
        commitment=CommitmentFactory(module=module_one, ref="1.1"),
        criterion="Accueil",
        result=CriterionValue.YES,
    )
    result = states(prefecture)
    assert result["Autoévaluation du module 1 avant l'audit du 15/05/2026"] == "done"
    assert result["Autoévaluation du module 3 avant l'audit du 15/05/2026"] == "late"


def test_the_sp_plus_diagnostic_covers_every_labelled_module(prefecture, site):
    LabelFactory(site=site, module=3, label="sp_plus", next_audit_on=date(2026, 5, 15))
    commitment = CommitmentFactory(module__referential__code="services-publics-plus")
    assessment = AssessmentFactory(
        site=site,
        referential=commitment.module.referential,
        kind="self_evaluation",
        planned_on=date(2026, 4, 10),
    )
    title = "Autoévaluation du module 3 avant l'audit du 15/05/2026"
    assert states(prefecture)[title] == "late"  # planned, nothing scored yet
    CriterionResult.objects.create(
        assessment=assessment, commitment=commitment, criterion="C1", result=CriterionValue.NO
    )
    assert states(prefecture)[title] == "done"


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_each_late_obligation_is_its_own_home_item_linking_to_act(
    prefecture, site, other_site, client_for, quality_lead
):
    LabelFactory(site=site, valid_until=date(2026, 9, 30), next_audit_on=date(2026, 5, 15))
    LabelFactory(site=other_site, module=2, next_audit_on=date(2026, 6, 1))
    late = [o for o in year_obligations(prefecture, 2026, today=TODAY) if o.state == LATE]
    assert len(late) >= 3
    home = client_for(quality_lead).get(f"/agents/{prefecture.slug}/").content.decode()
    for obligation in late:
        where = f"{obligation.site.name} : " if obligation.site else ""
        label = f"{where}{obligation.title} — en retard"
        assert label.replace("'", "&#x27;") in home
        assert f'href="{obligation.url}"' in home
    assert (
        "Préfecture — Chef-Lieu : Autoévaluation du module 1 avant l&#x27;audit du 15/05/2026"
        in home
    )
    assert "Sous-préfecture du Nord : Autoévaluation du module 2" in home


def test_the_site_s_labelled_modules_follow_its_current_labels(prefecture, site, tmp_path):
    from engagements.quality.labels import add_label, import_labels, sync_all_labelled_modules

    site.labelled_modules = []
    site.save()
    with time_machine.travel(date(2026, 6, 30), tick=False):
        add_label(
            prefecture,
            site=site,
            module=3,
            label="qualepref",
            obtained_on=date(2024, 1, 1),
            valid_until=date(2026, 12, 31),
        )
        site.refresh_from_db()
        assert site.labelled_modules == [3]
        import_labels(
            prefecture,
            "site,module,label,obtained_on,valid_until\n"
            f"{site.slug},1,sp_plus,01/02/2026,31/01/2029\n"
            f"{site.slug},2,qualepref,01/02/2020,31/01/2023\n",  # expired: not labelled
        )
        site.refresh_from_db()
        assert site.labelled_modules == [1, 3]
        assert site.history.count() >= 2  # written through the organisation's service
    with time_machine.travel(date(2027, 1, 2), tick=False):  # module 3's label has ended
        assert sync_all_labelled_modules() == 1
        assert sync_all_labelled_modules() == 0
    site.refresh_from_db()
    assert site.labelled_modules == [1]


def test_a_scope_change_does_not_overwrite_a_labelled_site_s_modules(prefecture, site):
    from engagements.quality.referential import set_site_scope
    from tests.quality.factories import ReferentialFactory

    with time_machine.travel(date(2026, 6, 30), tick=False):
        LabelFactory(site=site, module=2)
        referential = ReferentialFactory(code="qualepref-scope")
        ModuleFactory(referential=referential, number=1)
        ModuleFactory(referential=referential, number=3, mandatory=False)
        set_site_scope(site, referential, [3])
    site.refresh_from_db()
    assert site.labelled_modules == [2]


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_organisation_page_shows_each_site_s_current_labels(
    prefecture, site, other_site, client_for, quality_lead
):
    LabelFactory(site=site, module=1, expiring=True)
    LabelFactory(site=site, module=2, label="sp_plus")
    page = client_for(quality_lead).get(f"/agents/{prefecture.slug}/organisation/")
    text = page.content.decode()
    section = text[
        text.index('id="site-' + str(site.pk)) : text.index('id="site-' + str(other_site.pk))
    ]
    assert "Qual-e-pref, module 1, valable jusqu'au 30/09/2026" in section
    assert "à renouveler" in section
    assert "Services Publics +, module 2, valable jusqu'au 14/01/2027" in section
    other = text[text.index('id="site-' + str(other_site.pk)) :]
    assert "aucun label enregistré" in other


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_calendar_s_queries_do_not_grow_with_the_sites(
    prefecture, site, client_for, quality_lead, django_assert_max_num_queries
):
    client = client_for(quality_lead)
    page_url = f"/agents/{prefecture.slug}/qualite/calendrier/"
    LabelFactory(site=site, next_audit_on=date(2026, 5, 15))
    client.get(page_url)  # warm the session
    with django_assert_max_num_queries(13) as one_site:
        assert client.get(page_url).status_code == 200
    for n in range(4):
        other = LabelFactory(site__prefecture=prefecture, next_audit_on=date(2026, 5, 15)).site
        service = ServiceFactory(site=other, slug=f"titres-{n}")
        set_service_scope(prefecture, service, [1, 2])
    with django_assert_max_num_queries(len(one_site.captured_queries)):
        assert client.get(page_url).status_code == 200


def test_each_item_of_the_year_s_training_plan_is_an_obligation(prefecture, site, service):
    from engagements.quality.service_scopes import add_plan_item
    from tests.quality.cycle_factories import TrainingFactory

    add_plan_item(prefecture, year=2026, service=service, topic="handicap")
    add_plan_item(prefecture, year=2026, service=service, topic="numerique")
    add_plan_item(prefecture, year=2025, service=service, topic="langues")  # another year
    TrainingFactory(service=service, topic="handicap", date=date(2026, 2, 3))
    result = {
        title: state
        for title, state in states(prefecture, date(2027, 1, 5)).items()
        if title.startswith("Formation prévue")
    }
    assert result == {
        "Formation prévue au plan (accueil des personnes en situation de handicap) pour le "
        "bureau du séjour": "done",
        "Formation prévue au plan (aide au numérique) pour le bureau du séjour": "late",
    }
