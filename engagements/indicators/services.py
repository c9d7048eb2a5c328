"""Writes of the indicators app: values recomputed from the records, manual values, desk
taps, website requests, and the publication of a period's values (immutable, versioned)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import override

from engagements.organisation import references
from engagements.organisation.models import Prefecture, Site
from engagements.shell import hooks

from . import compute, grouped
from .catalogue import BY_CODE, CATALOGUE, ensure_catalogue
from .models import (
    Indicator,
    Publication,
    PublishedValue,
    Value,
    Visit,
    WebsiteUpdate,
    Withdrawal,
)
from .periods import FIRST_YEAR, Period


def french(text) -> str:
    with override("fr"):
        return str(text)


class IndicatorsError(Exception):
    """A refused write; the message is in French and shown as is."""


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def structures(prefecture: Prefecture) -> list[Site | None]:
    """The prefecture as a whole (None) then each active site."""
    return [None, *Site.objects.filter(prefecture=prefecture, is_active=True)]


def default_periods(today: date) -> list[Period]:
    """Every month, quarter and year of this year and the two before, up to today (so the
    dashboards of last year have their own last year beside them)."""
    periods = []
    for year in (today.year - 2, today.year - 1, today.year):
        year_period = Period.year(year)
        if year_period.start > today:
            continue
        periods.append(year_period)
        for quarter in range(1, 5):
            q = Period.quarter(year, quarter)
            if q.start <= today:
                periods.append(q)
        periods.extend(m for m in year_period.months() if m.start <= today)
    return periods


_VALUE_KEY = [
    "indicator",
    "prefecture",
    "site",
    "service",
    "breakdown",
    "period_kind",
    "period_start",
]
# A recomputed row, in this order: the key, then the fields written.
_COLUMNS = [
    "indicator_id",
    "prefecture_id",
    "site_id",
    "service_id",
    "breakdown",
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "extra",
    "source",
    "updated_at",
]
_VALUE_FIELDS = ["period_end", "value", "numerator", "denominator", "extra", "source", "updated_at"]


def _upsert_values(rows: list[tuple]) -> None:
    """COPY the rows into a staging table, then one INSERT … ON CONFLICT DO UPDATE on the
    values' key: existing rows keep their id (the source of "Créer une action" links).
    Preparing thousands of rows through the ORM cost more than the database's work."""
    from django.db import connection
    from psycopg.types.json import Jsonb

    columns = [Value._meta.get_field(name).column for name in _COLUMNS]
    key = [Value._meta.get_field(name).column for name in _VALUE_KEY]
    table = Value._meta.db_table
    extra = _COLUMNS.index("extra")
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE value_stage ON COMMIT DROP AS"
            f" SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
        )
        with connection.connection.cursor() as raw:
            with raw.copy(f"COPY value_stage ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([*row[:extra], Jsonb(row[extra]), *row[extra + 1 :]])
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" SELECT {', '.join(columns)} FROM value_stage"
            f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        )
        cursor.execute("DROP TABLE value_stage")


@transaction.atomic
def recompute_values(
    prefecture: Prefecture,
    periods: list[Period],
    *,
    at: date | None = None,
    with_services: bool = True,
) -> int:
    """Recompute every built-in indicator per structure (prefecture, site, service) ×
    period into the values table (what dashboards read), in set-based passes: the figures
    of every period from a few grouped statements (`grouped.compute_values`), then one
    COPY and one upsert. Returns the rows written."""
    sources = {code: french(entry.source) for code, entry in BY_CODE.items()}
    at = at or timezone.localdate()
    periods = list(dict.fromkeys(periods))
    if not periods:
        return 0
    indicators = ensure_catalogue()
    now = timezone.now()
    pairs = grouped.structures_of(prefecture, with_services=with_services)
    structures = [(s.pk if s else None, v.pk if v else None) for s, v in pairs]
    figures = grouped.compute_values(prefecture, periods, at=at, structures=structures)
    rows = [
        (
            indicators[code].pk,
            prefecture.pk,
            site_id,
            service_id,
            breakdown,
            period.kind,
            period.start,
            period.end,
            _decimal(figure.value),
            _decimal(figure.numerator),
            _decimal(figure.denominator),
            figure.extra,
            sources[code],
            now,
        )
        for (period, (site_id, service_id), breakdown), results in figures.items()
        for code, figure in results.items()
    ]
    if settings.IS_POSTGRES:
        _upsert_values(rows)
    else:  # SQLite (the demo) has no NULLS NOT DISTINCT index to conflict on
        _save_values(prefecture, periods, rows)
    return len(rows)


def _save_values(prefecture: Prefecture, periods: list[Period], rows: list[tuple]) -> None:
    """The same write on SQLite: the existing rows read once, updated, the others created."""
    wanted = {(p.kind, p.start) for p in periods}
    existing = {
        row[:6]: row[6]
        for row in Value.objects.filter(
            prefecture=prefecture,
            indicator__prefecture__isnull=True,
            period_kind__in={p.kind for p in periods},
            period_start__gte=min(p.start for p in periods),
            period_start__lte=max(p.start for p in periods),
        ).values_list(
            "indicator_id",
            "site_id",
            "service_id",
            "breakdown",
            "period_kind",
            "period_start",
            "pk",
        )
        if (row[4], row[5]) in wanted
    }
    to_update, to_create = [], []
    for row in rows:
        key = (row[0], *row[2:7])
        value = Value(pk=existing.get(key), **dict(zip(_COLUMNS, row, strict=True)))
        (to_update if value.pk else to_create).append(value)
    Value.objects.bulk_update(to_update, _VALUE_FIELDS, batch_size=200)
    Value.objects.bulk_create(to_create, batch_size=500)


@transaction.atomic
def set_manual_value(
    indicator: Indicator,
    *,
    prefecture: Prefecture,
    period: Period,
    value,
    numerator=None,
    denominator=None,
    site: Site | None = None,
    source: str,
    actor,
) -> Value:
    """Type in (or import) the value of a manual indicator, with its source."""
    if not indicator.is_manual or indicator.prefecture_id != prefecture.pk:
        raise IndicatorsError("Seuls les indicateurs propres à la préfecture se saisissent.")
    if site is not None and site.prefecture_id != prefecture.pk:
        raise IndicatorsError("Ce site n'appartient pas à la préfecture.")
    if not source.strip():
        raise IndicatorsError("Indiquez la source de la valeur.")
    result, _ = Value.objects.update_or_create(
        indicator=indicator,
        prefecture=prefecture,
        site=site,
        service=None,
        breakdown="",
        period_kind=period.kind,
        period_start=period.start,
        defaults={
            "period_end": period.end,
            "value": _decimal(value),
            "numerator": _decimal(numerator),
            "denominator": _decimal(denominator),
            "source": source.strip(),
            "updated_at": timezone.now(),
            "entered_by": actor,
        },
    )
    return result


# Publication --------------------------------------------------------------------------------


@transaction.atomic
def publish(prefecture: Prefecture, period: Period, *, actor, note: str = "") -> Publication:
    """Validate a period's values into a new published version (the old ones are kept).
    Values are recomputed from the records first, for the prefecture and each site."""
    if period.start > timezone.localdate():
        raise IndicatorsError("Cette période n'a pas commencé : rien à publier.")
    if period.start.year < FIRST_YEAR:
        raise IndicatorsError(f"Période hors des données : {FIRST_YEAR} au plus tôt.")
    Prefecture.objects.select_for_update().get(pk=prefecture.pk)
    previous_version = (
        Publication.objects.filter(
            prefecture=prefecture, period_kind=period.kind, period_start=period.start
        ).aggregate(v=Max("version"))["v"]
        or 0
    )
    if previous_version and not note.strip():
        raise IndicatorsError("Une correction doit dire pourquoi : indiquez le motif.")
    at = timezone.localdate()
    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        version=previous_version + 1,
        published_by=actor,
        note=note.strip(),
    )
    recompute_values(prefecture, [period, period.previous_year()], at=at, with_services=False)
    values = {
        (v.site_id, v.indicator.code, v.period_start): v
        for v in Value.objects.filter(
            prefecture=prefecture,
            service__isnull=True,
            breakdown="",
            indicator__prefecture__isnull=True,
            period_kind=period.kind,
            period_start__in=[period.start, period.previous_year().start],
        ).select_related("indicator")
    }
    rows = []
    position = 0
    for site in structures(prefecture):
        goals = compute.targets(prefecture, period.start.year, site)
        site_id = site.pk if site else None
        for entry in CATALOGUE:
            value = values.get((site_id, entry.code, period.start))
            before = values.get((site_id, entry.code, period.previous_year().start))
            if value is None:
                continue
            target = goals[entry.code]
            rows.append(
                PublishedValue(
                    publication=publication,
                    code=entry.code,
                    name_fr=entry.name_fr,
                    name_en=entry.name_en,
                    unit=entry.unit,
                    frequency=french(entry.frequency),
                    site=site,
                    value=value.value,
                    numerator=value.numerator,
                    denominator=value.denominator,
                    target=_decimal(target),
                    met=compute.is_met(entry.code, value.value, target),
                    previous=before.value if before else None,
                    updated_at=value.updated_at,
                    position=position,
                )
            )
            position += 1
    # The prefecture's own indicators typed in for that period, with their source.
    for value in (
        Value.objects.filter(
            prefecture=prefecture,
            indicator__prefecture=prefecture,
            service__isnull=True,
            breakdown="",
            period_kind=period.kind,
            period_start=period.start,
        )
        .select_related("indicator")
        .order_by("site_id", "indicator__name_fr")
    ):
        rows.append(
            PublishedValue(
                publication=publication,
                code=value.indicator.code,
                name_fr=value.indicator.name_fr,
                name_en=value.indicator.name_en,
                unit=value.indicator.unit,
                frequency=value.indicator.frequency,
                site_id=value.site_id,
                value=value.value,
                numerator=value.numerator,
                denominator=value.denominator,
                updated_at=value.updated_at,
                position=position,
            )
        )
        position += 1
    PublishedValue.objects.bulk_create(rows)
    return publication


# Reception desk -----------------------------------------------------------------------------


@transaction.atomic
@transaction.atomic
def withdraw_publication(publication: Publication, *, actor, reason: str) -> Withdrawal:
    """Withdraw the current version of a period (kept in the history with who, when and
    why); the period leaves the public pages, the poster and the API."""
    if not reason.strip():
        raise IndicatorsError("Donnez le motif du retrait.")
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    newest = (
        Publication.objects.filter(
            prefecture_id=publication.prefecture_id,
            period_kind=publication.period_kind,
            period_start=publication.period_start,
        )
        .order_by("-version")
        .first()
    )
    if newest.pk != publication.pk:
        raise IndicatorsError("Seule la version en vigueur d'une période peut être retirée.")
    if Withdrawal.objects.filter(publication=publication).exists():
        raise IndicatorsError("Cette publication est déjà retirée.")
    return Withdrawal.objects.create(publication=publication, withdrawn_by=actor, reason=reason)


def record_arrival(site: Site, *, service=None, reason: str = "", actor=None) -> Visit:
    if service is not None and service.site_id != site.pk:
        raise IndicatorsError("Ce service n'est pas sur ce site.")
    return Visit.objects.create(
        prefecture_id=site.prefecture_id,
        site=site,
        service=service,
        reason=reason[:100],
        recorded_by=actor,
    )


@transaction.atomic
def record_served(visit: Visit, *, actor=None) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.served_at is not None:
        raise IndicatorsError("Ce visiteur a déjà été pris en charge.")
    visit.served_at = max(timezone.now(), visit.arrived_at)
    visit.save(update_fields=["served_at"])
    hooks.period_touched(visit.prefecture, {timezone.localdate(visit.arrived_at)})
    return visit


# Website update requests --------------------------------------------------------------------


def website_reference(prefecture: Prefecture, day: date) -> str:
    """Next `WEB-YYYY-NNNNN` of the prefecture; call inside the transaction inserting the
    request (gapless: `engagements.organisation.references`)."""
    number = references.next_number(prefecture, references.WEBSITE_UPDATES, day.year)
    return f"WEB-{day.year}-{number:05d}"


@transaction.atomic
def request_website_update(
    prefecture: Prefecture, *, page: str, kind: str, details: str, service=None, actor
) -> WebsiteUpdate:
    """A service asks the webmaster to change a page."""
    today = timezone.localdate()
    return WebsiteUpdate.objects.create(
        prefecture=prefecture,
        site=service.site if service else None,
        service=service,
        reference=website_reference(prefecture, today),
        page=page,
        kind=kind,
        details=details,
        requested_on=today,
        requested_by=actor,
    )


@transaction.atomic
def mark_website_update_published(
    update: WebsiteUpdate, *, published_url: str, published_on: date | None = None
) -> WebsiteUpdate:
    update = WebsiteUpdate.objects.select_for_update().get(pk=update.pk)
    if update.published_on is not None:
        raise IndicatorsError("Cette demande est déjà publiée.")
    published_on = published_on or timezone.localdate()
    if published_on < update.requested_on:
        raise IndicatorsError("La date de publication précède la demande.")
    if published_on > timezone.localdate():
        raise IndicatorsError("La date de publication ne peut pas être dans le futur.")
    update.published_on = published_on
    update.published_url = published_url
    update.save(update_fields=["published_on", "published_url"])
    hooks.period_touched(update.prefecture, {update.requested_on})
    return update


@transaction.atomic
def add_manual_indicator(
    prefecture: Prefecture,
    *,
    name_fr: str,
    name_en: str = "",
    family: str,
    unit: str,
    definition: str,
    source: str,
    lower_is_better: bool = False,
) -> Indicator:
    """A prefecture's own indicator (title delays, effort score…), values typed or imported."""
    from django.utils.text import slugify

    base = slugify(name_fr)[:70] or "indicateur"
    code = base
    number = 1
    taken = set(
        Indicator.objects.filter(
            models.Q(prefecture=prefecture) | models.Q(prefecture__isnull=True)
        ).values_list("code", flat=True)
    )
    while code in taken:
        number += 1
        code = f"{base}-{number}"
    return Indicator.objects.create(
        prefecture=prefecture,
        code=code,
        name_fr=name_fr,
        name_en=name_en,
        family=family,
        unit=unit,
        definition=definition,
        source=source,
        frequency="selon la source",
        lower_is_better=lower_is_better,
        is_manual=True,
        position=100,
    )
