"""Minutes: drafting per agenda item, decisions, observations, approval, publication.

Approved minutes are frozen (models.Minutes.save); a correction is a new version that goes
through approval again, and the public page shows the latest approved version."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from engagements import words
from engagements.outbox.services import queue_mail

from ..enums import MeetingStatus, MinutesKind, MinutesStatus
from ..models import Decision, Meeting, Minutes, MinutesItem, Observation, Seat
from . import documents as meeting_documents
from .meetings import change_status, invitation_recipients, recipients_with_space
from .minutes_approval import schedule_approval


class MinutesError(Exception):
    """A change of the minutes was refused (French message)."""


def _open(minutes: Minutes) -> None:
    if minutes.is_frozen:
        raise MinutesError(
            "Ce relevé a été approuvé : il ne peut plus être modifié. "
            "Créez une nouvelle version pour le corriger."
        )


def start_minutes(meeting: Meeting, *, kind: str = MinutesKind.DECISIONS, actor=None) -> Minutes:
    """Open the first draft of a held meeting's minutes, one section per agenda item."""
    if meeting.status != MeetingStatus.HELD:
        raise MinutesError("Le relevé se rédige une fois la réunion tenue.")
    with transaction.atomic():
        minutes = Minutes.objects.create(meeting=meeting, version=1, kind=kind)
        MinutesItem.objects.bulk_create(
            MinutesItem(minutes=minutes, agenda_item=item) for item in meeting.agenda.all()
        )
        change_status(meeting, MeetingStatus.MINUTES_DRAFTED, actor=actor)
        schedule_approval(minutes)
    return minutes


def save_minutes(
    minutes: Minutes,
    *,
    kind: str,
    introduction: str,
    summary_en: str,
    texts: dict[int, str],
) -> Minutes:
    """Save the draft: its type, introduction, English summary and each item's text."""
    _open(minutes)
    with transaction.atomic():
        minutes.kind, minutes.introduction, minutes.summary_en = kind, introduction, summary_en
        minutes.save(update_fields=["kind", "introduction", "summary_en"])
        for item in minutes.items.all():
            text = texts.get(item.pk)
            if text is not None and text != item.text:
                item.text = text
                item.save(update_fields=["text"])
    return minutes


def add_decision(minutes: Minutes, *, kind: str, text: str, agenda_item=None) -> Decision:
    """Record a decision (avis, validation, action to take) in the draft."""
    _open(minutes)
    if agenda_item is not None and agenda_item.meeting_id != minutes.meeting_id:
        raise MinutesError("Ce point n'est pas à l'ordre du jour de cette réunion.")
    with transaction.atomic():
        last = minutes.decisions.aggregate(m=Max("position"))["m"] or 0
        return Decision.objects.create(
            minutes=minutes, kind=kind, text=text, agenda_item=agenda_item, position=last + 1
        )


def remove_decision(decision: Decision) -> None:
    """Take a decision out of a draft."""
    _open(decision.minutes)
    with transaction.atomic():
        decision.delete()


def send_for_observations(minutes: Minutes, *, days: int = 15, pdf: bytes | None = None) -> int:
    """E-mail the draft to the members for observations; returns the number of e-mails."""
    _open(minutes)
    meeting = minutes.meeting
    prefecture = meeting.committee.prefecture
    with transaction.atomic():
        recipients = invitation_recipients(meeting)
        if not recipients:
            raise MinutesError("Aucun membre n'a d'adresse électronique.")
        # Sent again (corrected after observations): the mail says which sending it replaces.
        previous_sent_at = minutes.sent_at
        minutes.status = MinutesStatus.SENT
        minutes.sent_at = timezone.now()
        minutes.observations_until = timezone.localdate() + timedelta(days=days)
        minutes.save(update_fields=["status", "sent_at", "observations_until"])
        context = {
            "minutes": minutes,
            "meeting": meeting,
            "prefecture": prefecture,
            "url": settings.SITE_URL
            + reverse("committee:members-minutes-pdf", args=[prefecture.slug, meeting.pk]),
            "documents": meeting_documents.for_members(meeting),
            "approval_meeting": approval_meeting(minutes),
            "previous_sent_at": previous_sent_at,
            "kept_observations": minutes.observations.count() if previous_sent_at else 0,
        }
        # Named after what it is: "projet-de-compte-rendu.pdf" for full minutes.
        name = "projet-de-releve.pdf"
        if minutes.kind == MinutesKind.FULL:
            name = "projet-de-compte-rendu.pdf"
        attachments = [(name, pdf, "application/pdf")] if pdf else None
        with_space = recipients_with_space(meeting)
        for email in recipients:
            queue_mail(
                "committee/mail/minutes_draft",
                {**context, "has_space": email in with_space},
                [email],
                prefecture=prefecture,
                record=minutes,
                purpose="committee-minutes-draft",
                reply_to=[prefecture.email] if prefecture.email else None,
                attachments=attachments,
            )
    return len(recipients)


def approval_meeting(minutes: Minutes) -> Meeting | None:
    """The planned meeting whose agenda has the approval of these minutes, when it comes
    after the observation period (a meeting within it cannot approve them); None for a
    draft not sent for observations."""
    if minutes.observations_until is None:
        return None
    item = (
        minutes.approval_items.filter(
            meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.CONVENED],
            meeting__starts_at__date__gt=minutes.observations_until,
        )
        .select_related("meeting")
        .order_by("meeting__starts_at")
        .first()
    )
    return item.meeting if item else None


def observations_open(minutes: Minutes, today: date | None = None) -> bool:
    """Whether the members may still send observations on this draft."""
    today = today or timezone.localdate()
    return (
        minutes.status == MinutesStatus.SENT
        and minutes.observations_until is not None
        and today <= minutes.observations_until
    )


def record_observation(minutes: Minutes, *, text: str, seat: Seat) -> Observation:
    """Record an observation a member sent by e-mail or by post on a draft sent for
    observations (it counts as hers: the minutes then go to a meeting for approval)."""
    text = text.strip()
    if not text:
        raise MinutesError("Écrivez l'observation reçue.")
    if minutes.status != MinutesStatus.SENT:
        raise MinutesError("Seul un projet envoyé aux membres reçoit des observations.")
    if seat.committee_id != minutes.meeting.committee_id:
        raise MinutesError("Ce membre ne siège pas à ce comité.")
    with transaction.atomic():
        return Observation.objects.create(
            minutes=minutes,
            text=text,
            seat=seat,
            author_label=seat.holder,
            draft_sent_at=minutes.sent_at,
        )


def submit_observation(
    minutes: Minutes, *, text: str, author=None, seat: Seat | None = None
) -> Observation:
    """Record a member's observation on a draft sent for observations, within its period."""
    text = text.strip()
    if not text:
        raise MinutesError("Écrivez votre observation.")
    if not observations_open(minutes):
        raise MinutesError("Ce projet de relevé n'est plus ouvert aux observations.")
    if seat is not None:
        author_label = seat.holder
    elif author is not None:
        author_label = words.person(author)
    else:
        author_label = "Membre du comité"
    with transaction.atomic():
        return Observation.objects.create(
            minutes=minutes,
            text=text,
            author=author,
            seat=seat,
            author_label=author_label,
            draft_sent_at=minutes.sent_at,
        )


def approve_minutes(
    minutes: Minutes, *, at_meeting: Meeting | None = None, on: date | None = None, actor=None
) -> Minutes:
    """Approve the minutes, at a later meeting (normally the next one, where it is an agenda
    item) or, without one, once the members' observation period is over and none came in
    (the draft's mail says so: observations are examined at a meeting)."""
    _open(minutes)
    meeting = minutes.meeting
    if at_meeting is not None:
        if (
            at_meeting.committee_id != meeting.committee_id
            or at_meeting.starts_at <= meeting.starts_at
        ):
            raise MinutesError("Le relevé s'approuve lors d'une réunion suivante du comité.")
        if at_meeting.status in (
            MeetingStatus.PLANNED,
            MeetingStatus.CONVENED,
            MeetingStatus.CANCELLED,
        ):
            raise MinutesError("La réunion d'approbation doit s'être tenue.")
    elif minutes.status != MinutesStatus.SENT:
        raise MinutesError(
            "Sans réunion d'approbation, le projet doit d'abord être envoyé aux membres "
            "pour observations."
        )
    approved_on = on or (at_meeting.day if at_meeting else timezone.localdate())
    if approved_on < meeting.day or approved_on > timezone.localdate():
        raise MinutesError(
            f"Le relevé ne peut pas être approuvé le {approved_on:%d/%m/%Y} : la réunion a eu "
            f"lieu le {meeting.day:%d/%m/%Y} et l'approbation ne peut pas être datée du futur."
        )
    until = minutes.observations_until
    if minutes.status == MinutesStatus.SENT and until and approved_on <= until:
        raise MinutesError(
            f"Les membres peuvent faire leurs observations jusqu'au {until:%d/%m/%Y} : "
            f"le projet s'approuve à partir du {until + timedelta(days=1):%d/%m/%Y}."
        )
    if at_meeting is None and minutes.observations.exists():
        # The draft's mail promises it: observations are examined at a meeting.
        raise MinutesError(
            "Des membres ont fait des observations sur ce projet : il s'approuve lors d'une "
            "réunion du comité, qui les examine."
        )
    with transaction.atomic():
        minutes.status = MinutesStatus.APPROVED
        minutes.approved_on = approved_on
        minutes.approved_at_meeting = at_meeting
        minutes.save(update_fields=["status", "approved_on", "approved_at_meeting"])
        if meeting.status == MeetingStatus.MINUTES_DRAFTED:
            change_status(meeting, MeetingStatus.MINUTES_APPROVED, actor=actor)
    return minutes


def publish_minutes(minutes: Minutes, *, actor=None) -> Minutes:
    """Publish approved minutes on the public prefecture page."""
    if not minutes.is_frozen:
        raise MinutesError("Seul un relevé approuvé peut être publié.")
    with transaction.atomic():
        minutes.published_at = timezone.now()
        minutes.save(update_fields=["published_at"])
        if minutes.meeting.status == MeetingStatus.MINUTES_APPROVED:
            change_status(minutes.meeting, MeetingStatus.PUBLISHED, actor=actor)
    return minutes


def correct_minutes(minutes: Minutes, *, note: str) -> Minutes:
    """Open a new version of approved minutes, copying their text and decisions."""
    if not minutes.is_frozen:
        raise MinutesError("Ce relevé n'est pas encore approuvé : modifiez-le directement.")
    if not note.strip():
        raise MinutesError("Indiquez l'objet de la correction.")
    meeting = minutes.meeting
    with transaction.atomic():
        if meeting.minutes.exclude(status=MinutesStatus.APPROVED).exists():
            raise MinutesError("Une version corrigée est déjà en cours de rédaction.")
        last = meeting.minutes.aggregate(m=Max("version"))["m"]
        new = Minutes.objects.create(
            meeting=meeting,
            version=last + 1,
            kind=minutes.kind,
            introduction=minutes.introduction,
            summary_en=minutes.summary_en,
            correction_note=note.strip(),
        )
        MinutesItem.objects.bulk_create(
            MinutesItem(minutes=new, agenda_item_id=i.agenda_item_id, text=i.text)
            for i in minutes.items.all()
        )
        Decision.objects.bulk_create(
            Decision(
                minutes=new,
                agenda_item_id=d.agenda_item_id,
                kind=d.kind,
                text=d.text,
                position=d.position,
            )
            for d in minutes.decisions.all()
        )
    return new
