"""Staff training sessions: import, the year's report, coverage per service (issue 22)."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from engagements.csvio import code_key, read_csv
from engagements.db import analyze
from engagements.organisation.models import Prefecture, Service, Site

from .cycle_enums import TrainingTopic
from .models import TrainingSession

TRAINING_COLUMNS = ["date", "site", "service", "topic", "title", "hours", "participants"]
OPTIONAL_TRAINING_COLUMNS = ["trainer"]
MAX_HOURS = Decimal("9999.99")


def import_trainings(prefecture: Prefecture, data: bytes | str) -> dict[str, int]:
    """Add the file's sessions that are not held yet; all or nothing (CsvImportError naming
    each line).

    A session is identified by all its cells: two identical lines are two sessions (the
    same training given to two groups the same day), and a re-import of the same file adds
    nothing, since each line's count is compared with the sessions already held.
    """
    table = read_csv(data, required=TRAINING_COLUMNS, optional=OPTIONAL_TRAINING_COLUMNS)
    sites = {s.slug: s for s in Site.objects.filter(prefecture=prefecture)}
    services: dict[int, dict[str, Service]] = {}
    for found in Service.objects.filter(site__prefecture=prefecture).order_by("name"):
        services.setdefault(found.site_id, {})[found.slug] = found
    topics = {t: t for t in TrainingTopic.values}
    wanted: Counter = Counter()
    parsed: dict[tuple, dict] = {}
    for row in table:
        on = row.date("date", required=True)
        site = row.choice("site", sites, label="site")
        service = None
        slug = row.text("service", required=True)
        if site is not None and slug:
            of_site = services.get(site.pk, {})
            service = next((s for c, s in of_site.items() if code_key(c) == code_key(slug)), None)
            if service is None:
                valid = ", ".join(of_site) or "aucun"
                row.error(
                    "service",
                    f"le site {site.slug} n'a pas de service « {slug[:60]} » ; "
                    f"valeurs possibles : {valid}",
                )
        topic = row.choice("topic", topics, label="thème")
        title = row.text("title", required=True, max_length=300)
        hours = row.decimal("hours", required=True)
        if hours is not None:
            if hours <= 0 or hours > MAX_HOURS:
                row.error("hours", "la durée doit être positive (9 999 heures au plus)")
            elif hours != hours.quantize(Decimal("0.01")):
                row.error("hours", "deux décimales au plus")
        participants = row.int("participants", required=True, min=1, max=100_000)
        trainer = row.text("trainer", max_length=200)
        if not row.ok:
            continue
        key = _key(service.pk, on, topic, title, hours, participants, trainer)
        wanted[key] += 1
        parsed[key] = dict(
            date=on,
            site=site,
            service=service,
            topic=topic,
            title=title,
            hours=hours,
            participants=participants,
            trainer=trainer,
        )
    table.raise_errors()
    counts = {"created": 0, "unchanged": 0}
    with transaction.atomic():
        analyze(TrainingSession)  # fresh statistics once committed
        held = Counter(
            _key(s.service_id, s.date, s.topic, s.title, s.hours, s.participants, s.trainer)
            for s in TrainingSession.objects.select_for_update().filter(
                prefecture=prefecture, date__in={k[1] for k in wanted}
            )
        )
        for key, count in wanted.items():
            missing = max(0, count - held[key])
            counts["unchanged"] += count - missing
            for _ in range(missing):
                TrainingSession.objects.create(prefecture=prefecture, **parsed[key])
            counts["created"] += missing
    return counts


def _key(service_id, on, topic, title, hours, participants, trainer) -> tuple:
    return (service_id, on, topic, title, Decimal(hours).normalize(), participants, trainer)


def one_decimal(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _totals(sessions) -> dict:
    hours = sum((s.hours * s.participants for s in sessions), Decimal(0))
    return {
        "sessions": len(sessions),
        "participants": sum(s.participants for s in sessions),
        "trainee_hours": one_decimal(hours),
    }


def year_sessions(prefecture: Prefecture, year: int):
    return TrainingSession.objects.filter(prefecture=prefecture, date__year=year).select_related(
        "site", "service"
    )


def services_without(prefecture: Prefecture, year: int) -> list[str]:
    """The prefecture's services (every one, as the contract says) with no session that
    year, written `site/service`, sorted."""
    trained = year_sessions(prefecture, year).values_list("service_id", flat=True)
    services = (
        Service.objects.filter(site__prefecture=prefecture)
        .exclude(pk__in=trained)
        .select_related("site")
    )
    return sorted(f"{s.site.slug}/{s.slug}" for s in services)


def training_report(prefecture: Prefecture, year: int) -> dict:
    """The `training_report` contract: totals, totals per topic, services without a session.

    trainee_hours = Σ hours × participants, one decimal half up (exact decimals until then).
    """
    sessions = list(year_sessions(prefecture, year))
    by_topic = {}
    for topic in TrainingTopic.values:
        of_topic = [s for s in sessions if s.topic == topic]
        if of_topic:
            by_topic[topic] = _totals(of_topic)
    return {
        **_totals(sessions),
        "by_topic": by_topic,
        "services_without": services_without(prefecture, year),
    }


class TrainingError(Exception):
    """A training session refused (message in French)."""


def add_training(
    prefecture: Prefecture,
    *,
    service: Service,
    date,
    topic: str,
    title: str,
    hours: Decimal,
    participants: int,
    trainer: str = "",
) -> TrainingSession:
    """Record a training session given to a service's staff."""
    if service.site.prefecture_id != prefecture.pk:
        raise TrainingError("Ce service n'est pas de la préfecture.")
    if participants < 1 or hours <= 0:
        raise TrainingError("Une session compte au moins un participant et une durée positive.")
    with transaction.atomic():
        return TrainingSession.objects.create(
            prefecture=prefecture,
            site=service.site,
            service=service,
            date=date,
            topic=topic,
            title=title,
            hours=hours,
            participants=participants,
            trainer=trainer,
        )


def year_summary(sessions) -> dict:
    """Totals of a list of sessions, and per topic (labels in French) for the agents' page."""
    sessions = list(sessions)
    topics = []
    for topic in TrainingTopic:
        of_topic = [s for s in sessions if s.topic == topic.value]
        if of_topic:
            topics.append({"topic": topic.label, **_totals(of_topic)})
    return {**_totals(sessions), "topics": topics}


def annual_summary(prefecture: Prefecture, year: int) -> dict:
    """The year's trainings for the committee's annual report (hours written the French way)."""

    def text(value: float) -> str:
        return f"{value:.1f}".replace(".", ",")

    summary = year_summary(year_sessions(prefecture, year))
    return {
        "sessions": summary["sessions"],
        "participants": summary["participants"],
        "trainee_hours": text(summary["trainee_hours"]),
        "topics": [{**t, "trainee_hours": text(t["trainee_hours"])} for t in summary["topics"]],
    }
