"""CSV import of a register kept elsewhere (spreadsheets): all or nothing, idempotent.

Columns: reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason
(site and service by slug, French channel and kind values — `reseaux_sociaux` for a message
received on the prefecture's social-network accounts, with an optional `social_account`
column naming the account —, dates ISO or dd/mm/yyyy), read
by the shared reader (`engagements.csvio`: UTF-8 or Windows-1252, comma or semicolon).
Every bad line is reported with its number and column; nothing is written unless every
line is good.

An import only ever changes what an import created:
- a `reference` in the product's format (`YYYY-NNNNNN`) is taken as the message's
  reference when it is free, or updates the message when an import created it; the year's
  counter then moves past it. It is refused above `YYYY-899999` (room must remain for new
  references) and when a message received otherwise (web form, mail, entered by an agent)
  already has it;
- any other value (`CR-19-0419`, a prefecture's own numbering) is kept as the message's
  external reference; the message gets a product reference, and importing the same
  external reference again updates that message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from engagements.calendar.stored import ensure_calendars
from engagements.calendar.workdays import WorkCalendar, calendar_for, due_for
from engagements.csvio import CsvImportError, read_csv
from engagements.db import analyze
from engagements.organisation import references
from engagements.organisation.enums import Channel
from engagements.organisation.models import Prefecture, Service, Site
from engagements.shell import hooks
from engagements.words import counted_list

from ..enums import IMPORT_CHANNELS, IMPORT_CLOSED_REASONS, IMPORT_KINDS, EventKind, Status
from ..models import Message, MessageEvent, Topic
from .messages import RECLASSIFIED

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
# Read when present; any other column is allowed (a spreadsheet's own notes) and named in
# the result, so that a misspelt one ("social_acount") is not dropped without a word.
OPTIONAL_COLUMNS = ["social_account"]
IGNORED = "Colonnes non lues (ni obligatoires ni facultatives) : "
REFERENCE = re.compile(r"([0-9]{4})-([0-9]{6})", re.ASCII)
HIGHEST_IMPORTED_NUMBER = 899_999  # keeps room for the references the product gives
MAX_EXTERNAL_REFERENCE = Message._meta.get_field("external_reference").max_length
MAX_TOPIC = Topic._meta.get_field("name").max_length

# The import's refusal: the shared reader's (`errors`, `lines`), kept under its old name.
ImportError_ = CsvImportError


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    topics_created: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # References of the messages reclassified in the product since their last import: the
    # file's kind, topic and service were not applied.
    kept_classification: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        if not self.kept_classification:
            return []
        return [
            counted_list(
                self.kept_classification,
                "message reclassé dans l'application depuis le dernier import garde sa nature, "
                "son thème et son service",
                "messages reclassés dans l'application depuis le dernier import gardent leur "
                "nature, leur thème et leur service",
                separator=", ",
                end=".",
            )
        ]


@dataclass
class _Line:
    reference: str  # the product reference given in the file, or ""
    external: str  # the external reference, or ""
    values: dict
    topic_name: str
    existing: Message | None


def import_messages(prefecture: Prefecture, data: bytes | str, *, actor=None) -> ImportResult:
    """Import a CSV file (bytes as saved, or text) into the prefecture's register."""
    table = read_csv(data, required=COLUMNS, extra_columns=True)
    sites = {s.slug: s for s in Site.objects.filter(prefecture=prefecture).order_by("position")}
    services: dict[str, dict[str, Service]] = {}
    for found in Service.objects.filter(site__prefecture=prefecture).select_related("site"):
        services.setdefault(found.site.slug, {})[found.slug] = found
    calendars: dict[int, WorkCalendar] = {}
    with transaction.atomic():
        lines = _check(prefecture, table, sites, services, calendars)
        table.raise_errors()  # nothing written yet: the transaction has only read
        result = _write(prefecture, lines, actor)
    known = set(COLUMNS) | set(OPTIONAL_COLUMNS)
    result.ignored_columns = [c for c in table.header if c and c not in known]
    return result


def _check(prefecture, table, sites, services, calendars) -> list[_Line]:
    rows = list(table)
    given = [r["reference"] for r in rows]
    # Every message the file's references could touch, locked until the import ends.
    existing = {
        m.reference: m
        for m in Message.objects.select_for_update().filter(
            prefecture=prefecture, reference__in=given
        )
    }
    by_external = {
        m.external_reference: m
        for m in Message.objects.select_for_update().filter(
            prefecture=prefecture, external_reference__in=given
        )
    }
    seen: dict[str, int] = {}
    dues: dict[tuple, object] = {}  # a due date per site, channel and day, counted once
    today = timezone.localdate()
    lines = []
    for row in rows:
        reference = row.text("reference", required=True, max_length=MAX_EXTERNAL_REFERENCE)
        # Codes as every import reads them: any case, the valid ones named when unknown.
        site = row.choice("site", sites, label="site")
        service = None
        if row["service"] and site is not None:
            if not services.get(site.slug):
                row.error("service", f"le site {site.slug} n'a aucun service")
            else:
                service = row.choice(
                    "service", services[site.slug], label=f"service du site {site.slug}"
                )
        channel = row.choice("channel", IMPORT_CHANNELS, label="canal")
        kind = row.choice("kind", IMPORT_KINDS, label="nature", feminine=True)
        # One line, single spaces: "Délai\nséjour" or "Délai  séjour" (a cell wrapped or
        # retyped in a spreadsheet) is the topic "Délai séjour", not a second one.
        topic_name = " ".join(row.text("topic", max_length=MAX_TOPIC).split())
        # Optional: the prefecture's account a social network's message reached.
        social_account = row.text("social_account", max_length=200)
        received_on = row.date("received_on", required=True)
        answered_on = row.date("answered_on")
        reason = row.choice("closed_reason", IMPORT_CLOSED_REASONS, required=False, label="motif")
        if answered_on and reason:
            row.error(
                "answered_on", "un message ne peut être à la fois répondu et clos sans réponse"
            )
        if received_on and answered_on and answered_on < received_on:
            row.error("answered_on", "la date de réponse précède la date de réception")
        # As the agents' entry form: a date to come is a typo, and would count in the figures
        # (a message "received" next year, an answer "on time" not yet written).
        for column, value in (("received_on", received_on), ("answered_on", answered_on)):
            if value and value > today:
                row.error(column, f"date à venir ({value:%d/%m/%Y}) : vérifiez l'année")
        product, external, message = "", "", None
        if reference in seen:
            row.error("reference", f"référence {reference} déjà présente ligne {seen[reference]}")
        elif reference:
            seen[reference] = row.line
            product, external, message = _reference(row, reference, received_on, existing)
            if external:
                message = by_external.get(external)
        if not row.ok:
            continue
        calendar = calendars.get(site.pk)
        if calendar is None:
            calendar = calendars[site.pk] = calendar_for(prefecture, site)
        key = (site.pk, channel, kind, received_on)
        due = dues.get(key)
        if due is None:
            due = dues[key] = due_for(
                prefecture, site, channel, received_on, calendar=calendar, kind=kind
            )
        values = {
            "year": received_on.year,
            "site": site,
            "service": service,
            "channel": channel,
            "kind": kind,
            "social_account": social_account if channel == Channel.SOCIAL else "",
            "received_on": received_on,
            "deadline_days": due.deadline_days,
            "due_on": due.due_on,
            "answered_on": answered_on,
            "status": Status.ANSWERED if answered_on else Status.CLOSED if reason else Status.NEW,
            "closed_reason": reason or "",
            "closed_on": received_on if reason else None,
        }
        if message is not None and "social_account" not in table.header:
            # The optional column left out of the file: the account recorded stays.
            values["social_account"] = message.social_account if channel == Channel.SOCIAL else ""
        if message is not None and external and message.year != received_on.year:
            # The product reference carries the year: a moved date keeps the reference.
            values["year"] = message.year
        lines.append(_Line(product, external, values, topic_name, message))
    return lines


def _reference(row, reference: str, received_on, existing) -> tuple[str, str, Message | None]:
    """(product reference, external reference, message it updates) for one line."""
    match = REFERENCE.fullmatch(reference)
    if match is None:
        return "", reference, None
    year, number = int(match.group(1)), int(match.group(2))
    if number == 0:
        row.error("reference", f"référence {reference} : le numéro 000000 n'existe pas")
    elif number > HIGHEST_IMPORTED_NUMBER:
        row.error(
            "reference",
            f"référence {reference} au-delà de {year}-{HIGHEST_IMPORTED_NUMBER} : ces numéros "
            "sont réservés aux nouveaux messages ; mettez la numérotation de votre registre "
            "dans une autre forme (elle sera gardée comme référence externe)",
        )
    if received_on and year != received_on.year:
        row.error("reference", "l'année de la référence diffère de celle de received_on")
    message = existing.get(reference)
    if message is not None and not message.imported:
        row.error(
            "reference",
            f"la référence {reference} est celle d'un message reçu par "
            f"{message.get_channel_display().lower()} et non importé : un import ne peut pas "
            "le modifier",
        )
    return reference, "", message


def _write(prefecture: Prefecture, lines: list[_Line], actor) -> ImportResult:
    result = ImportResult()
    # The stored indicator values of the periods the file touches are recomputed (a job
    # queued at commit): the days received, and those an updated message leaves.
    hooks.period_touched(
        prefecture,
        {line.values["received_on"] for line in lines}
        | {line.existing.received_on for line in lines if line.existing is not None},
    )
    topics = {t.name.casefold(): t for t in Topic.objects.filter(prefecture=prefecture)}
    missing: dict[str, str] = {}
    for line in lines:
        if line.topic_name and line.topic_name.casefold() not in topics:
            missing.setdefault(line.topic_name.casefold(), line.topic_name)
    for topic in Topic.objects.bulk_create(
        Topic(prefecture=prefecture, name=name) for name in missing.values()
    ):
        topics[topic.name.casefold()] = topic
        result.topics_created.append(topic.name)
    # Counters first move past the references the file gives, so the references allocated
    # below for external numbering never collide with them.
    tops: dict[int, int] = {}
    for line in lines:
        if line.reference:
            year, number = (int(x) for x in line.reference.split("-"))
            tops[year] = max(tops.get(year, 0), number)
    for year, top in sorted(tops.items()):
        references.claim_number(prefecture, references.MESSAGES, year, top)
    # The stored working-day calendars cover every year that holds records: an import of
    # 2018 messages extends them back (figures count working days in SQL).
    days = [line.values[name] for line in lines for name in ("received_on", "answered_on")]
    days = [day for day in days if day is not None]
    if days:
        ensure_calendars(prefecture, min(days), max(days))
    new: list[tuple[_Line, dict]] = []
    changed_rows: list[tuple[Message, list[str], str]] = []
    handled = _handled_in_the_product(lines)
    for line in lines:
        line.values["topic"] = topics[line.topic_name.casefold()] if line.topic_name else None
    reclassified = _reclassified_in_the_product(lines)
    for line in lines:
        values = dict(line.values)
        message = line.existing
        if message is None:
            new.append((line, values))
            continue
        if message.pk in reclassified:
            # Reclassified by an agent since its last import: the product's kind, topic and
            # service (and the due date they set) stay; the line's other cells still apply.
            for name in CLASSIFICATION:
                del values[name]
            result.kept_classification.append(message.reference)
        if message.pk in handled and values["status"] == Status.NEW:
            # Answered or closed in the product since (not by an import): a line with
            # neither answer nor reason does not reopen it; its other cells still apply.
            for name in ("answered_on", "status", "closed_reason", "closed_on"):
                del values[name]
        changed = [name for name, value in values.items() if getattr(message, name) != value]
        if not changed:
            result.unchanged += 1
            continue
        before = message.status
        for name in changed:
            setattr(message, name, values[name])
        changed_rows.append((message, changed, before))
    _number(prefecture, new)
    _insert(prefecture, new, actor)
    result.created = len(new)
    _update(changed_rows, actor)
    result.updated = len(changed_rows)
    analyze(Message, MessageEvent, Topic)
    return result


# What a reclassification in the product changes (`messages.update_classification`).
CLASSIFICATION = ("kind", "topic", "service", "site", "deadline_days", "due_on")


def _reclassified_in_the_product(lines: list[_Line]) -> set[int]:
    """The imported messages the file would reclassify whose kind, topic or service an agent
    changed since (their latest such change is not an import's)."""
    differing = [
        line.existing.pk
        for line in lines
        if line.existing is not None
        and any(
            getattr(line.existing, name) != line.values[name]
            for name in ("kind", "topic", "service", "site")
        )
    ]
    latest: dict[int, bool] = {}  # message -> reclassified in the product
    events = (
        MessageEvent.objects.filter(
            message_id__in=differing, kind__in=[EventKind.UPDATED, EventKind.IMPORTED]
        )
        .order_by("pk")
        .values_list("message_id", "kind", "text")
    )
    for message_id, kind, text in events:
        if kind == EventKind.UPDATED and any(part in text for part in RECLASSIFIED):
            latest[message_id] = True
        elif kind == EventKind.IMPORTED and re.search(r"\b(kind|topic|service|site)\b", text):
            latest[message_id] = False
    return {pk for pk, product in latest.items() if product}


def _handled_in_the_product(lines: list[_Line]) -> set[int]:
    """The imported messages the file would reopen whose current status an agent set (their
    latest status change is not an import's)."""
    reopened = [
        line.existing.pk
        for line in lines
        if line.existing is not None
        and line.existing.status != Status.NEW
        and line.values["status"] == Status.NEW
    ]
    latest: dict[int, str] = {}
    for message_id, kind in (
        MessageEvent.objects.filter(message_id__in=reopened)
        .exclude(to_status="")
        .exclude(from_status=F("to_status"))  # an import that left the status as it was
        .order_by("pk")
        .values_list("message_id", "kind")
    ):
        latest[message_id] = kind
    return {pk for pk, kind in latest.items() if kind != EventKind.IMPORTED}


def _number(prefecture: Prefecture, new: list[tuple[_Line, dict]]) -> None:
    """Product references for the new messages that bring only an external one: one
    block of the year's gapless numbers per year, given in the file's order."""
    wanting: dict[int, list[dict]] = {}
    for line, values in new:
        if line.reference:
            values["reference"] = line.reference
        else:
            wanting.setdefault(values["year"], []).append(values)
    for year, group in sorted(wanting.items()):
        first = references.next_numbers(prefecture, references.MESSAGES, year, len(group))
        for offset, values in enumerate(group):
            values["reference"] = f"{year}-{first + offset:06d}"


def _insert(prefecture: Prefecture, new: list[tuple[_Line, dict]], actor) -> None:
    """The new messages and their "created by import" events. On PostgreSQL: COPY into a
    staging table, then one INSERT … SELECT for the messages and their events; elsewhere
    (the SQLite demo), bulk inserts."""
    if not new:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        messages = Message.objects.bulk_create(
            Message(
                prefecture=prefecture,
                external_reference=line.external,
                imported=True,
                **values,
            )
            for line, values in new
        )
        MessageEvent.objects.bulk_create(
            MessageEvent(
                message=message,
                actor=actor,
                kind=EventKind.IMPORTED,
                to_status=message.status,
                text=_created_text(message.external_reference),
            )
            for message in messages
        )
        return
    given = [
        "line",
        "year",
        "reference",
        "external_reference",
        "site_id",
        "service_id",
        "channel",
        "kind",
        "topic_id",
        "received_on",
        "deadline_days",
        "due_on",
        "answered_on",
        "status",
        "closed_reason",
        "closed_on",
        "social_account",
    ]
    fields = {f.column: f for f in Message._meta.concrete_fields}
    # Every other column of the message: its model default, the same for every row.
    constant = {
        "prefecture_id": prefecture.pk,
        "imported": True,
        "created_at": now,
        "updated_at": now,
    }
    for column, model_field in fields.items():
        if column in given or column in constant or model_field.primary_key:
            continue
        constant[column] = model_field.get_db_prep_save(model_field.get_default(), connection)
    types = {
        "line": "integer",
        **{
            column: fields[column].db_type(connection).replace("serial", "integer")
            for column in given[1:]
        },
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE import_message ("
            + ", ".join(f"{column} {types[column]}" for column in given)
            + ") ON COMMIT DROP"
        )
        raw = cursor.cursor  # psycopg's own cursor, in the same transaction
        with raw.copy(f"COPY import_message ({', '.join(given)}) FROM STDIN") as copy:
            for order, (_line, values) in enumerate(new):
                copy.write_row(
                    (
                        order,
                        values["year"],
                        values["reference"],
                        _line.external,
                        values["site"].pk,
                        values["service"].pk if values["service"] else None,
                        values["channel"],
                        values["kind"],
                        values["topic"].pk if values["topic"] else None,
                        values["received_on"],
                        values["deadline_days"],
                        values["due_on"],
                        values["answered_on"],
                        values["status"],
                        values["closed_reason"],
                        values["closed_on"],
                        values["social_account"],
                    )
                )
        columns = given[1:] + list(constant)
        created = _created_text("")
        cursor.execute(
            f"""
            WITH inserted AS (
              INSERT INTO {Message._meta.db_table} ({", ".join(columns)})
              SELECT {", ".join(given[1:])}, {", ".join(["%s"] * len(constant))}
              FROM import_message ORDER BY line
              RETURNING id, status, external_reference
            )
            INSERT INTO {MessageEvent._meta.db_table}
              (message_id, at, actor_id, kind, from_status, to_status, text)
            SELECT id, %s, %s, %s, '', status, CASE WHEN external_reference = '' THEN %s
              ELSE %s || ' (référence externe ' || external_reference || ')' END
            FROM inserted
            """,
            [
                *constant.values(),
                now,
                getattr(actor, "pk", None),
                EventKind.IMPORTED,
                created,
                created,
            ],
        )


def _created_text(external: str) -> str:
    text = "Créé par import CSV"
    if external:
        text += f" (référence externe {external})"
    return text


def _update(changed_rows: list[tuple[Message, list[str], str]], actor) -> None:
    """The imported messages the file changes, and one event each naming what changed."""
    if not changed_rows:
        return
    now = timezone.now()
    fields = sorted({name for _message, changed, _before in changed_rows for name in changed})
    for message, _changed, _before in changed_rows:
        message.updated_at = now
    Message.objects.bulk_update(
        [message for message, _changed, _before in changed_rows],
        [*fields, "updated_at"],
        batch_size=2000,
    )
    MessageEvent.objects.bulk_create(
        MessageEvent(
            message=message,
            actor=actor,
            kind=EventKind.IMPORTED,
            from_status=before,
            to_status=message.status,
            text="Mis à jour par import CSV : " + ", ".join(changed),
        )
        for message, changed, before in changed_rows
    )
