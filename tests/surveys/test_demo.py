"""The demo: last year's campaigns with seed 002's answer counts, a running star poster,
a mystery-check round with a crossed check."""

import pytest

from engagements.organisation.management.commands.seed_demo import seed_apps
from engagements.surveys.enums import CampaignKind, CheckStatus
from engagements.surveys.models import Campaign, MysteryCheck
from engagements.surveys.queries import campaign_report


@pytest.mark.django_db
def test_demo_surveys():
    seed_apps(only=("surveys",))
    last = Campaign.objects.filter(
        kind=CampaignKind.CAMPAIGN,
        starts_on__year=Campaign.objects.latest("starts_on").starts_on.year - 1,
    )
    assert sorted(c.responses.count() for c in last) == [105, 176, 194]
    poster = Campaign.objects.get(kind=CampaignKind.STARS)
    assert poster.is_open() and poster.responses.exists()
    overall = [campaign_report(c)["criteria"]["overall"]["rate"] for c in last]
    assert all(80 <= rate <= 97 for rate in overall)
    assert MysteryCheck.objects.filter(status=CheckStatus.DONE).exists()
    crossed = [c for c in MysteryCheck.objects.all() if c.is_crossed]
    assert {c.status for c in crossed} >= {CheckStatus.DONE, CheckStatus.PLANNED}


@pytest.mark.django_db
def test_demo_german_is_complete_and_offered():
    from engagements.surveys import translations
    from engagements.surveys.models import Questionnaire

    seed_apps(only=("surveys",))
    # (a JSON "contains" lookup is PostgreSQL-only; the demo has a handful of questionnaires)
    [yearly] = [q for q in Questionnaire.objects.all() if "de" in q.extra_languages]
    assert translations.missing(yearly, "de") == []
    assert "de" in translations.offered_languages(yearly)
    # The public flows' languages: every demo questionnaire's questions are translated.
    for questionnaire in Questionnaire.objects.filter(prefecture__slug="demo"):
        offered = translations.offered_languages(questionnaire)
        assert {"ar", "es", "pt", "uk"} <= set(offered), (questionnaire.name, offered)
