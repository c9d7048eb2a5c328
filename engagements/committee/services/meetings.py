"""Meetings: planning, agenda, invitations, attendance, and the status machine."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from engagements import states, words
from engagements.outbox.services import queue_mail

from .. import agenda_documents
from ..enums import (
    MEETING_TRANSITIONS,
    AttendanceStatus,
    MeetingStatus,
)
from ..models import AgendaItem, Attendance, Committee, Meeting, MeetingLog, Seat
from . import documents as meeting_documents
from .minutes_approval import approve_pending_minutes_on


class MeetingError(Exception):
    """A meeting change was refused (French message)."""


def _not_before_the_day(meeting: Meeting, what: str) -> None:
    """A meeting's life follows its date: what happens at the meeting waits for its day."""
    if timezone.localdate() < meeting.day:
        raise MeetingError(
            f"La réunion a lieu le {meeting.day:%d/%m/%Y} : {what} à partir de ce jour."
        )


def change_status(meeting: Meeting, to: str, *, actor=None, note: str = "") -> Meeting:
    """Move a meeting along its life (transition table), with a log row; illegal moves raise."""
    if to == MeetingStatus.HELD:
        _not_before_the_day(meeting, "elle pourra être marquée tenue")
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        states.transition(
            locked,
            to,
            table=MEETING_TRANSITIONS,
            actor=actor,
            log_model=MeetingLog,
            subject="La réunion",
            error=MeetingError,
            meeting=locked,
            note=note,
        )
    meeting.status = to
    return meeting


def plan_meeting(committee: Committee, *, actor=None, **fields) -> Meeting:
    """Plan a meeting; when the previous one has minutes awaiting approval, their approval
    becomes the first point of the agenda."""
    with transaction.atomic():
        meeting = Meeting.objects.create(committee=committee, **fields)
        MeetingLog.objects.create(
            meeting=meeting,
            from_status=MeetingStatus.PLANNED,
            to_status=MeetingStatus.PLANNED,
            actor=actor,
        )
        approve_pending_minutes_on(meeting)
        prepare_attendance(meeting)
    return meeting


def update_meeting(meeting: Meeting, **fields) -> Meeting:
    """Change the date, place or kind of a meeting not yet held."""
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.CONVENED):
        raise MeetingError("Une réunion tenue ou annulée ne peut plus être modifiée.")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(meeting, name, value)
        meeting.save(update_fields=list(fields))
        prepare_attendance(meeting)
    return meeting


def _editable_agenda(meeting: Meeting) -> None:
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.CONVENED):
        raise MeetingError("L'ordre du jour d'une réunion tenue ne peut plus être modifié.")


def add_agenda_item(
    meeting: Meeting, *, title: str, kind: str, document_key: str = ""
) -> AgendaItem:
    """Add a point to the agenda, maybe linked to one of the product's documents."""
    _editable_agenda(meeting)
    document_kind, document_ref = (
        agenda_documents.split_key(document_key) if document_key else ("", None)
    )
    if document_key and document_key not in {d.key for d in agenda_documents.available(meeting)}:
        raise MeetingError("Ce document n'est pas disponible.")
    with transaction.atomic():
        last = meeting.agenda.aggregate(m=Max("position"))["m"] or 0
        return AgendaItem.objects.create(
            meeting=meeting,
            position=last + 1,
            title=title,
            kind=kind,
            document_kind=document_kind,
            document_ref=document_ref,
        )


def remove_agenda_item(item: AgendaItem) -> None:
    """Take a point off the agenda of a meeting not yet held."""
    _editable_agenda(item.meeting)
    with transaction.atomic():
        item.delete()


def move_agenda_item(item: AgendaItem, *, up: bool) -> None:
    """Swap a point with its neighbour."""
    _editable_agenda(item.meeting)
    with transaction.atomic():
        items = list(item.meeting.agenda.select_for_update().order_by("position", "pk"))
        index = next(i for i, it in enumerate(items) if it.pk == item.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        for position, it in enumerate(items, start=1):
            if it.position != position:
                it.position = position
                it.save(update_fields=["position"])


def prepare_attendance(meeting: Meeting) -> int:
    """Invite every seat whose mandate runs on the meeting day, copying the holder's name,
    organisation and college as they are now (old minutes stay true later)."""
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.CONVENED):
        return 0
    day = meeting.day
    seats = Seat.objects.filter(committee=meeting.committee).active_on(day)
    seats = seats.select_related("college")
    existing = set(meeting.attendance.values_list("seat_id", flat=True))
    new = [
        Attendance(
            meeting=meeting,
            seat=seat,
            person_name=seat.person_name,
            civility=seat.civility,
            organisation=seat.organisation,
            college_name=seat.college.name,
            seat_kind=seat.kind,
        )
        for seat in seats
        if seat.pk not in existing
    ]
    Attendance.objects.bulk_create(new)
    # Seats whose mandate no longer covers the day (the date moved) are not invited.
    meeting.attendance.filter(status=AttendanceStatus.INVITED).exclude(seat__in=seats).delete()
    return len(new)


def record_attendance(meeting: Meeting, rows: dict[int, tuple[str, str]]) -> None:
    """Record who came: {attendance pk: (status, represented_by)}."""
    if meeting.status not in (MeetingStatus.CONVENED, MeetingStatus.HELD, MeetingStatus.PLANNED):
        raise MeetingError("La liste de présence de cette réunion est close.")
    _not_before_the_day(meeting, "les présences se relèvent")
    with transaction.atomic():
        for line in meeting.attendance.select_for_update().filter(pk__in=rows):
            status, represented_by = rows[line.pk]
            if status not in AttendanceStatus.values:
                raise MeetingError("Présence inconnue.")
            if status == AttendanceStatus.REPRESENTED and not represented_by.strip():
                raise MeetingError(f"Indiquez qui représente {line.holder}.")
            if status != AttendanceStatus.REPRESENTED:
                represented_by = ""
            if (line.status, line.represented_by) != (status, represented_by.strip()):
                line.status, line.represented_by = status, represented_by.strip()
                line.save(update_fields=["status", "represented_by"])


def mark_held(meeting: Meeting, *, actor=None) -> Meeting:
    """The meeting took place: still-invited seats become absent."""
    with transaction.atomic():
        change_status(meeting, MeetingStatus.HELD, actor=actor)
        meeting.attendance.filter(status=AttendanceStatus.INVITED).update(
            status=AttendanceStatus.ABSENT
        )
    return meeting


def invitation_recipients(meeting: Meeting) -> list[str]:
    emails = (
        meeting.attendance.exclude(seat__email="")
        .filter(seat__isnull=False)
        .values_list("seat__email", flat=True)
    )
    return sorted({e.lower() for e in emails})


def recipients_with_space(meeting: Meeting) -> set[str]:
    """Those of `invitation_recipients` who can log in to the members' space (a seat
    imported without an account has none): the others are told no link that needs one."""
    emails = meeting.attendance.filter(
        seat__isnull=False, seat__user__isnull=False, seat__user__is_active=True
    ).values_list("seat__email", flat=True)
    return {e.lower() for e in emails if e}


def send_invitation(meeting: Meeting, *, actor=None) -> int:
    """E-mail the invitation (agenda, documents, calendar file) to every invited member with
    an address, then mark the meeting convened. Returns the number of e-mails queued."""
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.CONVENED):
        raise MeetingError("Cette réunion ne peut plus être convoquée.")
    if not meeting.agenda.exists():
        raise MeetingError("Ajoutez au moins un point à l'ordre du jour avant de convoquer.")
    prefecture = meeting.committee.prefecture
    with transaction.atomic():
        prepare_attendance(meeting)
        recipients = invitation_recipients(meeting)
        if not recipients:
            raise MeetingError("Aucun membre convoqué n'a d'adresse électronique.")
        agenda = []
        for item in meeting.agenda.all():
            doc = agenda_documents.document_of(item)
            # Members get a link to what they can open; the rest is presented at the meeting.
            url = settings.SITE_URL + doc.url if doc and doc.open_to_members else ""
            agenda.append({"item": item, "document": doc, "url": url})
        context = {
            "meeting": meeting,
            "committee": meeting.committee,
            "prefecture": prefecture,
            "starts_at": timezone.localtime(meeting.starts_at),
            "agenda": agenda,
            "space_url": settings.SITE_URL
            + reverse("committee:members-space", args=[prefecture.slug]),
            "documents": meeting_documents.for_members(meeting),
        }
        ics = agenda_documents.ics_for(meeting)
        with_space = recipients_with_space(meeting)
        for email in recipients:
            queue_mail(
                "committee/mail/meeting_invitation",
                {**context, "has_space": email in with_space},
                [email],
                prefecture=prefecture,
                record=meeting,
                purpose="committee-meeting-invitation",
                reply_to=[prefecture.email] if prefecture.email else None,
                attachments=[("reunion.ics", ics, "text/calendar")],
            )
        meeting.invitation_sent_at = timezone.now()
        meeting.save(update_fields=["invitation_sent_at"])
        if meeting.status == MeetingStatus.PLANNED:
            convened = words.count(len(recipients), "membre convoqué", "membres convoqués")
            change_status(
                meeting, MeetingStatus.CONVENED, actor=actor, note=f"{convened} par courriel"
            )
        else:  # sent again (agenda or documents changed): the history says when and by whom
            MeetingLog.objects.create(
                meeting=meeting,
                from_status=meeting.status,
                to_status=meeting.status,
                actor=actor,
                note="renvoyée à "
                + words.count(len(recipients), "membre", "membres")
                + " par courriel",
            )
    return len(recipients)


def due_for_invitation(today: date):
    """Planned meetings whose invitation should leave today (N days before, per committee)."""
    candidates = Meeting.objects.filter(
        status=MeetingStatus.PLANNED, invitation_sent_at__isnull=True, starts_at__gte=timezone.now()
    ).select_related("committee", "committee__prefecture")
    return [
        m
        for m in candidates
        if m.day - timedelta(days=m.committee.invitation_days) <= today and m.agenda.exists()
    ]


def cancel_meeting(meeting: Meeting, *, actor=None, note: str = "") -> Meeting:
    """Cancel a meeting not yet held."""
    return change_status(meeting, MeetingStatus.CANCELLED, actor=actor, note=note)
