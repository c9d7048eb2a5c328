"""The results page's figures in one aggregation pass: the same numbers as one aggregation
per table (the former computation), and a query count that does not grow with answers."""

import random

import pytest
from django.urls import reverse

from engagements.surveys import queries
from engagements.surveys.enums import NOT_CONCERNED, Channel, Criterion
from engagements.surveys.queries import MIN_ANSWERS, Figure, figures_by
from tests.factories import ServiceFactory
from tests.surveys.factories import AnswerFactory, CampaignFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def _fill(campaign, services, count, seed):
    rng = random.Random(seed)
    questions = [q for q in campaign.questionnaire.questions.all() if q.is_scored]
    channels = [Channel.QR, Channel.PAPER, Channel.WEB]
    for _ in range(count):
        response = ResponseFactory(
            campaign=campaign, service=rng.choice(services), channel=rng.choice(channels)
        )
        for question in rng.sample(questions, k=min(4, len(questions))):
            AnswerFactory(response=response, question=question, value=rng.randint(1, 4))


def _reference(campaign, service_ids):
    """The former computation: one aggregation per table."""
    answers = queries.campaign_answers(campaign)
    if service_ids is not None:
        answers = answers.filter(response__service_id__in=service_ids)
    previous = queries.previous_campaign(campaign)
    overall = figures_by(answers).get(None)
    before = None
    if previous:
        before_answers = queries.campaign_answers(previous)
        if service_ids is not None:
            before_answers = before_answers.filter(response__service_id__in=service_ids)
        before = figures_by(before_answers).get(None)
    return (
        overall,
        before,
        figures_by(answers, "response__service_id"),
        figures_by(answers, "response__channel"),
    )


@pytest.mark.parametrize("restricted", [False, True])
def test_same_numbers_as_one_aggregation_per_table(site, service, other_service, restricted):
    services = [service, ServiceFactory(site=site), other_service]
    previous = CampaignFactory(site=site, finished=True, services=services)
    campaign = CampaignFactory(site=site, services=services, questionnaire=previous.questionnaire)
    _fill(previous, services, 30, seed=1)
    _fill(campaign, services, 60, seed=2)
    service_ids = {service.pk, other_service.pk} if restricted else None
    results = queries.campaign_results(campaign, service_ids=service_ids)
    overall, before, by_service, by_channel = _reference(campaign, service_ids)
    assert results["previous"] == previous
    for row in results["criteria"]:
        figure = overall["criteria"].get(row["code"], Figure())
        assert (row["answers"], row["satisfied"], row["rate"], row["net"]) == (
            figure.answers,
            figure.satisfied,
            figure.rate,
            figure.net,
        )
        assert row["previous"] == before["criteria"].get(row["code"], Figure()).rate
    for row in results["questions"]:
        figure = overall["questions"].get(row["code"], Figure())
        assert (row["answers"], row["rate"]) == (figure.answers, figure.rate)
    criteria = [c for c in Criterion if c.label in results["criteria_labels"]]
    names = {s.name: s.pk for s in services}
    assert len(results["services"]) == (2 if restricted else 3)
    for row in results["services"]:
        expected = [
            by_service[names[row["label"]]]["criteria"].get(c.value, Figure()).as_dict()
            for c in criteria
        ]
        assert row["cells"] == expected
    for row in results["channels"]:
        expected = by_channel[row["code"]]["criteria"].get(Criterion.OVERALL.value, Figure())
        assert row["overall"] == expected.as_dict()
    assert results["total"] == sum(row["responses"] for row in results["channels"])


def test_not_concerned_is_left_out_like_a_blank(site, service):
    campaign = CampaignFactory(site=site, services=[service])
    pmr = campaign.questionnaire.questions.get(code="pmr")
    assert pmr.not_concerned
    for value in (NOT_CONCERNED, NOT_CONCERNED, 2, 2, 2, 2, 1):
        AnswerFactory(
            response=ResponseFactory(campaign=campaign, service=service), question=pmr, value=value
        )
    results = queries.campaign_results(campaign)
    row = next(r for r in results["criteria"] if r["code"] == Criterion.REDUCED_MOBILITY)
    # 5 answers given (the two "not concerned" are not answers): 4 satisfied, 1 not.
    assert (row["answers"], row["satisfied"], row["dissatisfied"], row["rate"]) == (5, 4, 1, 80.0)
    reference = figures_by(queries.campaign_answers(campaign))[None]["criteria"]
    assert row["answers"] == reference[Criterion.REDUCED_MOBILITY].answers
    position = results["criteria_labels"].index(Criterion.REDUCED_MOBILITY.label)
    cell = results["services"][0]["cells"][position]
    assert (cell["answers"], cell["dissatisfied"]) == (5, 1)
    assert results["total"] == 7  # the responses are still counted


def test_campaign_results_in_five_queries(site, service, django_assert_num_queries):
    previous = CampaignFactory(site=site, finished=True, services=[service])
    campaign = CampaignFactory(site=site, services=[service], questionnaire=previous.questionnaire)
    _fill(campaign, [service], 20, seed=3)
    # Previous campaign, answers (one pass), questions, services, responses.
    with django_assert_num_queries(5):
        queries.campaign_results(campaign)


def test_results_page_query_count_does_not_grow_with_answers(
    client_for, quality_lead, prefecture, site, service, django_assert_max_num_queries
):
    campaign = CampaignFactory(site=site, services=[service])
    _fill(campaign, [service], 3, seed=4)
    url = reverse("surveys:agents-campaign", args=[prefecture.slug, campaign.pk])
    client = client_for(quality_lead)
    with django_assert_max_num_queries(11) as few:
        client.get(url)
    _fill(campaign, [service, ServiceFactory(site=site)], 60, seed=5)
    with django_assert_max_num_queries(len(few.captured_queries) + 0):
        assert client.get(url).status_code == 200


def _answer_pass(queries_seen) -> list:
    return [q for q in queries_seen if "surveys_answer" in q["sql"]]


def test_results_are_kept_in_the_shared_cache_until_a_response_arrives(site, service, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagements.surveys.services import submit_response

    settings.FIGURES_CACHE_SECONDS = 60
    cache.clear()
    previous = CampaignFactory(site=site, finished=True, services=[service])
    campaign = CampaignFactory(site=site, services=[service], questionnaire=previous.questionnaire)
    _fill(previous, [service], 10, seed=6)
    _fill(campaign, [service], 10, seed=7)
    first = queries.campaign_results(campaign)
    with CaptureQueriesContext(connection) as seen:
        again = queries.campaign_results(campaign)
    assert again == first and again["previous"] == previous
    assert not _answer_pass(seen)  # previous campaign, responses, cache
    # A new response is a new key: counted at once, not 60 s later.
    overall = campaign.questionnaire.questions.get(code="global")
    submit_response(
        campaign, service=service, channel=Channel.WEB, values={overall: 4}, touch=False
    )
    with CaptureQueriesContext(connection) as seen:
        after = queries.campaign_results(campaign)
    assert _answer_pass(seen)
    assert after["total"] == first["total"] + 1
    row = next(r for r in after["criteria"] if r["code"] == Criterion.OVERALL)
    before = next(r for r in first["criteria"] if r["code"] == Criterion.OVERALL)
    assert (row["answers"], row["satisfied"]) == (before["answers"] + 1, before["satisfied"] + 1)
    # So is a response to the previous campaign (its rates are shown beside).
    submit_response(
        previous, service=service, channel=Channel.WEB, values={overall: 1}, touch=False
    )
    with CaptureQueriesContext(connection) as seen:
        queries.campaign_results(campaign)
    assert _answer_pass(seen)


def test_cached_results_are_kept_per_scope_of_services(site, service, other_service, settings):
    from django.core.cache import cache

    settings.FIGURES_CACHE_SECONDS = 60
    cache.clear()
    campaign = CampaignFactory(site=site, services=[service, other_service])
    _fill(campaign, [service, other_service], 30, seed=8)
    whole = queries.campaign_results(campaign)
    own = queries.campaign_results(campaign, service_ids={service.pk})
    assert [s["label"] for s in own["services"]] == [service.name]
    assert own["total"] < whole["total"]
    assert queries.campaign_results(campaign) == whole
    settings.FIGURES_CACHE_SECONDS = 0
    assert queries.campaign_results(campaign, service_ids={service.pk}) == own


def test_a_reader_of_some_services_compares_with_the_previous_campaign_on_them_only(
    site, service, other_service
):
    """The previous column and its difference are on the reader's services: comparing his
    services now with every service before would show a change that did not happen, and
    figures of services he does not see."""
    previous = CampaignFactory(site=site, finished=True, services=[service, other_service])
    campaign = CampaignFactory(
        site=site, services=[service, other_service], questionnaire=previous.questionnaire
    )
    overall = next(
        q for q in campaign.questionnaire.questions.all() if q.criterion == Criterion.OVERALL
    )
    # As many answers as a rate needs to be shown (MIN_ANSWERS), in each group.
    for answered, value in ((service, 4), (other_service, 1)):
        for _ in range(MIN_ANSWERS):
            response = ResponseFactory(campaign=previous, service=answered)
            AnswerFactory(response=response, question=overall, value=value)
    for _ in range(MIN_ANSWERS):
        response = ResponseFactory(campaign=campaign, service=service)
        AnswerFactory(response=response, question=overall, value=4)

    def overall_row(results):
        return next(r for r in results["criteria"] if r["code"] == Criterion.OVERALL)

    own = overall_row(queries.campaign_results(campaign, service_ids={service.pk}))
    assert (own["rate"], own["previous"], own["delta"]) == (100.0, 100.0, 0.0)
    whole = overall_row(queries.campaign_results(campaign))
    assert (whole["rate"], whole["previous"], whole["delta"]) == (100.0, 50.0, 50.0)
