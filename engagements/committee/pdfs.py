"""PDF documents of the committee: minutes (relevé de décisions / compte rendu) and the
sign-in sheet (liste d'émargement)."""

from __future__ import annotations

from django.utils import timezone, translation

from engagements.pdf import render_pdf

from .enums import AttendanceStatus
from .models import Meeting, Minutes


def minutes_context(minutes: Minutes) -> dict:
    meeting = minutes.meeting
    attendance = list(meeting.attendance.in_list_order())
    decisions = list(minutes.decisions.select_related("agenda_item"))
    items = list(minutes.items.select_related("agenda_item"))
    for item in items:
        item.item_decisions = [d for d in decisions if d.agenda_item_id == item.agenda_item_id]
    return {
        "minutes": minutes,
        "meeting": meeting,
        "committee": meeting.committee,
        "prefecture": meeting.committee.prefecture,
        "starts_at": timezone.localtime(meeting.starts_at),
        "present": [a for a in attendance if a.status == AttendanceStatus.PRESENT],
        "represented": [a for a in attendance if a.status == AttendanceStatus.REPRESENTED],
        "excused": [a for a in attendance if a.status == AttendanceStatus.EXCUSED],
        "absent": [a for a in attendance if a.status == AttendanceStatus.ABSENT],
        "items": items,
        "other_decisions": [d for d in decisions if d.agenda_item_id is None],
    }


def minutes_pdf(minutes: Minutes) -> bytes:
    # The minutes are a French document, whatever the language of the page that links them.
    with translation.override("fr"):
        return render_pdf("committee/pdf/minutes.html", minutes_context(minutes))


def sign_in_sheet_pdf(meeting: Meeting) -> bytes:
    with translation.override("fr"):
        return _sign_in_sheet_pdf(meeting)


def _sign_in_sheet_pdf(meeting: Meeting) -> bytes:
    return render_pdf(
        "committee/pdf/sign_in_sheet.html",
        {
            "meeting": meeting,
            "committee": meeting.committee,
            "prefecture": meeting.committee.prefecture,
            "starts_at": timezone.localtime(meeting.starts_at),
            "attendance": meeting.attendance.in_list_order(),
        },
    )
