"""Every write of the FAQ: entries, reviews, votes, unanswered searches, import, reminders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from engagements.csvio import read_csv
from engagements.db import analyze
from engagements.organisation.models import Service, Site
from engagements.words import counted_list

from .models import LANGUAGES, Entry, ProcedureSheet, ProcedureSheetVersion, SearchMiss
from .search import review_cutoff, review_months
from .text import normalise

IMPORT_COLUMNS = ["site", "service", "question", "answer", "tags", "language"]


class FaqError(Exception):
    """A FAQ change that cannot be made; the message is shown to the agent."""


def clean_tags(tags: str) -> str:
    seen: list[str] = []
    for tag in tags.replace(";", ",").split(","):
        tag = tag.strip()
        if tag and tag.casefold() not in {t.casefold() for t in seen}:
            seen.append(tag)
    return ", ".join(seen)


def save_entry(entry: Entry, *, actor) -> Entry:
    """Create or update an entry; writing it counts as a review by its author."""
    if entry.service_id and entry.site_id and entry.service.site_id != entry.site_id:
        raise FaqError("Le service choisi n'appartient pas au site choisi.")
    if entry.service_id:
        entry.site_id = entry.service.site_id
    entry.tags = clean_tags(entry.tags)
    entry.reviewed_on = timezone.localdate()
    entry.reviewed_by = actor
    entry.reminded_on = None
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:
        raise FaqError("Cette question existe déjà pour ce service et cette langue.") from exc
    return entry


@transaction.atomic
def mark_reviewed(entry: Entry, *, actor) -> Entry:
    """The answer was read again and is still right."""
    entry.reviewed_on = timezone.localdate()
    entry.reviewed_by = actor
    entry.reminded_on = None
    entry.save(update_fields=["reviewed_on", "reviewed_by", "reminded_on", "updated_at"])
    return entry


def vote(entry: Entry, helpful: bool) -> None:
    """Count one "did this answer help you?" vote (no personal data kept)."""
    field = "helpful_yes" if helpful else "helpful_no"
    with transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(**{field: F(field) + 1})


def log_miss(prefecture, query: str, *, language: str = "fr", service=None) -> None:
    """Remember a search that found nothing (normalised, so variants add up)."""
    text = " ".join(normalise(query).split())[:200]
    if len(text) < 3:
        return
    with transaction.atomic():
        miss = (
            SearchMiss.objects.select_for_update()
            .filter(prefecture=prefecture, service=service, language=language, query=text)
            .first()
        )
        if miss is None:
            try:
                with transaction.atomic():
                    SearchMiss.objects.create(
                        prefecture=prefecture,
                        service=service,
                        site=service.site if service else None,
                        language=language,
                        query=text,
                    )
                return
            except IntegrityError:
                miss = SearchMiss.objects.get(
                    prefecture=prefecture, service=service, language=language, query=text
                )
        SearchMiss.objects.filter(pk=miss.pk).update(count=F("count") + 1, last_at=timezone.now())


# What the public typed in the FAQ search may name a person or quote a file number: a
# search not repeated for a year has served its purpose (a question to write) and goes.
SEARCH_MISS_RETENTION = timedelta(days=365)


def purge_search_misses(*, now=None) -> int:
    """Daily housekeeping: forget the searches without an answer not made for a year."""
    now = now or timezone.now()
    deleted, _ = SearchMiss.objects.filter(last_at__lt=now - SEARCH_MISS_RETENTION).delete()
    return deleted


@transaction.atomic
def dismiss_miss(miss: SearchMiss) -> None:
    miss.dismissed = True
    miss.save(update_fields=["dismissed", "last_at"])


# The reason an import's writes carry in the entries' history: what the import wrote last
# tells an answer changed in the app since (kept) from one the import still owns (replaced).
IMPORT_CHANGE_REASON = "import"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    # Questions in the file whose entry an agent changed, renamed or deleted in the app
    # since it was imported, or wrote there: not replaced (unless forced).
    kept: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        if not self.kept:
            return []
        return [
            counted_list(
                [f"« {q} »" for q in self.kept],
                "réponse modifiée dans l'application depuis le dernier import n'a pas été "
                "remplacée",
                "réponses modifiées dans l'application depuis le dernier import n'ont pas été "
                "remplacées",
            )
        ]


def _imported_last(prefecture) -> tuple[dict[int, tuple], dict[tuple, int]]:
    """What the imports wrote last: (question, answer, tags) by entry, and the entry by its
    key (site, service, language, question) at that import."""
    by_entry: dict[int, tuple] = {}
    by_key: dict[tuple, int] = {}
    records = Entry.history.filter(
        prefecture=prefecture, history_change_reason=IMPORT_CHANGE_REASON
    ).order_by("history_date", "history_id")
    for record in records.values_list(
        "id", "site_id", "service_id", "language", "question", "answer", "tags"
    ):
        pk, site_id, service_id, language, question, answer, tags = record
        by_entry[pk] = (question, answer, tags)
        by_key[(site_id, service_id, language, question)] = pk
    return by_entry, by_key


def import_entries(prefecture, data: bytes, *, actor=None, force: bool = False) -> ImportResult:
    """Import `site,service,question,answer,tags,language` rows; all or nothing.

    Site and service by slug (both empty: the whole prefecture); an existing question (same
    place and language) is updated, unless an agent changed its answer in the app since
    the last import (or wrote it there, or renamed or deleted the imported one): those are
    kept and named in the result, `force` replaces them. Raises csvio.CsvImportError with
    the line errors.
    """
    table = read_csv(data, required=IMPORT_COLUMNS)
    sites = {s.slug: s for s in Site.objects.filter(prefecture=prefecture).order_by("position")}
    services_of: dict[int, dict[str, Service]] = {}
    for found in Service.objects.filter(site__prefecture=prefecture).order_by("name"):
        services_of.setdefault(found.site_id, {})[found.slug] = found
    languages = {code: code for code, _ in LANGUAGES}
    rows = []
    seen: dict[tuple, int] = {}
    for row in table:
        site_slug = row.text("site", max_length=60)
        service_slug = row.text("service", max_length=60)
        question = row.text("question", required=True, max_length=300)
        answer = row.text("answer", required=True, max_length=10000)
        tags = row.text("tags", max_length=300)
        language = row.choice("language", languages, required=False) or "fr"
        # Codes as every import reads them: any case, the valid ones named when unknown.
        site = row.choice("site", sites, required=False, label="site")
        service = None
        if service_slug:
            if not site_slug:
                row.error("service", "indiquez aussi le site du service")
            elif site is not None and not services_of.get(site.pk):
                row.error("service", f"le site {site.slug} n'a aucun service")
            elif site is not None:
                service = row.choice(
                    "service", services_of.get(site.pk, {}), label=f"service du site {site.slug}"
                )
        key = (
            site.pk if site else site_slug,
            service.pk if service else service_slug,
            language,
            question,
        )
        if row.ok and key in seen:
            row.error("question", f"question en double dans le fichier (ligne {seen[key]})")
        seen.setdefault(key, row.line)
        if row.ok:
            rows.append((site, service, question, answer, tags, language))
    table.raise_errors()
    result = ImportResult()
    today = timezone.localdate()
    with transaction.atomic():
        analyze(Entry)  # fresh statistics once committed
        imported, imported_keys = _imported_last(prefecture)
        for site, service, question, answer, tags, language in rows:
            entry = (
                Entry.objects.select_for_update()
                .filter(
                    prefecture=prefecture,
                    site=site,
                    service=service,
                    language=language,
                    question=question,
                )
                .first()
            )
            if not force and _changed_in_app(
                entry,
                imported,
                imported_keys.get(
                    (site.pk if site else None, service.pk if service else None, language, question)
                ),
                answer,
                clean_tags(tags),
            ):
                result.kept.append(question)
                continue
            if entry is None:
                entry = Entry(
                    prefecture=prefecture,
                    site=site,
                    service=service,
                    language=language,
                    question=question,
                )
                result.created += 1
            else:
                result.updated += 1
            entry.answer = answer
            entry.tags = clean_tags(tags)
            entry.reviewed_on = today
            entry.reviewed_by = actor
            entry.reminded_on = None
            entry._change_reason = IMPORT_CHANGE_REASON
            entry.save()
    return result


def _changed_in_app(entry, imported: dict, imported_pk: int | None, answer, tags) -> bool:
    """Would writing this line undo an agent's work? The entry's answer or tags differ from
    what the last import wrote (or no import wrote it), and from the file's; or the entry
    imported under this question was renamed or deleted in the app since."""
    if entry is None:
        return imported_pk is not None  # imported once, no longer under this question
    if (entry.answer, entry.tags) == (answer, tags):
        return False  # nothing the file would change
    last = imported.get(entry.pk)
    return last is None or last != (entry.question, entry.answer, entry.tags)


def overdue_filter(today=None) -> Q:
    """Entries whose last review is older than FAQ_REVIEW_MONTHS."""
    return Q(reviewed_on__lte=review_cutoff(today or timezone.localdate()))


def send_review_reminders() -> int:
    """Daily: mail each service (or the prefecture) its answers due for review, once."""
    today = timezone.localdate()
    due = (
        Entry.objects.filter(overdue_filter(today), reminded_on__isnull=True)
        .select_related("prefecture", "service", "site")
        .order_by("prefecture_id", "service_id", "question")
    )
    return _remind(
        due,
        today,
        group=lambda entry: (entry.prefecture_id, entry.service_id),
        address=lambda first: (
            (first.service.email if first.service else "") or first.prefecture.email
        ),
        mail=lambda first, entries: (
            "faq/mail/review",
            {"service": first.service, "entries": entries, "months": review_months()},
            "faq-review",
        ),
    )


def _remind(due, today, *, group, address, mail) -> int:
    """Mail each group of records due for review (FAQ answers, procedure sheets) once: the
    group's `address` gets `mail(first, records)` = (template, context, purpose); every record
    is marked reminded today, mailed or not (no address: nobody to tell)."""
    from engagements.outbox.services import OutboxError, queue_mail

    groups: dict[tuple, list] = defaultdict(list)
    for record in due:
        groups[group(record)].append(record)
    sent = 0
    for records in groups.values():
        first = records[0]
        to = address(first)
        with transaction.atomic():
            if to:
                template, context, purpose = mail(first, records)
                try:
                    queue_mail(
                        template,
                        {"prefecture": first.prefecture, "site_url": settings.SITE_URL, **context},
                        [to],
                        prefecture=first.prefecture,
                        record=first.service,
                        purpose=purpose,
                    )
                    sent += 1
                except OutboxError:
                    pass
            type(first).objects.filter(pk__in=[r.pk for r in records]).update(reminded_on=today)
    return sent


# Procedure sheets (the agents' documentation base) -------------------------------------------


def default_review_on(today=None):
    """A sheet is to be read again FAQ_REVIEW_MONTHS after it was written, like the FAQ."""
    import calendar

    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 + review_months(), 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return today.replace(year=year, month=month + 1, day=day)


def save_sheet(sheet: ProcedureSheet, *, actor, note: str = "") -> ProcedureSheet:
    """Create or update a procedure sheet; a changed title or text is a new version (every
    version kept), and writing it counts as a review."""
    if sheet.service.site.prefecture_id != sheet.prefecture_id:
        raise FaqError("Ce service n'appartient pas à la préfecture.")
    today = timezone.localdate()
    try:
        with transaction.atomic():
            previous = (
                ProcedureSheet.objects.select_for_update().filter(pk=sheet.pk).first()
                if sheet.pk
                else None
            )
            changed = previous is None or (previous.title, previous.body) != (
                sheet.title,
                sheet.body,
            )
            if previous is not None and changed:
                sheet.version = previous.version + 1
            sheet.tags = clean_tags(sheet.tags)
            sheet.reviewed_on = today
            sheet.reviewed_by = actor
            sheet.reminded_on = None
            if not sheet.review_on or sheet.review_on <= today:
                sheet.review_on = default_review_on(today)
            sheet.save()
            if changed:
                ProcedureSheetVersion.objects.create(
                    sheet=sheet,
                    number=sheet.version,
                    title=sheet.title,
                    body=sheet.body,
                    note=note.strip()[:300],
                    saved_by=actor,
                )
    except IntegrityError as exc:
        raise FaqError("Une fiche porte déjà ce titre dans ce service.") from exc
    return sheet


@transaction.atomic
def mark_sheet_reviewed(sheet: ProcedureSheet, *, actor) -> ProcedureSheet:
    """The sheet was read again and is still right: next review in FAQ_REVIEW_MONTHS."""
    today = timezone.localdate()
    sheet.reviewed_on = today
    sheet.reviewed_by = actor
    sheet.reminded_on = None
    sheet.review_on = default_review_on(today)
    sheet.save(
        update_fields=["reviewed_on", "reviewed_by", "reminded_on", "review_on", "updated_at"]
    )
    return sheet


def send_sheet_review_reminders() -> int:
    """Daily, like the FAQ's: mail each sheet's owner the sheets due for review, once."""
    today = timezone.localdate()
    due = (
        ProcedureSheet.objects.filter(review_on__lte=today, reminded_on__isnull=True)
        .select_related("prefecture", "service", "owner")
        .order_by("prefecture_id", "owner_id", "title")
    )
    return _remind(
        due,
        today,
        group=lambda sheet: (sheet.prefecture_id, sheet.owner_id),
        address=lambda first: first.owner.email or first.service.email or first.prefecture.email,
        mail=lambda first, sheets: (
            "faq/mail/sheet_review",
            {"sheets": sheets},
            "procedure-sheet-review",
        ),
    )
