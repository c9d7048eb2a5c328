"""Waits for missing documents.

An agent may ask for missing documents: the message waits (status "waiting"), the clock
stops (docs/indicators.md), the person has 8 calendar days (seed 001), indicative: she may
ask for more time from the follow page (a reason, a date up to the prefecture's limit) and
an agent may grant more. She is reminded two days before the end. The message resumes when
the documents arrive; past the end nothing closes by itself (our letter promises "votre
dossier ne sera pas classé sans que nous ayons pris en compte votre situation"): the wait
goes to the "délai dépassé" list, the clock still stopped, until an agent closes the
message without answer (with the closing letter) or extends the wait.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from engagements import states, waits, words
from engagements.calendar.workdays import calendar_for
from engagements.shell import hooks

from ..enums import MESSAGE_TRANSITIONS, ClosedReason, EventKind, Status
from ..models import Attachment, DocumentRequest, Message, MessageEvent
from .follow import follow_url
from .messages import RegisterError, add_attachment, log_event, mail_sender

DOCUMENTS_REQUEST_PURPOSE = "correspondence.documents_request"
DOCUMENTS_REMINDER_PURPOSE = "correspondence.documents_reminder"
DOCUMENTS_RECEIVED_PURPOSE = "correspondence.documents_received"
DOCUMENTS_CLOSED_PURPOSE = "correspondence.documents_closed"
DOCUMENTS_EXTENDED_PURPOSE = "correspondence.documents_extended"
# An agent may grant up to a year from today; the person, the prefecture's limit.
AGENT_EXTENSION_MAX_DAYS = waits.AGENT_EXTENSION_MAX_DAYS


class FollowError(RegisterError):
    """A refused follow-up operation (French message, shown as is)."""


_MESSAGE = {"table": MESSAGE_TRANSITIONS, "log_model": MessageEvent, "error": FollowError}


# --- Missing documents -----------------------------------------------------------------


def pending_request(message: Message) -> DocumentRequest | None:
    return message.document_requests.filter(received_on__isnull=True, closed=False).first()


def _mail(message: Message, prefix: str, purpose: str, **context) -> None:
    """Queue a mail to the person when there is an address; an unusable one is noted."""
    if not message.sender_email:
        return
    context.update(
        message=message,
        prefecture=message.prefecture,
        service=message.service,
        site=message.site,
        follow_url=follow_url(message),
    )
    mail_sender(message, prefix, context, purpose=purpose, failure="Courriel à l'usager")


def request_documents(
    message: Message, *, actor, documents: str, requested_on: date | None = None
) -> DocumentRequest:
    """Ask for missing documents: the message waits, the person has 8 calendar days."""
    documents = "\n".join(line.strip() for line in documents.strip().splitlines() if line.strip())
    if not documents:
        raise FollowError("Indiquez les pièces manquantes, une par ligne.")
    requested_on = requested_on or timezone.localdate()
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if not (message.sender_email or message.sender_address):
            raise FollowError("Pas de courriel ni d'adresse pour cet usager : demande impossible.")
        if requested_on < message.received_on or requested_on > timezone.localdate():
            raise FollowError("La date de la demande doit être entre la réception et aujourd'hui.")
        states.transition(
            message,
            Status.WAITING,
            **_MESSAGE,
            actor=actor,
            subject=f"Le message {message.reference}",
            message=message,
            kind=EventKind.DOCUMENTS_REQUESTED,
            text=f"Pièces demandées le {requested_on:%d/%m/%Y} : "
            + " ; ".join(documents.splitlines()),
        )
        # A wait left pending by a path that closed the message (merge) ends here.
        message.document_requests.filter(received_on__isnull=True, closed=False).update(closed=True)
        wait = DocumentRequest.objects.create(
            message=message,
            requested_on=requested_on,
            ends_on=requested_on + timedelta(days=DocumentRequest.DAYS),
            documents=documents,
            requested_by=actor,
        )
        _mail(message, "documents_request", DOCUMENTS_REQUEST_PURPOSE, wait=wait)
        hooks.period_touched(message.prefecture, {message.received_on})
    return wait


def _end_wait(message: Message, wait: DocumentRequest, received_on: date, actor, how: str):
    """Documents received: count the wait, move the due date, resume, acknowledge."""
    if received_on < wait.requested_on:
        raise FollowError("Les pièces ne peuvent pas être reçues avant d'avoir été demandées.")
    calendar = calendar_for(message.prefecture, message.site)
    # Only a request made in time stops the clock: a late message stays late.
    late_request = wait.requested_on > message.due_on
    waited = 0 if late_request else calendar.working_days_between(wait.requested_on, received_on)
    wait.received_on = received_on
    wait.waited_days = waited
    wait.save(update_fields=["received_on", "waited_days"])
    message.waited_days += waited
    message.due_on = calendar.add_working_days(message.due_on, waited)
    states.transition(
        message,
        Status.ASSIGNED if message.assigned_to_id else Status.NEW,
        **_MESSAGE,
        actor=actor,
        update_fields=["waited_days", "due_on"],
        subject=f"Le message {message.reference}",
        message=message,
        kind=EventKind.DOCUMENTS_RECEIVED,
        text=(
            f"Pièces reçues le {received_on:%d/%m/%Y} ({how}) : demandées après l'échéance, "
            f"le délai n'a pas été suspendu (échéance du {message.due_on:%d/%m/%Y})"
            if late_request
            else f"Pièces reçues le {received_on:%d/%m/%Y} ({how}) : {waited} jour"
            f"{'s' if waited > 1 else ''} ouvré{'s' if waited > 1 else ''} d'attente hors délai, "
            f"nouvelle échéance le {message.due_on:%d/%m/%Y}"
        ),
    )
    _mail(message, "documents_received", DOCUMENTS_RECEIVED_PURPOSE, wait=wait, resumed=True)
    hooks.period_touched(message.prefecture, {message.received_on})


def record_documents_received(
    message: Message, *, actor, received_on: date | None = None, note: str = ""
) -> DocumentRequest:
    """An agent records documents received by post, at the counter or by e-mail."""
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise FollowError("La date de réception ne peut pas être dans le futur.")
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        wait = pending_request(message)
        if message.status != Status.WAITING or wait is None:
            raise FollowError(f"Le message {message.reference} n'attend pas de pièces.")
        how = "enregistrées par " + words.person(actor)
        _end_wait(message, wait, received_on, actor, f"{how}{' — ' + note if note else ''}")
    return wait


def add_document_from_person(message: Message, upload: UploadedFile) -> Attachment:
    """A document added by the person on the follow page; ends a wait for documents."""
    today = timezone.localdate()
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.status == Status.CLOSED or message.purged_at is not None:
            raise FollowError("Cette demande est close : contactez le service.")
        attachment = add_attachment(message, upload)
        log_event(message, EventKind.DOCUMENT_ADDED, text=attachment.name)
        wait = pending_request(message)
        if message.status == Status.WAITING and wait is not None:
            _end_wait(message, wait, today, None, "déposées par l'usager")
        else:
            _mail(message, "documents_received", DOCUMENTS_RECEIVED_PURPOSE, resumed=False)
    return attachment


def extension_limit(wait: DocumentRequest) -> date:
    """The latest date the person may ask for herself (the prefecture's setting)."""
    from ..models import RegisterSettings

    days = RegisterSettings.for_prefecture(wait.message.prefecture).extension_max_days
    return wait.first_ends_on + timedelta(days=days)


def can_ask_for_more_time(wait: DocumentRequest | None) -> bool:
    """The person asks once, while the limit is ahead; after that, the agent decides."""
    return wait is not None and waits.person_may_ask(
        pending=wait.pending, asked_on=wait.extension_asked_on, limit=extension_limit(wait)
    )


def earliest_new_end(wait: DocumentRequest) -> date:
    """The first date the person may choose: after the current end, and not in the past."""
    return waits.earliest_new_end(wait.ends_on)


def _extend(message: Message, wait: DocumentRequest, until: date, reason: str, actor, who: str):
    previous = wait.ends_on
    wait.save(update_fields=waits.apply_extension(wait, until, reason, by_person=actor is None))
    log_event(
        message,
        EventKind.DOCUMENTS_EXTENDED,
        actor=actor,
        text=(
            f"Délai complémentaire {who} : pièces attendues jusqu'au {until:%d/%m/%Y} "
            f"(au lieu du {previous:%d/%m/%Y}). Motif : {reason}"
        ),
    )
    _mail(
        message, "documents_extended", DOCUMENTS_EXTENDED_PURPOSE, wait=wait, by_agent=bool(actor)
    )


def _locked_wait(message: Message) -> tuple[Message, DocumentRequest]:
    message = Message.objects.select_for_update().get(pk=message.pk)
    wait = pending_request(message)
    if message.status != Status.WAITING or wait is None:
        raise FollowError(f"Le message {message.reference} n'attend pas de pièces.")
    return message, wait


def ask_for_more_time(message: Message, *, until: date, reason: str) -> DocumentRequest:
    """The person asks for more time from the follow page: granted up to the limit."""
    reason = reason.strip()
    if not reason:
        raise FollowError("Indiquez pourquoi vous avez besoin de plus de temps.")
    with transaction.atomic():
        message, wait = _locked_wait(message)
        if wait.extension_asked_on is not None:
            raise FollowError(
                "Vous avez déjà demandé un délai complémentaire : contactez le service."
            )
        try:
            waits.check_person_date(until, ends_on=wait.ends_on, limit=extension_limit(wait))
        except waits.WaitDateError as exc:
            raise FollowError(str(exc)) from None
        _extend(message, wait, until, reason, None, "demandé par l'usager")
    return wait


def extend_documents_wait(
    message: Message, *, actor, until: date, reason: str = ""
) -> DocumentRequest:
    """An agent grants more time (beyond the person's limit if need be), overdue or not."""
    try:
        waits.check_agent_date(until)
    except waits.WaitDateError as exc:
        raise FollowError(str(exc)) from None
    with transaction.atomic():
        message, wait = _locked_wait(message)
        _extend(message, wait, until, reason.strip() or "accordé par le service", actor, "accordé")
    return wait


def close_for_missing_documents(message: Message, *, actor, note: str = "") -> DocumentRequest:
    """An agent closes a message whose documents never came: closed without answer, the
    person gets the closing letter (by e-mail; the PDF for the others)."""
    today = timezone.localdate()
    with transaction.atomic():
        message, wait = _locked_wait(message)
        wait.closed = True
        wait.save(update_fields=["closed"])
        message.closed_reason = ClosedReason.NO_DOCUMENTS
        message.closed_on = today
        states.transition(
            message,
            Status.CLOSED,
            **_MESSAGE,
            actor=actor,
            update_fields=["closed_reason", "closed_on"],
            subject=f"Le message {message.reference}",
            message=message,
            kind=EventKind.CLOSED,
            text=" — ".join(
                p
                for p in (
                    f"{ClosedReason.NO_DOCUMENTS.label} — demandées le "
                    f"{wait.requested_on:%d/%m/%Y}, attendues jusqu'au {wait.ends_on:%d/%m/%Y}",
                    note.strip(),
                )
                if p
            ),
        )
        _mail(message, "documents_closed", DOCUMENTS_CLOSED_PURPOSE, wait=wait)
        hooks.period_touched(message.prefecture, {message.received_on})
    return wait


def overdue_waits(messages):
    """The "délai dépassé" list: waits past their end, awaiting an agent's decision."""
    return (
        DocumentRequest.objects.filter(
            message__in=messages,
            message__status=Status.WAITING,
            received_on__isnull=True,
            closed=False,
            overdue_on__isnull=False,
        )
        .select_related("message__service", "message__site")
        .order_by("overdue_on", "pk")
    )


def remind_and_flag_waits(*, today: date | None = None) -> dict[str, int]:
    """Daily job: remind two days before the end; past the end, list the wait "délai
    dépassé" for an agent to decide (nothing closes by itself, the clock stays stopped)."""
    today = today or timezone.localdate()
    reminded = overdue = 0
    pending = DocumentRequest.objects.filter(
        received_on__isnull=True,
        closed=False,
        overdue_on__isnull=True,
        message__status=Status.WAITING,
    ).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            wait = DocumentRequest.objects.select_for_update().select_related("message").get(pk=pk)
            message = Message.objects.select_for_update().get(pk=wait.message_id)
            if not wait.pending or message.status != Status.WAITING or wait.overdue_on:
                continue
            step = waits.daily_step(wait, today)
            if step == waits.OVERDUE:
                log_event(
                    message,
                    EventKind.DOCUMENTS_OVERDUE,
                    text=(
                        f"Pièces attendues jusqu'au {wait.ends_on:%d/%m/%Y} non reçues : "
                        "à clore ou à prolonger par un agent (délai dépassé)"
                    ),
                )
                overdue += 1
            elif step == waits.REMIND:
                log_event(
                    message,
                    EventKind.DOCUMENTS_REMINDED,
                    text=f"Relance envoyée, pièces attendues jusqu'au {wait.ends_on:%d/%m/%Y}",
                )
                _mail(message, "documents_reminder", DOCUMENTS_REMINDER_PURPOSE, wait=wait)
                reminded += 1
    return {"reminded": reminded, "overdue": overdue}
