"""The demo: telephony shaped like seed 002 (about 93 % answered), about 1,400 website
requests a year, PAN visits, last year published."""

from datetime import date

import pytest
from django.utils import timezone

from engagements.indicators import compute
from engagements.indicators.models import Call, Publication, Visit, WebsiteUpdate
from engagements.indicators.periods import Period
from engagements.organisation.management.commands.seed_demo import seed_apps
from engagements.organisation.models import Prefecture


@pytest.mark.django_db
def test_demo_indicators():
    seed_apps(only=("indicators",))
    prefecture = Prefecture.objects.get(slug="demo")
    today = timezone.localdate()
    last_year = Period.year(today.year - 1)
    figures = compute.figures(prefecture, last_year, at=today)
    assert 91 <= figures["calls_answered_rate"].value <= 95
    assert figures["calls_answered_rate"].extra["closed"] > 0
    assert Call.objects.filter(outcome="abandoned").exists()
    # Lysville's switchboard publishes its hours: calls at 8 h or 12 h are outside them.
    lost = figures["calls_lost_rate"]
    assert 4 <= lost.value <= 10 and lost.extra["outside_hours"] > 0
    assert [p["platform"] for p in lost.extra["platforms"]] == ["standard"]
    requests = WebsiteUpdate.objects.filter(requested_on__year=today.year - 1).count()
    assert 1200 <= requests <= 1600
    assert figures["website_updates_on_time_rate"].value >= 95
    visits = Visit.objects.filter(arrived_at__date__gte=date(today.year - 1, 1, 1)).count()
    assert visits > 12 * 250
    publication = Publication.objects.get(prefecture=prefecture)
    assert publication.period_start == last_year.start and publication.values.count() == 60
    # Published in mid-January of this year, as a référent would (not at seeding time).
    published = timezone.localtime(publication.published_at).date()
    assert published == min(date(today.year, 1, 15), today)
