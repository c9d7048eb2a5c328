"""The indicators' agents lists (the webmaster's queue, the publications, the published
values) cost the same number of queries however many records and sites."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.indicators.models import Publication, PublishedValue, WebsiteUpdate
from engagements.organisation.enums import RoleKind
from tests.factories import ClosureFactory, RoleFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _request(prefecture, site, reference, requested_on, published_on=None):
    return WebsiteUpdate.objects.create(
        prefecture=prefecture,
        site=site,
        reference=reference,
        page=f"https://www.alpha.gouv.test/{reference}",
        requested_on=requested_on,
        published_on=published_on,
    )


@time_machine.travel(date(2026, 3, 19), tick=False)
def test_the_website_queue_s_queries_do_not_grow_with_the_sites(
    prefecture, site, quality_lead, client_for, django_assert_max_num_queries
):
    """Each open request says whether it is late, counted in its site's working days: the
    sites' closures are read once for the page (it was two queries per site), the same
    number of queries for one site as for seven."""
    client = client_for(quality_lead)
    url = reverse("indicators:agents-website", args=[prefecture.slug])
    ClosureFactory(prefecture=prefecture, site=site, date=date(2026, 3, 16))
    _request(prefecture, site, "R0", date(2026, 3, 13))  # due 03-19, its site closed 03-16
    _request(prefecture, None, "P0", date(2026, 3, 2), published_on=date(2026, 3, 5))
    with django_assert_max_num_queries(6) as first:
        client.get(url)
    for n in range(6):
        other = SiteFactory(prefecture=prefecture, slug=f"w{n}")
        _request(prefecture, other, f"R{n + 1}", date(2026, 3, 13))  # due 03-18: late
        _request(prefecture, other, f"D{n + 1}", date(2026, 3, 2), published_on=date(2026, 3, 4))
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    late = {item.reference: item.is_late for item in response.context["open_items"]}
    assert late == {"R0": False, **{f"R{n + 1}": True for n in range(6)}}
    assert len(response.context["done"]) == 7


def _publication(prefecture, user, start, version=1, sites=()):
    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind="month",
        period_start=start,
        period_end=start.replace(day=28),
        version=version,
        published_by=user,
    )
    for position, site in enumerate([None, *sites]):
        PublishedValue.objects.create(
            publication=publication,
            code="calls_answered_rate",
            name_fr="Taux de décroché",
            unit="percent",
            frequency="mensuelle",
            site=site,
            value=Decimal("85.5"),
            target=Decimal("80"),
            met=True,
            updated_at=timezone.now(),
            position=position,
        )
    return publication


def test_the_publications_queries_do_not_grow(
    prefecture, site, quality_lead, client_for, django_assert_max_num_queries
):
    """The référent sees each published period's current version and the history of every
    version with who published it: nine queries for one publication as for thirteen (two of
    them for the form: the periods to suggest, and whether it asks a correction's reason)."""
    client = client_for(quality_lead)
    url = reverse("indicators:agents-publications", args=[prefecture.slug])
    _publication(prefecture, quality_lead, date(2025, 1, 1), sites=[site])
    with django_assert_max_num_queries(9) as first:
        client.get(url)
    for month in range(2, 8):
        publisher = RoleFactory(kind=RoleKind.QUALITY_LEAD, prefecture=prefecture).user
        _publication(prefecture, publisher, date(2025, month, 1), sites=[site])
        _publication(prefecture, publisher, date(2025, month, 1), version=2, sites=[site])
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["publications"]) == 7
    assert len(response.context["history"]) == 13
    assert all(p["item"].version == 2 for p in response.context["publications"][:6])


def test_the_published_values_queries_do_not_grow_with_the_sites(
    prefecture, site, committee_member, client_for, django_assert_max_num_queries
):
    """A committee member reads the latest published values with each one's site: the same
    number of queries (five) for one site as for seven."""
    client = client_for(committee_member)
    url = reverse("indicators:agents-published", args=[prefecture.slug])
    publisher = RoleFactory(kind=RoleKind.QUALITY_LEAD, prefecture=prefecture).user
    _publication(prefecture, publisher, date(2025, 1, 1), sites=[site])
    with django_assert_max_num_queries(5) as first:
        client.get(url)
    sites = [site, *(SiteFactory(prefecture=prefecture, slug=f"v{n}") for n in range(6))]
    _publication(prefecture, publisher, date(2025, 2, 1), sites=sites)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    values = response.context["values"]
    assert [v["structure"] for v in values] == [prefecture.name, *(s.name for s in sites)]


def test_the_public_results_queries_do_not_grow_with_the_sites(
    prefecture, site, quality_lead, client, django_assert_max_num_queries
):
    """The public reads the latest published results, the prefecture's and each site's:
    seven queries for one site as for seven sites."""
    url = reverse("indicators:public-results", args=[prefecture.slug])
    _publication(prefecture, quality_lead, date(2025, 1, 1), sites=[site])
    with django_assert_max_num_queries(9) as first:
        client.get(url)
    sites = [
        SiteFactory(prefecture=prefecture, slug=f"pub{n}", name=f"Site public {n}")
        for n in range(6)
    ]
    _publication(prefecture, quality_lead, date(2025, 2, 1), sites=[site, *sites])
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert "Site public 5" in response.content.decode()
