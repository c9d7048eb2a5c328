"""What the public typed in the FAQ search and found no answer to is forgotten after a year
without the same search (it may name a person or quote a file number)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from engagements.faq import services
from engagements.faq.models import SearchMiss
from engagements.organisation import jobs


@pytest.mark.django_db
def test_a_search_not_repeated_for_a_year_is_forgotten(prefecture):
    start = timezone.now()
    with time_machine.travel(start):
        services.log_miss(prefecture, "titre de sejour dupont 0612345678")
        services.log_miss(prefecture, "horaires samedi")
    with time_machine.travel(start + timedelta(days=300)):
        services.log_miss(prefecture, "horaires samedi")  # searched again: kept
    with time_machine.travel(start + timedelta(days=366)):
        assert services.purge_search_misses() == 1
    assert list(SearchMiss.objects.values_list("query", flat=True)) == ["horaires samedi"]


def test_the_purge_runs_with_the_daily_housekeeping():
    assert "engagements.faq.services.purge_search_misses" in jobs._TASKS
