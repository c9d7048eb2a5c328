"""Sample URL arguments for every agent URL of the committee app."""

from django.core.files.base import ContentFile

from engagements.committee.enums import DecisionKind, MeetingStatus, MinutesStatus
from engagements.committee.models import MeetingDocument
from tests.committee.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    DecisionFactory,
    MeetingFactory,
    MinutesFactory,
    MinutesItemFactory,
    SeatFactory,
    SuggestionFactory,
)


def cases(prefecture, site, service) -> dict[str, dict]:
    committee = CommitteeFactory(prefecture=prefecture)
    seat = SeatFactory(committee=committee)
    meeting = MeetingFactory(committee=committee, status=MeetingStatus.MINUTES_DRAFTED)
    item = AgendaItemFactory(meeting=meeting)
    AttendanceFactory(meeting=meeting, seat=seat)
    minutes = MinutesFactory(meeting=meeting, status=MinutesStatus.SENT)
    MinutesItemFactory(minutes=minutes, agenda_item=item)
    decision = DecisionFactory(minutes=minutes, agenda_item=item, kind=DecisionKind.ACTION)
    suggestion = SuggestionFactory(committee=committee)
    document = MeetingDocument.objects.create(
        meeting=meeting,
        title="Diaporama",
        name="diaporama.pdf",
        file=ContentFile(b"%PDF-1.4 x", name="x.pdf"),
        content_type="application/pdf",
        size=1,
    )
    return {
        "committee:agents-members": {},
        "committee:agents-settings": {},
        "committee:agents-import": {},
        "committee:agents-seat-end": {"pk": seat.pk},
        "committee:agents-seat-access": {"pk": seat.pk},
        "committee:agents-meetings": {},
        "committee:agents-meeting": {"pk": meeting.pk},
        "committee:agents-meeting-edit": {"pk": meeting.pk},
        "committee:agents-agenda-add": {"pk": meeting.pk},
        "committee:agents-agenda-change": {"item_pk": item.pk, "action": "monter"},
        "committee:agents-invite": {"pk": meeting.pk},
        "committee:agents-transition": {"pk": meeting.pk, "to": "held"},
        "committee:agents-attendance": {"pk": meeting.pk},
        "committee:agents-sign-in-sheet": {"pk": meeting.pk},
        "committee:agents-meeting-ics": {"pk": meeting.pk},
        "committee:agents-minutes": {"pk": meeting.pk},
        "committee:agents-minutes-start": {"pk": meeting.pk},
        "committee:agents-decision-add": {"minutes_pk": minutes.pk},
        "committee:agents-decision-remove": {"decision_pk": decision.pk},
        "committee:agents-minutes-send": {"minutes_pk": minutes.pk},
        "committee:agents-observation-add": {"minutes_pk": minutes.pk},
        "committee:agents-minutes-approve": {"minutes_pk": minutes.pk},
        "committee:agents-minutes-publish": {"minutes_pk": minutes.pk},
        "committee:agents-minutes-correct": {"minutes_pk": minutes.pk},
        "committee:agents-minutes-pdf": {"minutes_pk": minutes.pk},
        "committee:agents-suggestions": {},
        "committee:agents-suggestion": {"suggestion_pk": suggestion.pk},
        "committee:members-space": {},
        "committee:members-suggest": {},
        "committee:members-minutes-pdf": {"pk": meeting.pk},
        "committee:members-document": {"document_pk": document.pk},
        "committee:agents-document-add": {"pk": meeting.pk},
        "committee:agents-document-remove": {"document_pk": document.pk},
        "committee:members-actions": {},
        "committee:members-observe": {"minutes_pk": minutes.pk},
    }
