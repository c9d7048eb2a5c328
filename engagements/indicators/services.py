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

from engagements.db import analyze
from engagements.organisation import references
from engagements.organisation.models import Prefecture, Site
from engagements.shell import hooks
from engagements.words import counted_list

from . import compute, grouped, imports
from .catalogue import BY_CODE, CATALOGUE, ensure_catalogue, withheld
from .models import (
    FigureChange,
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
    actor=None,
) -> int:
    """Recompute every built-in indicator per structure (prefecture, site, service) ×
    period into the values table (what dashboards read), in set-based passes: the figures
    of every period from a few grouped statements (`grouped.compute_values`), then one
    COPY and one upsert. Returns the rows written. A value of a published period that
    changes is written to the audit trail (FigureChange)."""
    sources = {code: french(entry.source) for code, entry in BY_CODE.items()}
    published = _published_starts(prefecture, periods)
    before = {
        (v["indicator_id"], v["site_id"], v["period_kind"], v["period_start"]): v["value"]
        for v in Value.objects.filter(
            prefecture=prefecture,
            service__isnull=True,
            breakdown="",
            period_start__in=[p.start for p in periods],
        ).values("indicator_id", "site_id", "period_kind", "period_start", "value")
    }
    changes: list[FigureChange] = []
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
    # A published period's figure that changes goes to the audit trail (FigureChange).
    for row in rows:
        indicator_id, _p, site_id, service_id, breakdown, kind, start = row[:7]
        if service_id is not None or breakdown or (kind, start) not in published:
            continue
        key = (indicator_id, site_id, kind, start)
        if key in before and before[key] != row[8]:
            changes.append(
                FigureChange(
                    prefecture=prefecture,
                    actor=actor,
                    act=FigureChange.Act.RECOMPUTE,
                    indicator_id=indicator_id,
                    site_id=site_id,
                    period_kind=kind,
                    period_start=start,
                    before=before[key],
                    after=row[8],
                    published=True,
                )
            )
    if settings.IS_POSTGRES:
        _upsert_values(rows)
    else:  # SQLite (the demo) has no NULLS NOT DISTINCT index to conflict on
        _save_values(prefecture, periods, rows)
    FigureChange.objects.bulk_create(changes)
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


def _published_starts(prefecture: Prefecture, periods: list[Period]) -> set[tuple[str, date]]:
    """(kind, start) of the given periods that have a publication."""
    return set(
        Publication.objects.filter(
            prefecture=prefecture, period_start__in=[p.start for p in periods]
        ).values_list("period_kind", "period_start")
    )


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
    imported: bool = False,
) -> Value:
    """Type in (or import) the value of a manual indicator, with its source."""
    if not indicator.is_manual or indicator.prefecture_id != prefecture.pk:
        raise IndicatorsError("Seuls les indicateurs propres à la préfecture se saisissent.")
    if site is not None and site.prefecture_id != prefecture.pk:
        raise IndicatorsError("Ce site n'appartient pas à la préfecture.")
    if not source.strip():
        raise IndicatorsError("Indiquez la source de la valeur.")
    previous = (
        Value.objects.filter(
            indicator=indicator,
            prefecture=prefecture,
            site=site,
            service=None,
            breakdown="",
            period_kind=period.kind,
            period_start=period.start,
        )
        .values_list("value", flat=True)
        .first()
    )
    if previous != _decimal(value) or previous is None:
        FigureChange.objects.create(
            prefecture=prefecture,
            actor=actor,
            act=FigureChange.Act.MANUAL,
            indicator=indicator,
            site=site,
            period_kind=period.kind,
            period_start=period.start,
            before=previous,
            after=_decimal(value),
            published=bool(_published_starts(prefecture, [period])),
            detail=f"Source : {source.strip()}"[: 300 - len(IMPORTED_MARK)]
            + (IMPORTED_MARK if imported else ""),
        )
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


# Ends the audit trail's detail of a value written by an import: what the last import gave
# tells a value corrected on the page since (kept) from one the file still owns.
IMPORTED_MARK = " (import)"


def _typed_since_import(prefecture: Prefecture) -> dict[tuple, object]:
    """For each value whose latest change was typed on the page after an import: the value
    that import gave (key: indicator, site, period kind and start)."""
    imported: dict[tuple, object] = {}
    typed: dict[tuple, object] = {}
    changes = FigureChange.objects.filter(
        prefecture=prefecture, act=FigureChange.Act.MANUAL
    ).order_by("at", "pk")
    for *key, after, detail in changes.values_list(
        "indicator_id", "site_id", "period_kind", "period_start", "after", "detail"
    ):
        key = tuple(key)
        if detail.endswith(IMPORTED_MARK):
            imported[key] = after
            typed.pop(key, None)
        elif key in imported:
            typed[key] = imported[key]
    return typed


def import_manual_values(prefecture: Prefecture, data: bytes | str, actor=None):
    """The prefecture's own indicators from a file (`imports.parse_manual_values`), all or
    nothing, each value written as one typed in: in the figures' audit trail too. A line
    giving the value the last import gave leaves a value corrected on the page since."""
    parsed = imports.parse_manual_values(prefecture, data)
    kept: list[str] = []
    with transaction.atomic():
        analyze(Value)  # fresh statistics once committed
        typed = _typed_since_import(prefecture)
        for indicator, site, period, value, numerator, denominator, source in parsed:
            key = (indicator.pk, site.pk if site else None, period.kind, period.start)
            if key in typed and typed[key] == _decimal(value):
                where = f", {site.name}" if site else ""
                kept.append(f"{indicator.code} {period.label()}{where}")
                continue
            set_manual_value(
                indicator,
                prefecture=prefecture,
                period=period,
                value=value,
                numerator=numerator,
                denominator=denominator,
                site=site,
                source=source,
                actor=actor,
                imported=True,
            )
    result = imports.ImportResult(counts={"valeurs": len(parsed) - len(kept)})
    if kept:
        result.notes.append(
            counted_list(
                kept,
                "valeur corrigée sur la page depuis le dernier import est gardée",
                "valeurs corrigées sur la page depuis le dernier import sont gardées",
                end=".",
            )
        )
    return result


# Publication --------------------------------------------------------------------------------


def is_ongoing(period: Period, today: date | None = None) -> bool:
    """A period not yet ended (its last day is today or later)."""
    return period.end >= (today or timezone.localdate())


def check_publishable(prefecture: Prefecture, period: Period, *, provisional: bool) -> None:
    """A period can be published once started; before its end only marked « provisoire »,
    and only when the prefecture allows it (IndicatorsError otherwise)."""
    if period.start > timezone.localdate():
        raise IndicatorsError("Cette période n'a pas commencé : rien à publier.")
    if period.start.year < FIRST_YEAR:
        raise IndicatorsError(f"Période hors des données : {FIRST_YEAR} au plus tôt.")
    if is_ongoing(period):
        if not prefecture.publish_ongoing_periods:
            raise IndicatorsError(
                f"La période « {period.label()} » n'est pas terminée : la préfecture ne publie "
                "que des périodes terminées (réglage de la préfecture)."
            )
        if not provisional:
            raise IndicatorsError(
                f"La période « {period.label()} » n'est pas terminée : elle ne peut être "
                "publiée que marquée « provisoire »."
            )


def publication_rows(prefecture: Prefecture, period: Period, *, at: date) -> list[dict]:
    """The values a publication of the period would freeze, in order, WITHOUT writing
    anything (the preview shows exactly these; `publish` writes exactly these): every
    built-in indicator of the prefecture and each active site, with target and last year,
    then the prefecture's own indicators typed in for the period, with their source."""
    before = period.previous_year()
    pairs = [(site, None) for site in structures(prefecture)]
    keys = [(site.pk if site else None, None) for site, _ in pairs]
    figures = grouped.compute_values(
        prefecture, [period, before], at=at, structures=keys, breakdowns=False
    )
    now = timezone.now()
    rows = []
    for (site, _), key in zip(pairs, keys, strict=True):
        goals = compute.targets(prefecture, period.start.year, site)
        current, previous = figures[(period, key, "")], figures[(before, key, "")]
        for entry in CATALOGUE:
            figure, target = current[entry.code], goals[entry.code]
            # A survey figure withheld under 5 answers: its numerator (satisfied answers)
            # would give it away on the public pages, open data and API; the count of
            # answers (the denominator) stays.
            hidden = withheld(entry.code, figure.value, figure.denominator)
            rows.append(
                {
                    "code": entry.code,
                    "name_fr": entry.name_fr,
                    "name_en": entry.name_en,
                    "unit": entry.unit,
                    "frequency": french(entry.frequency),
                    "site": site,
                    "value": _decimal(figure.value),
                    "numerator": None if hidden else _decimal(figure.numerator),
                    "denominator": _decimal(figure.denominator),
                    "target": _decimal(target),
                    "met": compute.is_met(entry.code, figure.value, target),
                    "previous": _decimal(previous[entry.code].value),
                    "updated_at": now,
                }
            )
    for value in (
        Value.objects.filter(
            prefecture=prefecture,
            indicator__prefecture=prefecture,
            service__isnull=True,
            breakdown="",
            period_kind=period.kind,
            period_start=period.start,
        )
        .select_related("indicator", "site")
        .order_by("site_id", "indicator__name_fr")
    ):
        rows.append(
            {
                "code": value.indicator.code,
                "name_fr": value.indicator.name_fr,
                "name_en": value.indicator.name_en,
                "unit": value.indicator.unit,
                "frequency": value.indicator.frequency,
                "site": value.site,
                "value": value.value,
                "numerator": value.numerator,
                "denominator": value.denominator,
                "target": None,
                "met": None,
                "previous": None,
                "updated_at": value.updated_at,
            }
        )
    for position, row in enumerate(rows):
        row["position"] = position
    return rows


def fingerprint(rows: list[dict]) -> str:
    """A short digest of what a preview showed: publishing refuses other values."""
    import hashlib

    def text(number):
        return "" if number is None else f"{Decimal(number):.2f}"

    lines = [
        "|".join(
            [
                row["code"],
                str(row["site"].pk if row["site"] else ""),
                text(row["value"]),
                text(row["numerator"]),
                text(row["denominator"]),
                text(row["target"]),
                text(row["previous"]),
            ]
        )
        for row in rows
    ]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


@transaction.atomic
def publish(
    prefecture: Prefecture,
    period: Period,
    *,
    actor,
    note: str = "",
    provisional: bool = False,
    expected: str | None = None,
) -> Publication:
    """Validate a period's values into a new published version (the old ones are kept):
    exactly the rows of `publication_rows` (`expected`: the fingerprint of the preview the
    référent confirmed; other values are refused). A period not yet ended is published
    only marked « provisoire » (`provisional`), when the prefecture allows it. The stored
    values of the period and last year's are brought in line in the same transaction."""
    check_publishable(prefecture, period, provisional=provisional)
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
    rows = publication_rows(prefecture, period, at=at)
    if expected is not None and expected != fingerprint(rows):
        raise IndicatorsError(
            "Les valeurs ont changé depuis l'aperçu (des enregistrements sont arrivés) : "
            "rien n'a été publié. Vérifiez le nouvel aperçu avant de confirmer."
        )
    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        version=previous_version + 1,
        published_by=actor,
        note=note.strip(),
        provisional=is_ongoing(period, at),
    )
    recompute_values(
        prefecture, [period, period.previous_year()], at=at, with_services=False, actor=actor
    )
    PublishedValue.objects.bulk_create(
        PublishedValue(publication=publication, **row) for row in rows
    )
    return publication


# Reception desk -----------------------------------------------------------------------------


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


@transaction.atomic
def record_arrival(site: Site, *, service=None, reason: str = "", actor=None) -> Visit:
    if service is not None and service.site_id != site.pk:
        raise IndicatorsError("Ce service n'est pas sur ce site.")
    visit = Visit.objects.create(
        prefecture_id=site.prefecture_id,
        site=site,
        service=service,
        reason=reason[:100],
        recorded_by=actor,
    )
    hooks.period_touched(site.prefecture, {timezone.localdate(visit.arrived_at)})
    return visit


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
    hooks.period_touched(prefecture, {today})
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
