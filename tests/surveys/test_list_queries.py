"""The surveys' agents lists (comments to review, questionnaires, mystery checks, checks to
perform) cost the same number of queries however many records, services and sites."""

import pytest
from django.urls import reverse

from engagements.surveys.mystery import record_check
from tests.factories import ServiceFactory
from tests.surveys.factories import (
    CampaignFactory,
    CommentFactory,
    GridFactory,
    MysteryCheckFactory,
    ResponseFactory,
)

pytestmark = pytest.mark.django_db


def _comment(campaign, service, **kwargs):
    return CommentFactory(response=ResponseFactory(campaign=campaign, service=service), **kwargs)


def test_the_comments_to_review_s_queries_do_not_grow(
    prefecture,
    site,
    service,
    other_site,
    other_service,
    quality_lead,
    client_for,
    django_assert_max_num_queries,
):
    """Each comment waiting for review shows its campaign and service, read with it: four
    queries (session, user, roles; the comments), whatever their number and sites."""
    client = client_for(quality_lead)
    url = reverse("surveys:agents-comments", args=[prefecture.slug])
    campaign = CampaignFactory(site=site, services=[service])
    _comment(campaign, service)
    with django_assert_max_num_queries(4) as first:
        client.get(url)
    other = CampaignFactory(site=other_site, services=[other_service])
    for _ in range(6):
        _comment(campaign, service, with_phone_number=True)
        _comment(other, other_service)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["comments"]) == 13
    html = response.content.decode()
    assert f"{other.name} — {other_service.name}" in html
    assert html.count("Données personnelles possibles") == 6


def test_the_questionnaires_s_queries_do_not_grow(
    prefecture, site, other_site, quality_lead, client_for, django_assert_max_num_queries
):
    """The questionnaires list shows each one's number of questions, prefetched: five
    queries whatever the questionnaires."""
    client = client_for(quality_lead)
    url = reverse("surveys:agents-questionnaires", args=[prefecture.slug])
    CampaignFactory(site=site)
    with django_assert_max_num_queries(5) as first:
        client.get(url)
    for _ in range(3):
        CampaignFactory(site=site)
        CampaignFactory(site=other_site)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    questionnaires = list(response.context["questionnaires"])
    assert len(questionnaires) == 7
    assert all(q.questions.all() for q in questionnaires)


def _done(check, quality_lead):
    criteria = list(check.grid.criteria.all())
    record_check(
        check, actor=quality_lead, results={c.pk: (c != criteria[0], "") for c in criteria}
    )


def test_the_mystery_checks_s_queries_do_not_grow(
    prefecture, service, other_service, quality_lead, client_for, django_assert_max_num_queries
):
    """The checks list, the results per service and the grids cost eleven queries, whatever
    the checks planned or done, their services and sites, and the grids."""
    client = client_for(quality_lead)
    url = reverse("surveys:agents-checks", args=[prefecture.slug])
    _done(MysteryCheckFactory(service=service), quality_lead)
    MysteryCheckFactory(service=service)
    with django_assert_max_num_queries(11) as first:
        client.get(url)
    for _ in range(4):
        grid = GridFactory(prefecture=prefecture)
        _done(MysteryCheckFactory(service=service, grid=grid), quality_lead)
        _done(MysteryCheckFactory(service=other_service, grid=grid), quality_lead)
        MysteryCheckFactory(service=other_service)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["checks"]) == 14
    rows = {row["service"]: row for row in response.context["by_service"]}
    assert (rows[service]["checks"], rows[other_service]["checks"]) == (5, 4)
    assert (rows[other_service]["met"], rows[other_service]["assessed"]) == (12, 16)


def test_the_checks_to_perform_s_queries_do_not_grow(
    prefecture,
    service,
    other_service,
    other_prefecture_service,
    agent,
    client_for,
    django_assert_max_num_queries,
):
    """An agent sees the checks his prefecture must perform (crossed ones included) with
    their grid and service in six queries (his roles, sites and services read once),
    whatever their number."""
    client = client_for(agent)
    url = reverse("surveys:agents-checks-todo", args=[prefecture.slug])
    MysteryCheckFactory(service=other_service)  # not his own service's: that one is hidden
    with django_assert_max_num_queries(6) as first:
        client.get(url)
    for _ in range(6):
        MysteryCheckFactory(service=other_service)
        MysteryCheckFactory(service=other_prefecture_service, checker_prefecture=prefecture)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["checks"]) == 13
    assert other_prefecture_service.site.name in response.content.decode()


def test_the_public_surveys_page_s_queries_do_not_grow(
    prefecture, site, service, other_site, other_service, client, django_assert_max_num_queries
):
    """The public sees each open survey and star page with its services to pick from, per
    site: three queries (the prefecture, the campaigns with their sites, their services),
    whatever the campaigns, services and sites."""
    url = reverse("surveys:prefecture", args=[prefecture.slug])
    CampaignFactory(site=site, services=[service])
    with django_assert_max_num_queries(3) as first:
        client.get(url)
    for n in range(3):
        extra = ServiceFactory(site=other_site, slug=f"p{n}")
        CampaignFactory(site=other_site, services=[other_service, extra])
        CampaignFactory(site=site, services=[service], stars_poster=True)
    CampaignFactory(site=site, services=[service], finished=True)  # closed: not shown
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["campaigns"]) == 7
    html = response.content.decode()
    assert html.count(f">{other_service.name}</a>") == 3
