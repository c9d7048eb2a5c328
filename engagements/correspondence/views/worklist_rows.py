"""What each row of the worklist shows, worked out once per row in Python.

The page's fifty rows cost more in template lookups than in queries: a lookup on a model
instance first tries `message[name]` and catches the TypeError, `get_FOO_display` builds
its choices dictionary anew at each call, `{% url %}` reverses per row. A row here is a
dict of the strings the template used to compute, the same text."""

from __future__ import annotations

from datetime import date

from django.utils.text import Truncator

from engagements import words

from ..models import Message

# The columns the rows show (the page reads no body, no search vector, no other field).
ROW_FIELDS = (
    "reference",
    "due_on",
    "received_on",
    "channel",
    "kind",
    "subject",
    "status",
    "suspected_duplicate_of_id",
    "site__name",
    "service__name",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)


def _labels(field_name: str) -> dict[str, str]:
    return {value: str(label) for value, label in Message._meta.get_field(field_name).flatchoices}


def worklist_rows(messages, *, today: date, list_url: str) -> list[dict]:
    """One dict per message."""
    channels, kinds, statuses = _labels("channel"), _labels("kind"), _labels("status")
    rows = []
    for message in messages:
        agent = message.assigned_to
        rows.append(
            {
                "pk": message.pk,
                "reference": message.reference,
                # A message's page is the list's address and its pk (urls.py).
                "url": f"{list_url}{message.pk}/",
                "late": message.is_late(today),  # uses the annotated `asked_late`
                "due_on": message.due_on.strftime("%d/%m/%Y"),
                "received_on": message.received_on.strftime("%d/%m/%Y"),
                "channel": channels.get(message.channel, message.channel),
                "kind": kinds.get(message.kind, message.kind),
                "subject": Truncator(message.subject or "—").chars(80),
                "duplicate": message.suspected_duplicate_of_id is not None,
                "new_reply": bool(message.new_reply_at),
                "new_document": bool(message.new_document_at),
                "service": (message.service.name if message.service else "") or message.site.name,
                "status": statuses.get(message.status, message.status),
                "agent": words.person(agent) or "—",
            }
        )
    return rows
