"""The national overview's table per indicator: each prefecture's latest published
prefecture-wide values against their targets, sortable (best first), in the CSV too."""

import csv
import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.indicators.models import Publication, PublishedValue
from tests.factories import PrefectureFactory
from tests.quality.cycle_factories import LabelFactory

pytestmark = pytest.mark.django_db

RATE = "correspondence_on_time_rate"  # higher is better
DELAY = "correspondence_average_delay"  # lower is better
VISITS = "reception_visits"  # a count


def publish(prefecture, by, values: dict[str, tuple]):
    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind="quarter",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        published_by=by,
    )
    names = {
        RATE: "Réponses dans les délais",
        DELAY: "Délai moyen de réponse",
        VISITS: "Visiteurs à l'accueil",
    }
    units = {RATE: "percent", DELAY: "days", VISITS: "count"}
    for position, (code, (value, target, met)) in enumerate(values.items()):
        PublishedValue.objects.create(
            publication=publication,
            code=code,
            name_fr=names[code],
            unit=units[code],
            frequency="trimestrielle",
            value=value,
            target=target,
            met=met,
            position=position,
            updated_at=timezone.now(),
        )


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_each_indicator_s_latest_published_value_against_its_target_sortable_and_in_csv(
    prefecture, site, other_prefecture, client_for, national_admin, quality_lead
):
    LabelFactory(site=site)
    gamma = PrefectureFactory(slug="gamma", name="Préfecture de Gamma")
    publish(prefecture, quality_lead, {RATE: (95.5, 90, True), DELAY: (6, 5, False)})
    publish(other_prefecture, quality_lead, {RATE: (80, 90, False), DELAY: (3.5, 5, True)})
    client = client_for(national_admin)
    page_url = reverse("quality:national-labels")
    page = client.get(page_url).content.decode()
    table = page[page.index("Derniers résultats publiés par indicateur") :]
    assert "95,5\u00a0%" in table and "cible 90,0\u00a0%" in table
    assert "6 jours" in table and "cible 5 jours" in table
    assert "atteinte" in table and "non atteinte" in table
    assert "1er trimestre 2026" in table

    def order(sort: str) -> list[str]:
        html = client.get(f"{page_url}?tri={sort}").content.decode()
        html = html[html.index("Derniers résultats publiés par indicateur") :]
        names = ["Préfecture d&#x27;Alpha", "Préfecture de Bêta", "Préfecture de Gamma"]
        return sorted(names, key=html.index)

    # The highest on-time rate first; the shortest delay first; no publication last.
    assert order(f"indicateur-{RATE}") == [
        "Préfecture d&#x27;Alpha",
        "Préfecture de Bêta",
        "Préfecture de Gamma",
    ]
    assert order(f"indicateur-{DELAY}") == [
        "Préfecture de Bêta",
        "Préfecture d&#x27;Alpha",
        "Préfecture de Gamma",
    ]
    assert order("indicateur-inconnu")[0] == "Préfecture d&#x27;Alpha"  # by name

    response = client.get(reverse("quality:national-labels-csv") + f"?tri=indicateur-{DELAY}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Préfecture", "Sites actifs"]
    assert header[9:] == [
        "Réponses dans les délais : valeur",
        "Réponses dans les délais : cible",
        "Réponses dans les délais : cible atteinte",
        "Délai moyen de réponse : valeur",
        "Délai moyen de réponse : cible",
        "Délai moyen de réponse : cible atteinte",
    ]
    assert [r[0] for r in body] == ["Préfecture de Bêta", "Préfecture d'Alpha", gamma.name]
    beta = dict(zip(header, body[0], strict=True))
    assert beta["Délai moyen de réponse : cible atteinte"] == "oui"
    assert beta["Réponses dans les délais : cible atteinte"] == "non"
    assert beta["Réponses dans les délais : valeur"] == "80,0"
    assert body[2][9:] == [""] * 6


@time_machine.travel(date(2026, 6, 30), tick=False)
def test_a_count_is_a_whole_number_in_the_csv(prefecture, client_for, national_admin, quality_lead):
    # Stored as decimals, the visitors were written "3811,0".
    publish(prefecture, quality_lead, {VISITS: (3811, None, None), RATE: (80, 90, False)})
    response = client_for(national_admin).get(reverse("quality:national-labels-csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["Visiteurs à l'accueil : valeur"] == "3811"
    assert line["Visiteurs à l'accueil : cible"] == ""
    assert line["Réponses dans les délais : valeur"] == "80,0"
