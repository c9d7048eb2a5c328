"""The hall poster: the State's bloc marque, the référent's 3 to 6 indicators in her order
with the published values, the period, the next update and the QR code, on one page."""

import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from engagements.indicators import poster, services
from engagements.indicators.models import CallHour, PosterChoice
from engagements.indicators.periods import Period
from engagements.organisation.indicator_codes import IndicatorCode
from tests.correspondence.factories import MessageFactory
from tests.test_pdfs import SCREENSHOTS
from tests.tooling import require_tool

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 1, 15, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def published(prefecture, site, service, quality_lead):
    CallHour.objects.create(
        prefecture=prefecture, site=site, date=date(2025, 11, 3), hour=10, offered=100,
        answered=90, source="hourly",
    )  # fmt: skip
    for on_time in (True, True, True, False):
        MessageFactory(service=service, received_on=date(2025, 10, 6), answered_on_time=on_time)
    with time_machine.travel(TODAY, tick=False):
        services.publish(prefecture, Period.parse("2025-Q4"), actor=quality_lead)


def poster_text(client, prefecture, size="a4", name="poster"):
    """(pdftotext -layout, number of pages) of the poster; page 1 kept as a PNG."""
    pdftotext = require_tool("pdftotext", "poppler-utils")
    response = client.get(reverse("indicators:public-poster", args=[prefecture.slug, size]))
    assert response["Content-Type"] == "application/pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"pdf-results-{name}-{size}.pdf"
    path.write_bytes(response.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(path)[:-4]],
        check=False,
    )
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert "Marianne" in fonts
    text = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text, pages


@time_machine.travel(TODAY, tick=False)
def test_poster_shows_the_chosen_indicators_in_order_on_one_page(
    published, prefecture, quality_lead, client_for, client
):
    lead = client_for(quality_lead)
    url = reverse("indicators:agents-poster", args=[prefecture.slug])
    codes = [
        IndicatorCode.CALLS_ANSWERED_RATE,
        IndicatorCode.CORRESPONDENCE_ON_TIME_RATE,
        IndicatorCode.SATISFACTION_OVERALL_RATE,
    ]
    response = lead.post(url, {f"indicator_{n}": c for n, c in enumerate(codes, start=1)})
    assert response.status_code == 302
    assert PosterChoice.objects.get(prefecture=prefecture).codes == codes
    for size in ("a4", "a3"):
        text, pages = poster_text(client, prefecture, size, "chosen")
        assert pages == 1, size
        flat = " ".join(text.split())
        # The bloc marque, the period, the next update (Q1 2026 ends 31 March: 1 May).
        assert "RÉPUBLIQUE" in text.upper() and "FRANÇAISE" in text.upper()
        assert "4e trimestre 2025" in flat
        assert "Prochaine mise à jour : 1er mai 2026" in flat
        assert "prefectures/alpha/resultats/" in "".join(text.split())
        # The published value as published (not rounded again), chosen order kept.
        assert "90,0 %" in flat and "75,0 %" in flat
        calls = flat.index("Appels aboutis")
        letters = flat.index("Réponses aux courriers")
        satisfaction = flat.index("Satisfaction")
        assert calls < letters < satisfaction
        # What was not chosen is not on the poster.
        assert "Rendez-vous non honorés" not in flat and "Visiteurs accueillis" not in flat


@time_machine.travel(TODAY, tick=False)
def test_six_indicators_fit_on_one_page_and_the_referents_date_wins(
    published, prefecture, quality_lead, client
):
    codes = [code for code, _ in poster.indicator_choices()][:6]
    poster.save_choice(prefecture, codes=codes, next_update=date(2026, 4, 15), actor=quality_lead)
    for size in ("a4", "a3"):
        text, pages = poster_text(client, prefecture, size, "six")
        assert pages == 1, size
        assert "Prochaine mise à jour : 15 avril 2026" in " ".join(text.split())


@time_machine.travel(TODAY, tick=False)
def test_the_choice_is_validated_three_to_six_known_codes(prefecture, quality_lead, client_for):
    lead = client_for(quality_lead)
    url = reverse("indicators:agents-poster", args=[prefecture.slug])
    two = {"indicator_1": "calls_answered_rate", "indicator_2": "satisfaction_net"}
    page = lead.post(url, two).content.decode()
    assert "Choisissez de 3 à 6 indicateurs (2 choisis)" in page
    assert 'value="calls_answered_rate" selected' in page  # what was typed is kept
    twice = {**two, "indicator_3": "calls_answered_rate"}
    assert "ne figure qu&#x27;une fois" in lead.post(url, twice).content.decode()
    assert not PosterChoice.objects.exists()
    with pytest.raises(poster.PosterError):
        poster.save_choice(prefecture, codes=["x", "y", "z"], next_update=None, actor=None)
    # The choices are the stable catalogue's codes.
    assert [c for c, _ in poster.indicator_choices()] == list(IndicatorCode.values)


def test_the_choice_names_each_indicator_as_the_poster_prints_it(
    prefecture, quality_lead, client_for
):
    from engagements.indicators.catalogue import CATALOGUE

    page = client_for(quality_lead).get(reverse("indicators:agents-poster", args=[prefecture.slug]))
    html = page.content.decode().replace("&#x27;", "'")
    for entry in CATALOGUE:
        assert f'<option value="{entry.code}">{entry.name_fr}</option>' in html
    # "at most 5 rings", never "fewer than 5" (indicators.md: a wait of at most 25 s).
    assert "moins de 5 sonneries" not in html and "moins de 15 minutes" not in html


def test_next_update_is_two_months_after_the_next_period():
    assert poster.next_update(None, Period.parse("2025-Q4", today=date(2026, 1, 1))) == date(
        2026, 5, 1
    )
    month = Period.parse("2025-11", today=date(2026, 1, 1))
    assert poster.next_update(None, month) == date(2026, 2, 1)
    assert poster.next_update(None, Period.parse("2025", today=date(2026, 1, 1))) == date(
        2027, 2, 1
    )
