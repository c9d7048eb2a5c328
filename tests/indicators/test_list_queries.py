"""The webmaster's queue costs the same number of queries however many requests and sites."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.indicators.models import WebsiteUpdate
from tests.factories import ClosureFactory, SiteFactory

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
