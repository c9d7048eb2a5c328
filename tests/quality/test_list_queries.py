"""The quality agents' lists (labels, trainings, assessments, SP+ experiences, referentials
and their scope per site) cost the same number of queries however many records and sites."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.calendar.workdays import calendar_for
from engagements.quality.models import SiteScope
from engagements.quality.service_scopes import add_plan_item
from engagements.quality.services import ensure_statuses, save_status
from tests.factories import ClosureFactory, ServiceFactory, SiteFactory
from tests.quality.cycle_factories import LabelFactory, TrainingFactory
from tests.quality.factories import (
    AssessmentFactory,
    CommitmentFactory,
    ExperienceFactory,
    FindingFactory,
    ModuleFactory,
)

pytestmark = pytest.mark.django_db


def _url(name, prefecture):
    return reverse(f"quality:{name}", args=[prefecture.slug])


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_labels_queries_do_not_grow_with_the_sites(
    prefecture, site, other_site, quality_lead, client_for, django_assert_max_num_queries
):
    """The current labels per site, those to act on and the history: seven queries,
    whatever the labels and sites."""
    client = client_for(quality_lead)
    LabelFactory(site=site)
    with django_assert_max_num_queries(7) as first:
        client.get(_url("agents-labels", prefecture))
    LabelFactory(site=other_site, expiring=True)
    for n in range(5):
        LabelFactory(site=SiteFactory(prefecture=prefecture, slug=f"l{n}"), audit_unplanned=True)
        LabelFactory(site=site, expired=True, module=2 + n)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(_url("agents-labels", prefecture))
    assert len(response.context["history"]) == 12
    assert len(response.context["to_act_on"]["unplanned"]) == 5
    assert other_site.name in response.content.decode()


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_the_trainings_queries_do_not_grow_with_the_sessions(
    prefecture,
    service,
    other_service,
    quality_lead,
    client_for,
    django_assert_max_num_queries,
):
    """The year's sessions with their service and site, the services not trained yet and
    the training plan's coverage: nine queries, whatever the sessions, services and plan."""
    client = client_for(quality_lead)
    TrainingFactory(service=service)
    add_plan_item(prefecture, year=2026, service=service, topic="accueil")
    with django_assert_max_num_queries(9) as first:
        client.get(_url("agents-trainings", prefecture))
    for n in range(5):
        extra = ServiceFactory(site=other_service.site, slug=f"t{n}")
        TrainingFactory(service=extra, fraud=True)
        TrainingFactory(service=other_service)
        add_plan_item(prefecture, year=2026, service=extra, topic="fraude")
    ServiceFactory(site=other_service.site, slug="untrained", name="Bureau sans formation")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(_url("agents-trainings", prefecture))
    assert len(response.context["sessions"]) == 11
    assert [s.name for s in response.context["untrained"]] == ["Bureau sans formation"]
    assert response.context["plan"]["coverage"] == 100
    assert f"{other_service.name} ({other_service.site.name})" in response.content.decode()


def test_the_assessments_queries_do_not_grow(
    prefecture, site, other_site, quality_lead, client_for, django_assert_max_num_queries
):
    """Each assessment with its site and number of findings: seven queries, whatever the
    assessments, findings and sites."""
    client = client_for(quality_lead)
    FindingFactory(assessment=AssessmentFactory(site=site))
    with django_assert_max_num_queries(7) as first:
        client.get(_url("agents-assessments", prefecture))
    for _ in range(5):
        assessment = AssessmentFactory(site=other_site)
        FindingFactory.create_batch(3, assessment=assessment)
        AssessmentFactory(site=site)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(_url("agents-assessments", prefecture))
    assessments = list(response.context["assessments"])
    assert len(assessments) == 11
    assert sorted(a.findings_count for a in assessments) == [0] * 5 + [1] + [3] * 5


def test_the_experiences_queries_do_not_grow(
    prefecture, site, other_site, quality_lead, client_for, django_assert_max_num_queries
):
    """The SP+ experiences with the site each is matched to, and their figures: the answer
    delays count each site's working days, its closures read once for all the sites (it
    was one query per site with an answered experience): nine queries, whatever the
    experiences and sites."""
    client = client_for(quality_lead)
    ClosureFactory(prefecture=prefecture, site=site, date=date(2026, 3, 3))
    ExperienceFactory(prefecture=prefecture, site=site, first_answer_on=date(2026, 3, 4))
    ExperienceFactory(prefecture=prefecture, site=None, structure="Inconnue")
    with django_assert_max_num_queries(9) as first:
        client.get(_url("agents-experiences", prefecture))
    sites = [SiteFactory(prefecture=prefecture, slug=f"e{n}") for n in range(6)]
    for other in sites:
        ExperienceFactory(prefecture=prefecture, site=other, first_answer_on=date(2026, 3, 4))
        ExperienceFactory(prefecture=prefecture, site=None, structure="Inconnue")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(_url("agents-experiences", prefecture))
    assert len(response.context["experiences"]) == 14
    delays = [
        calendar_for(prefecture, s).working_days_between(date(2026, 3, 2), date(2026, 3, 4))
        for s in [site, *sites]
    ]
    assert delays[0] == delays[1] - 1  # the site's own closure, for it only
    figures = response.context["figures"]
    assert figures["answered"] == 7
    assert figures["average_delay"] == round(sum(delays) / 7, 1)
    assert sites[0].name in response.content.decode()


def test_the_referentials_queries_do_not_grow_with_the_sites(
    prefecture, site, other_site, quality_lead, client_for, django_assert_max_num_queries
):
    """Each site's scope on each referential, its modules ticked: eight queries, whatever
    the sites, referentials and modules."""
    client = client_for(quality_lead)
    module = CommitmentFactory().module
    SiteScope.objects.create(prefecture=prefecture, site=site, module=module)
    with django_assert_max_num_queries(8) as first:
        client.get(_url("agents-referentials", prefecture))
    for n in range(4):
        extra = ModuleFactory(referential=module.referential)
        CommitmentFactory(module=extra)
        ModuleFactory()
        SiteScope.objects.create(
            prefecture=prefecture,
            site=SiteFactory(prefecture=prefecture, slug=f"r{n}"),
            module=extra,
        )
    SiteScope.objects.create(prefecture=prefecture, site=other_site, module=module)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(_url("agents-referentials", prefecture))
    scopes = response.context["scopes"]
    rows = [s for s in scopes if s["referential"] == module.referential and s["numbers"]]
    assert len(rows) == 6
    assert {s["site"] for s in rows} >= {site, other_site}


def test_the_statuses_queries_do_not_grow(
    prefecture, quality_lead, client_for, django_assert_max_num_queries
):
    """The référent edits each status of the prefecture's list on one page: four queries
    for the default list as for twice as many statuses."""
    client = client_for(quality_lead)
    url = _url("agents-statuses", prefecture)
    defaults = len(ensure_statuses(prefecture))
    with django_assert_max_num_queries(4) as first:
        client.get(url)
    for n in range(defaults):
        save_status(
            prefecture, label=f"En attente {n}", base="planned", default_progress=5, position=50 + n
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 2 * defaults
    assert f"En attente {defaults - 1}" in response.content.decode()
