"""The FAQ's agents lists (searches without an answer, procedure sheets) cost the same
number of queries however many records, services and sites."""

from datetime import date

import pytest
from django.urls import reverse

from tests.faq.factories import EntryFactory, SearchMissFactory, SheetFactory

pytestmark = pytest.mark.django_db


def test_the_unanswered_searches_queries_do_not_grow(
    prefecture, service, other_service, quality_lead, client_for, django_assert_max_num_queries
):
    """The référent sees each search that found nothing with its service, read with it:
    four queries, whatever the searches and their sites."""
    client = client_for(quality_lead)
    url = reverse("faq:agents-misses", args=[prefecture.slug])
    SearchMissFactory(service=service)
    with django_assert_max_num_queries(4) as first:
        client.get(url)
    for _ in range(6):
        SearchMissFactory(service=service)
        SearchMissFactory(service=other_service)
        SearchMissFactory(service=None, prefecture=prefecture)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["misses"]) == 19
    html = response.content.decode()
    assert other_service.name in html and "Toute la préfecture" in html


def test_the_procedure_sheets_queries_do_not_grow(
    prefecture, service, other_service, agent, client_for, django_assert_max_num_queries
):
    """An agent reads the prefecture's sheets with their service, site and owner, the ones
    to review flagged: six queries whatever the sheets, their sites and owners."""
    client = client_for(agent)
    url = reverse("faq:agents-sheets", args=[prefecture.slug])
    SheetFactory(service=service)
    with django_assert_max_num_queries(6) as first:
        client.get(url)
    for _ in range(6):
        SheetFactory(service=service, review_on=date(2020, 1, 1))
        SheetFactory(service=other_service)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["sheets"]) == 13
    html = response.content.decode()
    assert f"{other_service.name} — {other_service.site.name}" in html
    assert html.count("À relire</span>") == 6


def test_a_service_s_public_faq_queries_do_not_grow(
    prefecture, site, service, other_service, client, django_assert_max_num_queries
):
    """The public reads a service's questions in three queries (the prefecture, the service,
    its entries), whatever the number of entries, of this service and of others."""
    url = reverse("faq:service", args=[prefecture.slug, site.slug, service.slug])
    EntryFactory(service=service)
    with django_assert_max_num_queries(3) as first:
        client.get(url)
    for n in range(6):
        EntryFactory(service=service, question=f"Quels documents pour le cas {n} ?")
        EntryFactory(service=other_service)
        EntryFactory(service=None, site=site, prefecture=prefecture)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["entries"]) == 7
    assert "Quels documents pour le cas 5 ?" in response.content.decode()
