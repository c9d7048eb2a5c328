"""Writes of the surveys app: answers, coupons, imports, reviews, invitations, copies.

Mystery checks live in `mystery.py`. Every function validates, writes in one transaction,
and sends mail only after commit.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from engagements import states
from engagements.csvio import CsvImportError, LineError, code_key, read_csv
from engagements.db import analyze, copy_rows, next_ids
from engagements.organisation.models import Prefecture, Service
from engagements.outbox import services as outbox
from engagements.shell import hooks

from .enums import (
    COMMENT_TRANSITIONS,
    NOT_CONCERNED,
    SCALE_POINTS,
    CampaignKind,
    Channel,
    CommentStatus,
    CommentTag,
    QuestionKind,
)
from .models import (
    Answer,
    AnswerImport,
    Campaign,
    ChangeLog,
    Comment,
    CommentLog,
    Invitation,
    Question,
    Questionnaire,
    Response,
)

INVITATION_LIFETIME = timedelta(days=14)
# Reviewed-out comments are deleted quickly; kept comments lose their text after 3 years.
HIDDEN_COMMENT_RETENTION = timedelta(days=30)
COMMENT_RETENTION = timedelta(days=3 * 365)


class SurveyError(Exception):
    """A refusal with a French message that can be shown to the user."""


def log_change(prefecture, actor, action: str) -> ChangeLog:
    """The row every service taking an actor writes (who changed what, when)."""
    return ChangeLog.objects.create(prefecture=prefecture, actor=actor, action=action[:300])


# Personal data detectors ---------------------------------------------------------------

PERSONAL_DATA_PATTERNS = {
    # Linear on any input: a match may only start where a run of address characters starts
    # (the lookbehind), and the possessive runs never give characters back. Without them a
    # 100,000-character word was scanned from each of its positions (135 s, issue 9).
    "email": re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+"),
    "phone": re.compile(r"(?<!\d)(?:(?:\+|00)33[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)"),
    # AGDREF foreign-national numbers: 10 digits, never starting with 0 (phones do).
    "foreign_number": re.compile(r"(?<![\d.-])(?<!\d\s)[1-9]\d{9}(?!\d)"),
    # NIR (social security number): 13 digits + optional 2-digit key, starting 1 or 2.
    "social_security": re.compile(
        r"(?<!\d)[12]\s?\d{2}\s?\d{2}\s?\d{2}\s?\d{3}\s?\d{3}(?:\s?\d{2})?(?!\d)"
    ),
}
PERSONAL_DATA_LABELS = {
    "email": "adresse électronique",
    "phone": "numéro de téléphone",
    "foreign_number": "numéro d'étranger",
    "social_security": "numéro de sécurité sociale",
}


def detect_personal_data(text: str) -> list[str]:
    """Kinds of personal data a comment seems to contain (to check before publishing)."""
    return [kind for kind, pattern in PERSONAL_DATA_PATTERNS.items() if pattern.search(text)]


# Answers ------------------------------------------------------------------------------


def _validate_values(campaign: Campaign, values: dict[Question, int | None]) -> None:
    for question, value in values.items():
        if question.questionnaire_id != campaign.questionnaire_id:
            raise SurveyError("Cette question n'appartient pas au questionnaire de la campagne.")
        if value is None:
            continue
        if value == NOT_CONCERNED and question.not_concerned:
            continue
        top = SCALE_POINTS.get(question.kind) or len(question.choices)
        if question.kind == QuestionKind.TEXT or not 1 <= value <= top:
            raise SurveyError(f"Réponse impossible à la question {question.code} : {value}.")


def _check_service(campaign: Campaign, service: Service | None) -> None:
    if service is None:
        return
    if not campaign.services.filter(pk=service.pk).exists():
        raise SurveyError("Ce service ne fait pas partie de la campagne.")


@transaction.atomic
def submit_response(
    campaign: Campaign,
    *,
    service: Service | None,
    channel: str,
    language: str = "fr",
    values: dict[Question, int | None],
    comments: dict[Question | None, str] | None = None,
    serial: str = "",
    answered_on: date | None = None,
    touch: bool = True,
) -> Response:
    """Record one anonymous response (blank answers leave no row); `touch=False` when the
    caller tells the figures itself (an import, once for all its lines)."""
    if channel not in Channel.values:
        raise SurveyError("Canal inconnu.")
    _check_service(campaign, service)
    _validate_values(campaign, values)
    response = Response.objects.create(
        campaign=campaign,
        service=service,
        channel=channel,
        language=language[:10],
        serial=serial,
        answered_on=answered_on or timezone.localdate(),
    )
    Answer.objects.bulk_create(
        Answer(response=response, question=q, value=v) for q, v in values.items() if v is not None
    )
    Comment.objects.bulk_create(
        Comment(response=response, question=q, text=text.strip(), flags=detect_personal_data(text))
        for q, text in (comments or {}).items()
        if text and text.strip()
    )
    if touch:
        hooks.period_touched(campaign.prefecture, {response.answered_on})
    return response


SERIAL_RE = re.compile(r"^(\d+)-(\d{4})$")


def normalise_serial(serial: str) -> str:
    return re.sub(r"\s+", "", serial or "").replace("–", "-").upper()


def coupon_serials(campaign: Campaign, first: int, count: int) -> list[str]:
    """Serial numbers printed on coupons: `<campaign id>-<4 digits>`."""
    if not (1 <= first and 1 <= count <= 2000 and first + count - 1 <= 9999):
        raise SurveyError("Numéros de coupons : de 1 à 9999, 2000 au plus par impression.")
    return [f"{campaign.pk}-{n:04d}" for n in range(first, first + count)]


def enter_coupon(
    campaign: Campaign,
    *,
    actor,
    service: Service | None,
    serial: str,
    values: dict[Question, int | None],
    comment: str = "",
) -> Response:
    """Type in a paper coupon; a serial can be entered only once per campaign."""
    serial = normalise_serial(serial)
    match = SERIAL_RE.match(serial)
    if not match or int(match.group(1)) != campaign.pk:
        raise SurveyError(
            f"Numéro de coupon « {serial} » invalide : attendu {campaign.pk}-0001 à "
            f"{campaign.pk}-9999 pour cette campagne."
        )
    existing = campaign.responses.filter(serial=serial).first()
    if existing:
        raise SurveyError(
            f"Le coupon n° {serial} a déjà été saisi (le {existing.answered_on:%d/%m/%Y}) : "
            "il ne peut pas l'être deux fois."
        )
    text_question = campaign.questionnaire.questions.filter(kind=QuestionKind.TEXT).first()
    try:
        with transaction.atomic():
            response = submit_response(
                campaign,
                service=service,
                channel=Channel.PAPER,
                values=values,
                comments={text_question: comment} if comment else None,
                serial=serial,
                answered_on=campaign.counted_on(),
            )
            log_change(campaign.prefecture, actor, f"Coupon n° {serial} saisi ({campaign.name})")
        return response
    except IntegrityError as exc:
        # Two agents typing the same coupon at once: the constraint decides.
        raise SurveyError(
            f"Le coupon n° {serial} a déjà été saisi : il ne peut pas l'être deux fois."
        ) from exc


@dataclass
class ImportReport:
    created: int = 0
    errors: list[str] = field(default_factory=list)
    line_errors: list[LineError] = field(default_factory=list)  # the same, with line and column


MAX_IMPORTED_COMMENT = 2000  # as on the paper coupon's and the web form's comment field


# An earlier file of at least this many lines found again at the start of a new one is a
# cumulative export imported again; a shorter one may well be repeated by other people.
MIN_REPEATED_LINES = 5


def _line_print(channel, service, values: dict, comments: dict) -> bytes:
    """One line's answers, written the same whatever the file's order of columns."""
    cells = [channel, service.slug if service else ""]
    cells += sorted(f"{q.code}={v}" for q, v in values.items() if v is not None)
    cells += sorted(f"{q.code if q else ''}:{t.strip()}" for q, t in comments.items())
    return ("\x1f".join(cells) + "\n").encode()


def _repeated_import(campaign: Campaign, parsed: list) -> tuple[str, str | None]:
    """The file's fingerprint, and the refusal when these lines (all of them, or an
    earlier file's lines at their start) were imported into the campaign already."""
    earlier = list(campaign.imports.order_by("imported_at", "pk"))
    wanted = {i.lines for i in earlier if MIN_REPEATED_LINES <= i.lines < len(parsed)}
    digest = hashlib.sha256()
    prefixes: dict[int, str] = {}
    for number, line in enumerate(parsed, start=1):
        digest.update(_line_print(*line))
        if number in wanted:
            prefixes[number] = digest.hexdigest()
    whole = digest.hexdigest()
    for found in earlier:
        when = timezone.localtime(found.imported_at)
        named = f" (fichier « {found.file_name} »)" if found.file_name else ""
        if found.content_sha256 == whole:
            return whole, (
                f"ces réponses ont déjà été importées dans cette campagne le "
                f"{when:%d/%m/%Y à %H:%M}{named} : les importer à nouveau les compterait deux "
                "fois"
            )
        if prefixes.get(found.lines) == found.content_sha256:
            return whole, (
                f"les {found.lines} premières lignes de ce fichier ont déjà été importées dans "
                f"cette campagne le {when:%d/%m/%Y à %H:%M}{named} : retirez-les du fichier "
                "pour n'importer que les suivantes"
            )
    return whole, None


def import_answers(
    campaign: Campaign,
    data: bytes | str | io.IOBase,
    *,
    file_name: str = "",
    actor=None,
) -> ImportReport:
    """Load a CSV `channel,service,<question code>…`, all or nothing, with line errors.

    Read by the shared reader (`engagements.csvio`): UTF-8 or Windows-1252, comma or
    semicolon, ASCII digits only; NUL, oversized and extra cells are line errors. The same
    answers imported into the campaign before (the same file, or an earlier file's lines
    at its start) are refused: the lines have no key, they would be counted twice.
    """
    if hasattr(data, "read"):
        data = data.read()
    report = ImportReport()
    try:
        table = read_csv(data, required=["channel", "service"], extra_columns=True)
        questions = {q.code.lower(): q for q in campaign.questionnaire.questions.all()}
        services = {code_key(s.slug): s for s in campaign.services.all()}
        if table.header[:2] != ["channel", "service"]:
            raise CsvImportError(
                [LineError(1, None, "les colonnes doivent commencer par channel,service")]
            )
        # Columns without a name (empty ones right of the table) are left out by the reader.
        codes = [c for c in table.header[2:] if c]
        unknown = [c for c in codes if c not in questions]
        if unknown:
            raise CsvImportError(
                [LineError(1, None, f"questions inconnues : {', '.join(unknown)}")]
            )
        channels = {value: value for value in Channel.values}
        parsed = []
        for row in table:
            channel = row.choice("channel", channels, label="canal")
            service = row.lookup(
                "service",
                lambda value: services.get(code_key(value)),
                "service « {value} » hors de la campagne ; valeurs possibles : "
                + ", ".join(s.slug for s in services.values()),
            )
            values: dict[Question, int | None] = {}
            comments: dict[Question | None, str] = {}
            for code in codes:
                question = questions[code]
                if question.kind == QuestionKind.TEXT:
                    text = row.text(code, max_length=MAX_IMPORTED_COMMENT)
                    if text:
                        comments[question] = text
                    continue
                top = SCALE_POINTS.get(question.kind) or len(question.choices)
                low = NOT_CONCERNED if question.not_concerned else 1  # 0 = "non concerné"
                values[question] = row.int(code, min=low, max=top)
            if row.ok and not comments and all(v is None for v in values.values()):
                # As on the web form and the coupon entry: a response answers something
                # (an empty one would count a questionnaire that nobody filled in).
                row.error(None, "aucune réponse sur la ligne")
            if row.ok:
                parsed.append((channel, service, values, comments))
        table.raise_errors()
    except CsvImportError as exc:
        report.errors = exc.lines
        report.line_errors = exc.errors
        return report
    if not parsed:
        return report
    with transaction.atomic():
        # One import of a campaign's answers at a time: the check below sees the other's file.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        fingerprint, repeated = _repeated_import(campaign, parsed)
        if repeated:
            report.line_errors = [LineError(1, None, repeated)]
            report.errors = [str(e) for e in report.line_errors]
            return report
        _load_answers(campaign, parsed)
        AnswerImport.objects.create(
            campaign=campaign,
            content_sha256=fingerprint,
            lines=len(parsed),
            file_name=file_name[:255],
            imported_by=actor,
        )
    report.created = len(parsed)
    return report


def _load_answers(campaign: Campaign, parsed: list) -> None:
    """Write the checked lines' responses, answers and comments."""
    # Set-based: every line was checked above (services of the campaign, values within
    # their scale), so the responses and their answers are loaded in bulk (COPY on
    # PostgreSQL), not three statements per line; all in one transaction.
    with transaction.atomic():
        analyze(Response, Answer, Comment)  # fresh statistics once committed
        if connection.vendor == "postgresql":
            response_ids = _copy_responses(campaign, parsed)
        else:
            response_ids = _insert_responses(campaign, parsed)
        Comment.objects.bulk_create(
            (
                Comment(
                    response_id=response_id,
                    question=question,
                    text=text.strip(),
                    flags=detect_personal_data(text),
                )
                for response_id, (_c, _s, _v, comments) in zip(response_ids, parsed, strict=True)
                for question, text in comments.items()
                if text and text.strip()
            ),
            batch_size=2000,
        )
        if parsed:
            hooks.period_touched(campaign.prefecture, {campaign.counted_on()})


def _copy_responses(campaign: Campaign, parsed: list) -> list[int]:
    """PostgreSQL: ids from the sequence, then COPY of the responses and their answers."""
    ids = next_ids(Response, len(parsed))
    today = campaign.counted_on()
    copy_rows(
        Response,
        ["id", "campaign_id", "service_id", "channel", "language", "answered_on", "serial"],
        (
            (pk, campaign.pk, service.pk if service else None, channel, "fr", today, "")
            for pk, (channel, service, _values, _comments) in zip(ids, parsed, strict=True)
        ),
    )
    copy_rows(
        Answer,
        ["response_id", "question_id", "value"],
        (
            (pk, question.pk, value)
            for pk, (_c, _s, values, _m) in zip(ids, parsed, strict=True)
            for question, value in values.items()
            if value is not None
        ),
    )
    return ids


def _insert_responses(campaign: Campaign, parsed: list) -> list[int]:
    """Elsewhere (the SQLite demo): bulk inserts."""
    today = campaign.counted_on()
    responses = Response.objects.bulk_create(
        (
            Response(
                campaign=campaign,
                service=service,
                channel=channel,
                language="fr",
                serial="",
                answered_on=today,
            )
            for channel, service, _values, _comments in parsed
        ),
        batch_size=2000,
    )
    Answer.objects.bulk_create(
        (
            Answer(response=response, question=question, value=value)
            for response, (_c, _s, values, _m) in zip(responses, parsed, strict=True)
            for question, value in values.items()
            if value is not None
        ),
        batch_size=5000,
    )
    return [response.pk for response in responses]


# Comments ---------------------------------------------------------------------------


def review_comment(comment: Comment, *, actor, status: str, tags: list[str]) -> Comment:
    """Publish or set aside a comment after reading it, with its themes."""
    if any(tag not in CommentTag.values for tag in tags):
        raise SurveyError("Thème inconnu.")
    with transaction.atomic():
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        comment.tags = tags
        comment.reviewed_by = actor
        comment.reviewed_at = timezone.now()
        reviewed = ["tags", "reviewed_by", "reviewed_at"]
        if status == comment.status:  # themes changed only: no status change to log
            comment.save(update_fields=reviewed)
        else:
            states.transition(
                comment,
                status,
                table=COMMENT_TRANSITIONS,
                actor=actor,
                log_model=CommentLog,
                update_fields=reviewed,
                subject="Ce commentaire",
                error=SurveyError,
                comment=comment,
            )
    return comment


# Questionnaires and campaigns ------------------------------------------------------------


def save_question(question: Question, *, actor) -> Question:
    """Add or change a question, refused once the questionnaire has answers."""
    if question.questionnaire.has_answers():
        raise SurveyError(
            "Ce questionnaire a déjà des réponses : il ne peut plus être modifié. "
            "Faites-en une copie."
        )
    question.full_clean()
    with transaction.atomic():
        created = question.pk is None
        question.save()
        log_change(
            question.questionnaire.prefecture,
            actor,
            f"Question {question.code} {'ajoutée' if created else 'modifiée'} "
            f"({question.questionnaire.name})",
        )
    return question


def set_languages(questionnaire: Questionnaire, languages: list[str], *, actor) -> Questionnaire:
    """Choose the languages offered besides French and English (before any answer)."""
    if questionnaire.has_answers():
        raise SurveyError(
            "Ce questionnaire a déjà des réponses : il ne peut plus être modifié. "
            "Faites-en une copie."
        )
    with transaction.atomic():
        questionnaire.extra_languages = languages
        questionnaire.save(update_fields=["extra_languages"])
        log_change(
            questionnaire.prefecture,
            actor,
            f"Langues de {questionnaire.name} : {', '.join(languages) or 'français et anglais'}",
        )
    return questionnaire


def save_translation(
    questionnaire: Questionnaire,
    language: str,
    *,
    questions: dict[int, dict],
    interface: dict[str, str],
    actor,
) -> Questionnaire:
    """Record a language's translation of the questions and of the page's interface.

    Allowed after answers too: a translation changes no result. `questions` maps a question
    id to {"text": …, "choices": […]}; empty strings remove a translation.
    """
    if language in ("fr", "en") or language not in questionnaire.extra_languages:
        raise SurveyError("Cette langue n'est pas une langue ajoutée à ce questionnaire.")
    with transaction.atomic():
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        for question in questionnaire.questions.all():
            given = questions.get(question.pk)
            if given is None:
                continue
            entry = {k: v for k, v in given.items() if v}
            choices = entry.get("choices")
            if choices and len(choices) != len(question.choices):
                raise SurveyError(
                    f"Question « {question.code} » : traduisez chaque choix, un par ligne, "
                    "dans le même ordre."
                )
            translations = dict(question.translations or {})
            if entry:
                translations[language] = entry
            else:
                translations.pop(language, None)
            question.translations = translations
            question.save(update_fields=["translations"])
        strings = dict(questionnaire.interface_translations or {})
        strings[language] = {k: v.strip() for k, v in interface.items() if v and v.strip()}
        questionnaire.interface_translations = strings
        questionnaire.save(update_fields=["interface_translations"])
    return questionnaire


def delete_question(question: Question, *, actor) -> None:
    """Remove a question from a questionnaire without answers."""
    if question.questionnaire.has_answers():
        raise SurveyError("Ce questionnaire a déjà des réponses : il ne peut plus être modifié.")
    with transaction.atomic():
        log_change(
            question.questionnaire.prefecture,
            actor,
            f"Question {question.code} supprimée ({question.questionnaire.name})",
        )
        question.delete()


@transaction.atomic
def copy_questionnaire(questionnaire: Questionnaire, *, actor, name: str = "") -> Questionnaire:
    """Copy a questionnaire (with its questions and translations) to change it."""
    copy = Questionnaire.objects.create(
        prefecture=questionnaire.prefecture,
        name=name or f"{questionnaire.name} (copie)",
        extra_languages=list(questionnaire.extra_languages),
        interface_translations=dict(questionnaire.interface_translations),
        copied_from=questionnaire,
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=copy,
            code=q.code,
            position=q.position,
            kind=q.kind,
            criterion=q.criterion,
            text=q.text,
            choices=list(q.choices),
            not_concerned=q.not_concerned,
            translations=dict(q.translations),
        )
        for q in questionnaire.questions.all()
    )
    log_change(copy.prefecture, actor, f"{copy.name} : copie de {questionnaire.name}")
    return copy


def save_campaign(campaign: Campaign, services: list[Service], *, actor) -> Campaign:
    """Create or change a campaign and the services in its scope."""
    campaign.full_clean()
    if any(s.site.prefecture_id != campaign.prefecture_id for s in services):
        raise SurveyError("Un service choisi n'appartient pas à la préfecture.")
    with transaction.atomic():
        created = campaign.pk is None
        campaign.save()
        campaign.services.set(services)
        log_change(
            campaign.prefecture,
            actor,
            f"Campagne {campaign.name} {'créée' if created else 'modifiée'}",
        )
    return campaign


def running_campaign(site_or_prefecture, service: Service | None = None, *, kind=None):
    """The campaign open today for a service (or the prefecture), most recent first."""
    qs = Campaign.objects.filter(starts_on__lte=timezone.localdate()).exclude(
        ends_on__lt=timezone.localdate()
    )
    if isinstance(site_or_prefecture, Prefecture):
        qs = qs.filter(prefecture=site_or_prefecture)
    else:
        qs = qs.filter(site=site_or_prefecture)
    if service is not None:
        qs = qs.filter(services=service)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-starts_on").first()


# Invitations after an appointment ---------------------------------------------------------


def invite_after_visit(
    prefecture: Prefecture, service: Service, email: str, *, language: str = "fr"
) -> Invitation | None:
    """E-mail a single-use survey link after a visit; None when no campaign is running.

    The address is used for this one message: it is kept only in the outbox's delivery
    row, deleted with it (outbox.services.purge_old).
    """
    if service.site.prefecture_id != prefecture.pk:
        raise SurveyError("Ce service n'appartient pas à la préfecture.")
    campaign = running_campaign(prefecture, service, kind=CampaignKind.CAMPAIGN)
    if campaign is None:
        return None
    language = language if language in dict(settings.LANGUAGES) else "fr"
    expires_at = timezone.now() + INVITATION_LIFETIME
    if campaign.ends_on is not None:
        # The mail says when the link expires: never after the campaign's last day, when
        # the questionnaire no longer accepts answers.
        last_moment = timezone.make_aware(datetime.combine(campaign.ends_on, time.max))
        expires_at = min(expires_at, last_moment)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            campaign=campaign,
            service=service,
            language=language,
            expires_at=expires_at,
        )
        with translation.override(language):
            path = reverse("surveys:invitation", args=[invitation.token])
        context = {
            "prefecture": prefecture,
            "service": service,
            "url": settings.SITE_URL + path,
            "expires_at": invitation.expires_at,
        }
        try:
            outbox.queue_mail(
                "surveys/mail/invitation",
                context,
                [email],
                prefecture=prefecture,
                record=invitation,
                purpose="surveys.invitation",
                language=language,
            )
        except outbox.OutboxError as exc:
            raise SurveyError(str(exc)) from exc
    return invitation


def claim_invitation(token: str) -> Invitation:
    """Mark an invitation used (conditional update: a link answers once)."""
    changed = Invitation.objects.filter(
        token=token, used_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    if changed != 1:
        raise SurveyError("Ce lien a déjà servi ou a expiré.")
    return Invitation.objects.select_related("campaign", "service").get(token=token)


# Housekeeping -----------------------------------------------------------------------------


def purge_expired() -> dict[str, int]:
    """Daily: drop used or expired invitations, set-aside comments, and old comment texts."""
    now = timezone.now()
    invitations, _ = Invitation.objects.filter(expires_at__lt=now).delete()
    hidden, _ = Comment.objects.filter(
        status=CommentStatus.HIDDEN, reviewed_at__lt=now - HIDDEN_COMMENT_RETENTION
    ).delete()
    old, _ = Comment.objects.filter(
        response__answered_on__lt=(now - COMMENT_RETENTION).date()
    ).delete()
    return {"invitations": invitations, "hidden_comments": hidden, "old_comments": old}
