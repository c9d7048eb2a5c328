"""CSV import of a register kept elsewhere (spreadsheets): all or nothing, idempotent.

Columns: reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason
(site and service by slug, French channel and kind values, ISO dates). Every bad line is
reported with its number; nothing is written unless every line is good. Importing the same
file again updates the messages it created (the reference is the key).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Max

from engagements.organisation.models import Prefecture, Service, Site
from engagements.workdays import WorkCalendar, calendar_for

from ..enums import CSV_CHANNELS, CSV_CLOSED_REASONS, CSV_KINDS, EventKind, Status
from ..models import Message, MessageEvent, ReferenceCounter, Topic

COLUMNS = [
    "reference",
    "site",
    "service",
    "channel",
    "kind",
    "topic",
    "received_on",
    "answered_on",
    "closed_reason",
]
REFERENCE = re.compile(r"^(\d{4})-(\d{6})$")


class ImportError_(Exception):
    """The file was refused; `errors` lists (line number, reason)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__(
            "Import refusé, rien n'a été enregistré :\n"
            + "\n".join(f"ligne {n} : {reason}" for n, reason in errors)
        )


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    topics_created: list[str] = field(default_factory=list)


def _date(value: str, name: str, errors: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name} « {value} » n'est pas une date AAAA-MM-JJ")
        return None


def import_messages(prefecture: Prefecture, text: str, *, actor=None) -> ImportResult:
    """Import a CSV text into the prefecture's register, all or nothing."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportError_([(1, "colonnes manquantes : " + ", ".join(missing))])
    sites = {s.slug: s for s in Site.objects.filter(prefecture=prefecture)}
    services = {
        (s.site.slug, s.slug): s
        for s in Service.objects.filter(site__prefecture=prefecture).select_related("site")
    }
    topics = {t.name.casefold(): t for t in Topic.objects.filter(prefecture=prefecture)}
    calendars: dict[int, WorkCalendar] = {}
    errors: list[tuple[int, str]] = []
    rows = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        problems: list[str] = []
        reference = row["reference"]
        match = REFERENCE.match(reference)
        if not match:
            problems.append(f"référence « {reference} » au format AAAA-NNNNNN attendue")
        elif reference in seen:
            problems.append(f"référence {reference} déjà présente ligne {seen[reference]}")
        else:
            seen[reference] = number
        site = sites.get(row["site"])
        if site is None:
            problems.append(f"site « {row['site']} » inconnu")
        service = None
        if row["service"]:
            service = services.get((row["site"], row["service"]))
            if service is None and site is not None:
                problems.append(f"service « {row['service']} » inconnu sur le site {row['site']}")
        channel = CSV_CHANNELS.get(row["channel"].lower())
        if channel is None:
            problems.append(
                f"canal « {row['channel']} » inconnu (attendu : {', '.join(CSV_CHANNELS)})"
            )
        kind = CSV_KINDS.get(row["kind"].lower())
        if kind is None:
            problems.append(f"nature « {row['kind']} » inconnue (attendu : {', '.join(CSV_KINDS)})")
        received_on = _date(row["received_on"], "received_on", problems)
        if not row["received_on"]:
            problems.append("received_on est obligatoire")
        answered_on = _date(row["answered_on"], "answered_on", problems)
        reason = None
        if row["closed_reason"]:
            reason = CSV_CLOSED_REASONS.get(row["closed_reason"].lower())
            if reason is None:
                problems.append(
                    f"motif de clôture « {row['closed_reason']} » inconnu "
                    f"(attendu : {', '.join(CSV_CLOSED_REASONS)})"
                )
        if answered_on and reason:
            problems.append("un message ne peut être à la fois répondu et clos sans réponse")
        if received_on and answered_on and answered_on < received_on:
            problems.append("answered_on précède received_on")
        if match and received_on and int(match.group(1)) != received_on.year:
            problems.append("l'année de la référence diffère de celle de received_on")
        if problems:
            errors.append((number, " ; ".join(problems)))
            continue
        rows.append(
            (
                reference,
                site,
                service,
                channel,
                kind,
                row["topic"],
                received_on,
                answered_on,
                reason,
            )
        )
    if errors:
        raise ImportError_(errors)
    if not rows:
        raise ImportError_([(2, "le fichier ne contient aucune ligne")])

    result = ImportResult()
    with transaction.atomic():
        existing = {
            m.reference: m
            for m in Message.objects.select_for_update().filter(
                prefecture=prefecture, reference__in=[r[0] for r in rows]
            )
        }
        for reference, site, service, channel, kind, topic_name, received, answered, reason in rows:
            topic = None
            if topic_name:
                topic = topics.get(topic_name.casefold())
                if topic is None:
                    topic = Topic.objects.create(prefecture=prefecture, name=topic_name)
                    topics[topic_name.casefold()] = topic
                    result.topics_created.append(topic_name)
            calendar = calendars.get(site.pk)
            if calendar is None:
                calendar = calendars[site.pk] = calendar_for(prefecture, site)
            deadline = prefecture.deadline_for(channel)
            values = {
                "year": received.year,
                "site": site,
                "service": service,
                "channel": channel,
                "kind": kind,
                "topic": topic,
                "received_on": received,
                "deadline_days": deadline,
                "due_on": calendar.add_working_days(received, deadline),
                "answered_on": answered,
                "status": Status.ANSWERED if answered else Status.CLOSED if reason else Status.NEW,
                "closed_reason": reason or "",
                "closed_on": received if reason else None,
            }
            message = existing.get(reference)
            if message is None:
                message = Message.objects.create(
                    prefecture=prefecture, reference=reference, **values
                )
                MessageEvent.objects.create(
                    message=message,
                    actor=actor,
                    kind=EventKind.IMPORTED,
                    to_status=message.status,
                    text="Créé par import CSV",
                )
                result.created += 1
                continue
            changed = [name for name, value in values.items() if getattr(message, name) != value]
            if not changed:
                result.unchanged += 1
                continue
            before = message.status
            for name in changed:
                setattr(message, name, values[name])
            message.save(update_fields=[*changed, "updated_at"])
            MessageEvent.objects.create(
                message=message,
                actor=actor,
                kind=EventKind.IMPORTED,
                from_status=before,
                to_status=message.status,
                text="Mis à jour par import CSV : " + ", ".join(changed),
            )
            result.updated += 1
        # Keep the counters ahead of imported numbers so new references never collide.
        highest = (
            Message.objects.filter(prefecture=prefecture)
            .values("year")
            .annotate(top=Max("reference"))
        )
        for item in highest:
            top = int(item["top"].split("-")[1])
            ReferenceCounter.objects.bulk_create(
                [ReferenceCounter(prefecture=prefecture, year=item["year"], last=0)],
                ignore_conflicts=True,
            )
            counter = ReferenceCounter.objects.select_for_update().get(
                prefecture=prefecture, year=item["year"]
            )
            if counter.last < top:
                counter.last = top
                counter.save(update_fields=["last"])
    return result
