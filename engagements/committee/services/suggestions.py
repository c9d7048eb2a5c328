"""Members' suggestions ("vous avez dit") and the answers they get."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from engagements import words

from ..enums import SuggestionStatus
from ..models import Committee, Meeting, Seat, Suggestion


class SuggestionError(Exception):
    """A suggestion change was refused (French message)."""


def submit_suggestion(
    committee: Committee,
    *,
    text: str,
    author=None,
    seat: Seat | None = None,
    meeting: Meeting | None = None,
    author_label: str = "",
) -> Suggestion:
    """Record a member's suggestion, from the members' space or made in a meeting."""
    text = text.strip()
    if not text:
        raise SuggestionError("Écrivez votre suggestion.")
    if meeting is not None and meeting.committee_id != committee.pk:
        raise SuggestionError("Cette réunion n'est pas celle du comité.")
    if meeting is not None and meeting.day > timezone.localdate():
        raise SuggestionError(
            f"La réunion du {meeting.day:%d/%m/%Y} n'a pas encore eu lieu : une suggestion "
            "faite en réunion s'enregistre à partir de ce jour."
        )
    if not author_label:
        if seat is not None:
            author_label = seat.holder
        elif author is not None:
            author_label = words.person(author)
    with transaction.atomic():
        return Suggestion.objects.create(
            committee=committee,
            text=text,
            author=author,
            seat=seat,
            meeting=meeting,
            author_label=author_label[:300],
        )


def answer_suggestion(suggestion: Suggestion, *, status: str, answer: str) -> Suggestion:
    """Give a suggestion its status and the committee's answer."""
    if status not in SuggestionStatus.values:
        raise SuggestionError("Suite donnée inconnue.")
    if status != SuggestionStatus.SUBMITTED and not answer.strip():
        raise SuggestionError("Rédigez la réponse faite au membre.")
    with transaction.atomic():
        suggestion.status = status
        suggestion.answer = answer.strip()
        suggestion.answered_at = timezone.now() if answer.strip() else None
        suggestion.save(update_fields=["status", "answer", "answered_at"])
    return suggestion
