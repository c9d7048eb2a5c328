"""Writes on the register: create (gapless reference), assign, answer, close, duplicates."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from functools import partial

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from engagements import states, words
from engagements.calendar.stored import ensure_calendars
from engagements.calendar.workdays import calendar_for, due_for
from engagements.organisation import references
from engagements.organisation.access import Access
from engagements.organisation.enums import Channel
from engagements.organisation.models import Prefecture, Service, Site
from engagements.outbox import services as outbox
from engagements.shell import hooks

from .. import placeholders
from ..enums import (
    MESSAGE_TRANSITIONS,
    AnswerChannel,
    ClosedReason,
    EventKind,
    Kind,
    Status,
    TemplatePurpose,
)
from ..models import (
    Answer,
    Attachment,
    IngestedMail,
    Mailbox,
    Message,
    MessageEvent,
    RegisterSettings,
    TemplateVersion,
    Topic,
)
from .follow import follow_url

logger = logging.getLogger(__name__)

# Purposes of the outbox deliveries of the register (the signal receivers filter on them).
ACKNOWLEDGEMENT_PURPOSE = "correspondence.acknowledgement"
ANSWER_PURPOSE = "correspondence.answer"
DUE_ALERT_PURPOSE = "correspondence.due_alert"


class RegisterError(Exception):
    """A refused operation on the register; the message is shown to the agent as is."""


# Status changes of a message: engagements.states.transition with these (table in enums).
class UnfinishedAnswer(RegisterError):
    """An answer that still holds a placeholder or a bracketed instruction of its template."""


_MESSAGE = {"table": MESSAGE_TRANSITIONS, "log_model": MessageEvent, "error": RegisterError}


def log_event(message: Message, kind: str, *, actor=None, text: str = "") -> MessageEvent:
    return MessageEvent.objects.create(message=message, kind=kind, actor=actor, text=text)


# The due date (N-th working day after receipt, N the channel's deadline): the calendar's.
compute_due = due_for


def allocate_reference(prefecture: Prefecture, year: int) -> str:
    """Next `YYYY-NNNNNN` of the prefecture; call inside the transaction that inserts the
    message (gapless: `engagements.organisation.references`)."""
    return f"{year}-{references.next_number(prefecture, references.MESSAGES, year):06d}"


def find_suspected_duplicate(message: Message) -> Message | None:
    """Same sender, similar subject, within the duplicate window of working days (seed 001)."""
    if not (message.sender_email or message.sender_name):
        return None
    register = RegisterSettings.for_prefecture(message.prefecture)
    calendar = calendar_for(message.prefecture, message.site)
    # Go back day by day until `duplicate_window` working days are covered.
    start, counted = message.received_on, 0
    while counted < register.duplicate_window:
        start -= timedelta(days=1)
        if calendar.is_working_day(start):
            counted += 1
    # The e-mail address identifies a person; the name only when there is no address.
    if message.sender_email:
        same_sender = Q(sender_email__iexact=message.sender_email)
    else:
        same_sender = Q(sender_name__iexact=message.sender_name, sender_email="")
    candidates = (
        Message.objects.filter(prefecture=message.prefecture, received_on__gte=start)
        .filter(same_sender)
        .exclude(pk=message.pk)
        .exclude(status=Status.CLOSED, closed_reason=ClosedReason.DUPLICATE)
        .order_by("received_on", "pk")
    )
    for candidate in candidates:
        if subjects_similar(candidate.subject, message.subject):
            return candidate
    return None


def _words(text: str) -> set[str]:
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    plain = re.sub(r"^((re|tr|fwd?)\s*:\s*)+", "", plain)
    return {w for w in re.findall(r"[a-z0-9]+", plain) if len(w) > 2}


def subjects_similar(a: str, b: str) -> bool:
    """Jaccard similarity of the significant words ≥ 0.5 (or both subjects empty)."""
    wa, wb = _words(a), _words(b)
    if not wa and not wb:
        return True
    if not wa or not wb:
        return False
    return len(wa & wb) / len(wa | wb) >= 0.5


def create_message(
    prefecture: Prefecture,
    *,
    site: Site,
    channel: str,
    kind: str,
    received_on: date,
    actor=None,
    service: Service | None = None,
    topic: Topic | None = None,
    sender_name: str = "",
    sender_email: str = "",
    sender_address: str = "",
    sender_phone: str = "",
    subject: str = "",
    body: str = "",
    language: str = "fr",
    attachments: list[UploadedFile] | None = None,
    mailbox: Mailbox | None = None,
    email_message_id: str = "",
    acknowledge: bool = True,
    social_account: str = "",
) -> Message:
    """Register an incoming message with its reference and due date; acknowledge it."""
    if site.prefecture_id != prefecture.pk:
        raise RegisterError("Ce site n'appartient pas à la préfecture.")
    if service is not None and service.site_id != site.pk:
        raise RegisterError("Ce service n'appartient pas au site choisi.")
    if topic is not None and topic.prefecture_id != prefecture.pk:
        raise RegisterError("Ce thème n'appartient pas à la préfecture.")
    if channel not in Channel.values or kind not in Kind.values:
        raise RegisterError("Canal ou nature inconnus.")
    if not (sender_email or sender_address or sender_phone) and channel in (
        Channel.EMAIL,
        Channel.WEB_FORM,
    ):
        raise RegisterError(
            "Indiquez au moins un moyen de répondre (courriel, adresse, téléphone)."
        )
    due = compute_due(prefecture, site, channel, received_on, kind=kind)
    ensure_calendars(prefecture, received_on)  # the figures' stored calendars reach it
    message = Message(
        prefecture=prefecture,
        year=received_on.year,
        site=site,
        service=service,
        channel=channel,
        kind=kind,
        topic=topic,
        sender_name=sender_name.strip(),
        sender_email=sender_email.strip(),
        sender_address=sender_address.strip(),
        sender_phone=sender_phone.strip(),
        subject=subject.strip()[:300],
        body=body,
        language=language,
        social_account=social_account.strip()[:200] if channel == Channel.SOCIAL else "",
        received_on=received_on,
        deadline_days=due.deadline_days,
        due_on=due.due_on,
        mailbox=mailbox,
        email_message_id=email_message_id[:300],
    )
    # Looked up before taking the counter's lock, to keep the locked section short.
    message.suspected_duplicate_of = find_suspected_duplicate(message)
    with transaction.atomic():
        message.reference = allocate_reference(prefecture, received_on.year)
        message.save(force_insert=True)
        MessageEvent.objects.create(
            message=message, actor=actor, kind=EventKind.CREATED, to_status=Status.NEW
        )
        if message.suspected_duplicate_of is not None:
            log_event(
                message,
                EventKind.DUPLICATE_FLAGGED,
                text=f"Doublon possible de {message.suspected_duplicate_of}",
            )
        for upload in attachments or []:
            add_attachment(message, upload)
        wants_mail = channel in (Channel.EMAIL, Channel.WEB_FORM, Channel.SP_PLUS)
        if acknowledge and wants_mail and message.sender_email:
            queue_acknowledgement(message)
        hooks.period_touched(prefecture, {received_on})
    return message


def add_attachment(message: Message, upload: UploadedFile, *, name: str = "") -> Attachment:
    return Attachment.objects.create(
        message=message,
        file=upload,
        name=(name or upload.name)[:200],
        content_type=getattr(upload, "content_type", "") or "application/octet-stream",
        size=upload.size,
    )


def published_version(
    prefecture: Prefecture, purpose: str, channel: str, service: Service | None
) -> TemplateVersion | None:
    """The published version for a purpose, the service's own before the prefecture's."""
    versions = TemplateVersion.objects.filter(
        template__prefecture=prefecture,
        template__purpose=purpose,
        template__channel=channel,
        status="published",
    ).select_related("template")
    if service is not None:
        own = versions.filter(template__service=service).first()
        if own:
            return own
    return versions.filter(template__service__isnull=True).first()


def queue_acknowledgement(message: Message):
    """Queue the acknowledgement (reference, receipt, service and contact, due date) in the
    caller's transaction; `acknowledged_at` is set once the mail is actually sent (see
    receivers.py). An address the mail server could not take is noted, not raised: the
    message itself is registered."""
    version = published_version(
        message.prefecture, TemplatePurpose.ACKNOWLEDGEMENT, AnswerChannel.EMAIL, message.service
    )
    values = placeholders.values_for(message, today=message.received_on)
    context = {
        "follow_url": follow_url(message),
        "message": message,
        "prefecture": message.prefecture,
        "service": message.service,
        "site": message.site,
        "contact": values["service_coordonnees"],
        # The prefecture's published wording is written in French: a person who wrote in
        # another language gets the catalogue's wording in that language.
        "template_text": placeholders.fill(version.body, values)
        if version and (message.language or "fr") == "fr"
        else "",
    }
    headers = {}
    if message.email_message_id:
        headers = {
            "In-Reply-To": message.email_message_id,
            "References": message.email_message_id,
        }
    return mail_sender(
        message,
        "acknowledgement",
        context,
        purpose=ACKNOWLEDGEMENT_PURPOSE,
        failure="Accusé de réception",
        headers=headers,
    )


def mail_sender(
    message: Message, prefix: str, context: dict, *, purpose: str, failure: str, headers=None
):
    """Queue the mail `correspondence/mail/<prefix>` to the message's sender, in his language,
    replies going to the service. An address the mail server cannot take is noted in the
    history ("<failure> : <reason>"), not raised: returns None then."""
    reply_to = [message.service.email] if message.service and message.service.email else None
    try:
        return outbox.queue_mail(
            f"correspondence/mail/{prefix}",
            context,
            [message.sender_email],
            prefecture=message.prefecture,
            record=message,
            purpose=purpose,
            headers=headers,
            reply_to=reply_to,
            language=message.language,
        )
    except outbox.OutboxError as exc:
        log_event(message, EventKind.DELIVERY_FAILED, text=f"{failure} : {exc}")
        return None


def assign_message(message: Message, *, agent, actor) -> Message:
    """Give a message to an agent (new or reassigned)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        _check_assignee([message], agent)
        _assign(message, agent, actor)
    return message


def _check_assignee(messages: list[Message], agent) -> None:
    """An agent is given only messages he may work on: one of another site or service would
    leave his list and everyone else's "non attribués" while he could not even open it."""
    if not messages:
        return
    prefecture = messages[0].prefecture
    access = Access.for_user(agent)
    if access.can(prefecture, "work"):
        ids = [m.pk for m in messages]
        seen = set(
            access.scope(Message.objects.filter(pk__in=ids), prefecture).values_list(
                "pk", flat=True
            )
        )
    else:
        seen = set()
    outside = [m.reference for m in messages if m.pk not in seen]
    if outside:
        raise RegisterError(
            f"{words.person(agent)} ne traite pas les messages de ce service ou de ce site "
            f"({', '.join(outside)}) : rien n'a été attribué."
        )


def _assign(message: Message, agent, actor) -> None:
    message.assigned_to = agent
    states.transition(
        message,
        Status.ASSIGNED,
        **_MESSAGE,
        actor=actor,
        update_fields=["assigned_to"],
        subject=f"Le message {message.reference}",
        message=message,
        kind=EventKind.ASSIGNED,
        text=words.person(agent),
    )


def assign_messages(messages, *, agent, actor) -> int:
    """Bulk assignment from the worklist; open messages only, each with its log row."""
    count = 0
    with transaction.atomic():
        chosen = list(messages.select_for_update().filter(status__in=[Status.NEW, Status.ASSIGNED]))
        _check_assignee(chosen, agent)
        for message in chosen:
            _assign(message, agent, actor)
            count += 1
    return count


def answer_message(
    message: Message,
    *,
    actor,
    subject: str,
    text: str,
    channel: str,
    template_version: TemplateVersion | None = None,
    answered_on: date | None = None,
    send: bool = True,
) -> Answer:
    """Record the answer (date and text kept) and send it by e-mail, threaded, when asked."""
    if not text.strip():
        raise RegisterError("La réponse est vide.")
    unfinished = placeholders.unfinished_error(subject, text)
    if unfinished:
        raise UnfinishedAnswer(unfinished)
    text = placeholders.fix_salutation(text)
    if not (message.sender_email or message.sender_address):
        # Each channel's refusal below sent the agent to the other one.
        raise RegisterError(
            "L'usager n'a donné ni courriel ni adresse postale : aucune réponse écrite ne peut "
            "lui parvenir."
        )
    if channel == AnswerChannel.EMAIL and not message.sender_email:
        raise RegisterError("Pas de courriel pour cet usager : produisez un courrier.")
    if channel == AnswerChannel.LETTER and not message.sender_address:
        raise RegisterError("Pas d'adresse postale pour cet usager : répondez par courriel.")
    answered_on = answered_on or timezone.localdate()
    if template_version is not None:
        template = template_version.template
        missing = placeholders.missing_blocks(
            template.channel, template_version.subject, template_version.body
        )
        if missing:
            raise RegisterError(
                f"Le modèle « {template.name} » ne peut pas servir à répondre : il lui manque "
                + ", ".join(f"le bloc « {name} »" for name in missing)
                + ". Faites-le compléter dans la bibliothèque de modèles."
            )
    first, last, title = placeholders.signatory_of(actor, message.prefecture)
    values = placeholders.values_for(message, signatory=actor, today=answered_on)
    values["objet"] = subject.strip()
    refusal = placeholders.outgoing_error(channel, values)
    if refusal:
        raise RegisterError(refusal)
    if answered_on < message.received_on:
        raise RegisterError("La date de réponse précède la date de réception.")
    if answered_on > timezone.localdate():
        raise RegisterError("La date de réponse ne peut pas être dans le futur.")
    ensure_calendars(message.prefecture, answered_on, answered_on)
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        subject = subject.strip()[:300]
        if message.answered_on is None:
            message.answered_on = answered_on
        if message.assigned_to_id is None:
            message.assigned_to = actor
        states.transition(
            message,
            Status.ANSWERED,
            **_MESSAGE,
            actor=actor,
            update_fields=["answered_on", "assigned_to"],
            subject=f"Le message {message.reference}",
            message=message,
            kind=EventKind.ANSWERED,
            text=f"{AnswerChannel(channel).label} — {subject}",
        )
        answer = Answer.objects.create(
            message=message,
            channel=channel,
            answered_on=answered_on,
            subject=subject,
            text=text,
            template_version=template_version,
            author=actor,
            signatory=" ".join(p for p in (first, last) if p) or words.person(actor),
            signatory_title=title,
        )
        if send and channel == AnswerChannel.EMAIL:
            try:
                _queue_answer(answer)
            except outbox.OutboxError as exc:
                raise RegisterError(str(exc)) from exc
        hooks.period_touched(message.prefecture, {message.received_on})
    return answer


def _queue_answer(answer: Answer) -> None:
    """Queue an answer's mail, threaded with In-Reply-To/References on the person's message;
    its `sent_at` is set once the mail is actually sent (see receivers.py)."""
    message = answer.message
    # Thread on the person's first mail and on our earlier answers.
    earlier = message.answers.exclude(pk=answer.pk).exclude(email_message_id="")
    thread = [m for m in (message.email_message_id,) if m] + list(
        earlier.order_by("created_at").values_list("email_message_id", flat=True)
    )
    headers = {}
    if thread:
        headers = {"In-Reply-To": thread[-1], "References": " ".join(thread)}
    reply_to = [message.service.email] if message.service and message.service.email else None
    delivery = outbox.queue_mail(
        "correspondence/mail/answer",
        {"answer": answer, "message": message, "prefecture": message.prefecture},
        [message.sender_email],
        prefecture=message.prefecture,
        record=answer,
        purpose=ANSWER_PURPOSE,
        headers=headers,
        reply_to=reply_to,
        language=message.language,
    )
    Answer.objects.filter(pk=answer.pk).update(email_message_id=delivery.message_id)
    answer.email_message_id = delivery.message_id


def close_message(message: Message, *, reason: str, actor, note: str = "") -> Message:
    """Close without answer (duplicate, spam, withdrawn, forwarded): excluded from figures."""
    if reason not in ClosedReason.values:
        raise RegisterError("Choisissez un motif de clôture.")
    if reason == ClosedReason.NO_DOCUMENTS:
        # Only the wait for documents closes for that reason, with the closing letter that
        # tells the person (missing_documents.close_for_missing_documents).
        raise RegisterError(
            "« Pièces non reçues » : demandez d'abord les pièces ; si elles n'arrivent pas, "
            "clôturez avec « Clore : pièces non reçues », qui envoie le courrier de clôture "
            "à l'usager."
        )
    if reason == ClosedReason.FORWARDED and not note.strip():
        # The person is told where his request went (code des relations entre le public et
        # l'administration, art. L114-2): the mail names it.
        raise RegisterError(
            "« Transmis à une autre administration » : indiquez laquelle dans « Précision » ; "
            "l'usager en est avisé."
        )
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        message.closed_reason = reason
        message.closed_on = timezone.localdate()
        message.forwarded_to = note.strip()[:300] if reason == ClosedReason.FORWARDED else ""
        states.transition(
            message,
            Status.CLOSED,
            **_MESSAGE,
            actor=actor,
            update_fields=["closed_reason", "closed_on", "forwarded_to"],
            subject=f"Le message {message.reference}",
            message=message,
            kind=EventKind.CLOSED,
            text=" — ".join(p for p in (ClosedReason(reason).label, note) if p),
        )
        # Closed while documents were awaited: that wait ends without them.
        message.document_requests.filter(received_on__isnull=True, closed=False).update(closed=True)
        if reason == ClosedReason.FORWARDED:
            _queue_forwarded(message, recipient=note.strip())
        hooks.period_touched(message.prefecture, {message.received_on})
    return message


FORWARDED_PURPOSE = "correspondence.forwarded"


def _queue_forwarded(message: Message, *, recipient: str) -> None:
    """Tell the person his request went to another administration, and which (L114-2).
    Without an e-mail address, the agent's page says to tell him by post."""
    if not message.sender_email:
        return
    mail_sender(
        message,
        "forwarded",
        {"message": message, "prefecture": message.prefecture, "recipient": recipient},
        purpose=FORWARDED_PURPOSE,
        failure="Avis de transmission",
    )


def forwarded_to(message: Message) -> str:
    """The administration a message closed as forwarded went to, as the agent named it when
    closing ("" when it was not forwarded, or was reopened since)."""
    if message.status != Status.CLOSED or message.closed_reason != ClosedReason.FORWARDED:
        return ""
    return message.forwarded_to


def reopen_message(message: Message, *, actor) -> Message:
    """Reopen a message closed by mistake."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        states.check(
            message, Status.NEW, table=MESSAGE_TRANSITIONS, error=RegisterError,
            subject=f"Le message {message.reference}",
        )  # fmt: skip
        message.closed_reason = ""
        message.closed_on = None
        message.forwarded_to = ""
        message.duplicate_of = None
        states.transition(
            message,
            Status.ASSIGNED if message.assigned_to_id else Status.NEW,
            **_MESSAGE,
            actor=actor,
            update_fields=["closed_reason", "closed_on", "forwarded_to", "duplicate_of"],
            subject=f"Le message {message.reference}",
            message=message,
            kind=EventKind.REOPENED,
        )
        hooks.period_touched(message.prefecture, {message.received_on})
    return message


def comment_message(message: Message, *, actor, text: str) -> MessageEvent:
    """An internal comment (never sent to the person)."""
    if not text.strip():
        raise RegisterError("Le commentaire est vide.")
    return log_event(message, EventKind.COMMENT, actor=actor, text=text.strip())


def link_duplicate(message: Message, *, original: Message, actor) -> Message:
    """Mark a message as related to an earlier one; both stay open."""
    if original.pk == message.pk or original.prefecture_id != message.prefecture_id:
        raise RegisterError("Choisissez un autre message de la préfecture.")
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            duplicate_of=original, suspected_duplicate_of=None
        )
        log_event(message, EventKind.LINKED, actor=actor, text=f"Lié à {original.reference}")
        log_event(original, EventKind.LINKED, actor=actor, text=f"Lié à {message.reference}")
    message.refresh_from_db()
    return message


def merge_duplicate(message: Message, *, original: Message, actor) -> Message:
    """Fold a duplicate into the original: its attachments move, it closes as duplicate."""
    if original.pk == message.pk or original.prefecture_id != message.prefecture_id:
        raise RegisterError("Choisissez un autre message de la préfecture.")
    if not original.is_open and original.status != Status.ANSWERED:
        raise RegisterError(f"Le message {original.reference} est clos : fusion impossible.")
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        message.closed_reason = ClosedReason.DUPLICATE
        message.closed_on = timezone.localdate()
        message.duplicate_of = original
        message.suspected_duplicate_of = None
        states.transition(
            message,
            Status.CLOSED,
            **_MESSAGE,
            actor=actor,
            update_fields=["closed_reason", "closed_on", "duplicate_of", "suspected_duplicate_of"],
            subject=f"Le message {message.reference}",
            message=message,
            kind=EventKind.MERGED,
            text=f"Fusionné dans {original.reference}",
        )
        message.attachments.update(message=original)
        log_event(
            original,
            EventKind.MERGED,
            actor=actor,
            text=f"{message.reference} fusionné ici : {message.subject}\n\n{message.body}".strip(),
        )
        hooks.period_touched(message.prefecture, {message.received_on})
    return message


def dismiss_duplicate(message: Message, *, actor) -> None:
    """The flag was wrong: not a duplicate."""
    Message.objects.filter(pk=message.pk).update(suspected_duplicate_of=None)
    log_event(message, EventKind.UPDATED, actor=actor, text="Signalement de doublon écarté")


# How a reclassification's event starts (kind, topic, service): the register's import reads
# it to leave a classification an agent changed in the product since (`services.imports`).
RECLASSIFIED = ("nature : ", "thème : ", "service : ")


def update_classification(
    message: Message, *, actor, kind: str, topic: Topic | None, service: Service | None
) -> Message:
    """Reclassify (kind, topic, service); the site follows the service."""
    if topic is not None and topic.prefecture_id != message.prefecture_id:
        raise RegisterError("Ce thème n'appartient pas à la préfecture.")
    if service is not None and service.site.prefecture_id != message.prefecture_id:
        raise RegisterError("Ce service n'appartient pas à la préfecture.")
    changes = []
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message.pk)
        deadlines_by_kind = {
            message.prefecture.kind_deadline_for(k) for k in (kind, message.kind)
        } - {None}
        if kind != message.kind:
            changes.append(f"{RECLASSIFIED[0]}{Kind(kind).label}")
            message.kind = kind
        if topic != message.topic:
            changes.append(f"{RECLASSIFIED[1]}{topic or '—'}")
            message.topic = topic
        service_changed = service is not None and service != message.service
        if service_changed:
            changes.append(f"{RECLASSIFIED[2]}{service}")
            message.service = service
            message.site = service.site
        fields = ["kind", "topic", "service", "site", "updated_at"]
        if changes and deadlines_by_kind:
            # A deadline by kind is set (docs/indicators.md): the due date follows the kind.
            _redate(message)
            changes.append(f"échéance : {message.due_on:%d/%m/%Y}")
            fields += ["deadline_days", "due_on"]
        if changes:
            message.save(update_fields=fields)
            was = message.status
            moved_away = _assignee_left_behind(message) if service_changed else ""
            if moved_away:
                changes.append(f"attribution retirée ({moved_away} ne traite pas ce service)")
            # One history row, with the status change when the agent was left behind.
            event = MessageEvent(
                message=message, kind=EventKind.UPDATED, actor=actor, text=" ; ".join(changes)
            )
            if was != message.status:
                event.from_status, event.to_status = was, message.status
            event.save()
            hooks.period_touched(message.prefecture, {message.received_on})
    return message


def _assignee_left_behind(message: Message) -> str:
    """A message sent on to a service its agent does not work on leaves him (he could no
    longer open it, and the new service would not find it among those to give out): no
    one in charge, "new" again when it was "assigned". Returns the former agent's name, or
    "" when he keeps it. An answered message keeps the agent who answered it."""
    agent = message.assigned_to
    if agent is None or message.status == Status.ANSWERED:
        return ""
    try:
        _check_assignee([message], agent)
    except RegisterError:
        pass
    else:
        return ""
    message.assigned_to = None
    if message.status == Status.ASSIGNED:
        states.check(
            message, Status.NEW, table=MESSAGE_TRANSITIONS, error=RegisterError,
            subject=f"Le message {message.reference}",
        )  # fmt: skip
        message.status = Status.NEW
    message.save(update_fields=["assigned_to", "status", "updated_at"])
    return words.person(agent)


def _redate(message: Message) -> None:
    """The due date again from the channel, the kind and the working days already waited
    for missing documents."""
    calendar = calendar_for(message.prefecture, message.site)
    due = compute_due(
        message.prefecture,
        message.site,
        message.channel,
        message.received_on,
        kind=message.kind,
        calendar=calendar,
    )
    message.deadline_days = due.deadline_days
    message.due_on = calendar.add_working_days(due.due_on, message.waited_days)


def acknowledgement_letter_values(message: Message) -> dict:
    return placeholders.values_for(message, today=message.received_on)


def purge_personal_data(*, today: date | None = None) -> int:
    """Blank sender details, bodies, answers' text and attachments after the retention period.

    The rows stay so that counts and figures do not change (indicators.md).
    """
    today = today or timezone.localdate()
    purged = 0
    for prefecture in Prefecture.objects.all():
        years = RegisterSettings.for_prefecture(prefecture).retention_years
        limit = _years_before(today, years)
        closed = Message.objects.filter(prefecture=prefecture, purged_at__isnull=True).filter(
            Q(status=Status.ANSWERED, answered_on__lt=limit)
            | Q(status=Status.CLOSED, closed_on__lt=limit)
        )
        for message in closed.iterator():
            with transaction.atomic():
                purge_message(message)
            purged += 1
    return purged


def purge_message(message: Message) -> None:
    """Blank one message's personal data: sender details, subject and body, the answers'
    texts, attachments (files included), the documents asked for and the reason given for
    more time, event texts and the mails sent about it. The row, its dates and its status
    stay (counts and figures do not change). The one way of the daily purge and of an
    erasure on request; the caller holds the transaction."""
    # The files go once the rows' change is committed: rolled back, it keeps them.
    for attachment in message.attachments.all():
        transaction.on_commit(partial(attachment.file.storage.delete, attachment.file.name))
    message.attachments.all().delete()
    message.answers.update(text="", subject="", email_message_id="")
    # The reason given for more time is the person's (her health, her family).
    message.document_requests.update(documents="", extension_reason="")
    # Event texts may quote the person (replies, comments, addresses mailed to).
    message.events.update(text="")
    IngestedMail.objects.filter(message=message).update(header_message_id="")
    Message.objects.filter(pk=message.pk).update(
        email_message_id="",
        sender_name="",
        sender_email="",
        sender_address="",
        sender_phone="",
        subject="",
        body="",
        forwarded_to="",
        purged_at=timezone.now(),
    )
    log_event(message, EventKind.PURGED)
    # The mails sent about it hold the address and the texts.
    outbox.forget_deliveries(Message, [message.pk])
    outbox.forget_deliveries(Answer, list(message.answers.values_list("pk", flat=True)))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def messages_due_soon(prefecture: Prefecture, today: date):
    """Open messages due within one working day, and late ones."""
    limit = calendar_for(prefecture).add_working_days(today, 1)
    return (
        Message.objects.filter(prefecture=prefecture, status__in=[Status.NEW, Status.ASSIGNED])
        .filter(due_on__lte=limit)
        .select_related("site", "service")
        .order_by("due_on", "pk")
    )


def send_due_alerts(*, today: date | None = None) -> int:
    """Daily mail to each service and to the quality lead: due within a day, and late."""
    from engagements.organisation.enums import RoleKind

    today = today or timezone.localdate()
    sent = 0
    for prefecture in Prefecture.objects.all():
        messages = list(messages_due_soon(prefecture, today))
        if not messages:
            continue
        by_service: dict[int | None, list[Message]] = {}
        for message in messages:
            by_service.setdefault(message.service_id, []).append(message)
        for items in by_service.values():
            service = items[0].service
            if service is None or not service.email:
                continue
            sent += _queue_alert(prefecture, items, [service.email], today, scope=service.name)
        leads = list(
            prefecture.roles.filter(kind=RoleKind.QUALITY_LEAD)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if leads:
            sent += _queue_alert(prefecture, messages, leads, today, scope=prefecture.name)
    return sent


def _queue_alert(prefecture, items, to, today, *, scope) -> int:
    """Queue one alert mail; returns 1 when queued, 0 when its address is unusable."""
    from django.conf import settings

    late = [m for m in items if m.due_on < today]
    soon = [m for m in items if m.due_on >= today]
    try:
        with transaction.atomic():
            outbox.queue_mail(
                "correspondence/mail/due_alert",
                {
                    "prefecture": prefecture,
                    "scope": scope,
                    "late": late,
                    "soon": soon,
                    "today": today,
                    "SITE_URL": settings.SITE_URL,
                },
                to,
                prefecture=prefecture,
                purpose=DUE_ALERT_PURPOSE,
                language="fr",
            )
    except outbox.OutboxError:
        logger.warning("due alert not queued", extra={"scope": scope, "to": to})
        return 0
    return 1
