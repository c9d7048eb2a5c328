"""Every act that changes a figure of a published period is in an audit trail the
référent reads (issue 19, item 5): recomputed from changed records, typed in by hand."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from engagements.indicators import services
from engagements.indicators.models import CallHour, FigureChange, Indicator
from engagements.indicators.periods import Period
from engagements.indicators.services import import_manual_values

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 1, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


def calls(site, day, offered, answered):
    CallHour.objects.create(
        prefecture=site.prefecture, site=site, date=day, hour=10, offered=offered,
        answered=answered, source="hourly",
    )  # fmt: skip


@time_machine.travel(TODAY, tick=False)
def test_a_recomputed_figure_of_a_published_period_is_in_the_audit_trail(
    prefecture, site, quality_lead, auditor, client_for
):
    calls(site, date(2025, 11, 3), 100, 90)
    services.publish(prefecture, Period.parse("2025-Q4"), actor=quality_lead)
    FigureChange.objects.all().delete()
    # Records of the published quarter change, then the référent recomputes.
    calls(site, date(2025, 11, 4), 100, 100)
    client = client_for(quality_lead)
    services.recompute_values(prefecture, [Period.parse("2025-Q4")], actor=quality_lead)
    change = FigureChange.objects.get(
        indicator__code="calls_answered_rate", site=None, period_kind="quarter"
    )
    assert (change.before, change.after) == (90, 95)
    assert change.actor == quality_lead and change.published
    assert change.act == FigureChange.Act.RECOMPUTE
    # A period never published leaves no trail (the dashboard is live).
    assert not FigureChange.objects.filter(period_start__year=2024).exists()
    # Recomputing again with nothing changed adds nothing.
    count = FigureChange.objects.count()
    services.recompute_values(prefecture, [Period.parse("2025-Q4")], actor=quality_lead)
    assert FigureChange.objects.count() == count
    page = client.get(reverse("indicators:agents-publications", args=[prefecture.slug]))
    html = page.content.decode()
    assert "Journal des modifications des chiffres" in html
    assert "Recalcul à partir des enregistrements" in html and "(publiée)" in html


@time_machine.travel(TODAY, tick=False)
def test_values_typed_in_are_in_the_audit_trail_with_before_and_after(
    prefecture, site, quality_lead, client_for
):
    indicator = Indicator.objects.create(
        prefecture=prefecture, code="delai-cni", name_fr="Délai CNI", family="performance",
        unit="days", is_manual=True,
    )  # fmt: skip
    period = Period.parse("2025-11")
    for value in ("12.5", "11"):
        services.set_manual_value(
            indicator, prefecture=prefecture, period=period, value=value, source="ANTS",
            actor=quality_lead,
        )  # fmt: skip
    first, second = FigureChange.objects.order_by("pk")
    assert (first.before, first.after) == (None, 12.5)
    assert (second.before, second.after) == (12.5, 11)
    assert second.actor == quality_lead and second.detail == "Source : ANTS"
    html = (
        client_for(quality_lead)
        .get(reverse("indicators:agents-publications", args=[prefecture.slug]))
        .content.decode()
    )
    assert "Délai CNI" in html and "Valeur saisie ou importée" in html


@time_machine.travel(TODAY, tick=False)
def test_values_imported_are_in_the_audit_trail_too(prefecture, quality_lead):
    Indicator.objects.create(
        prefecture=prefecture, code="delai-cni", name_fr="Délai CNI", family="performance",
        unit="days", is_manual=True,
    )  # fmt: skip
    import_manual_values(
        prefecture, "code,period,value,source\ndelai-cni,2025-11,12.5,ANTS\n", quality_lead
    )
    import_manual_values(prefecture, "code,period,value,source\ndelai-cni,2025-11,11,ANTS\n")
    first, second = FigureChange.objects.order_by("pk")
    assert (first.before, first.after, first.actor) == (None, 12.5, quality_lead)
    assert (second.before, second.after, second.actor) == (12.5, 11, None)
    # The trail says the value came from a file (a later import reads it: see test_contracts).
    assert first.act == FigureChange.Act.MANUAL and second.detail == "Source : ANTS (import)"
