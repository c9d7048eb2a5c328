"""The product's documents an agenda item can point to, and the meeting's calendar file.

Other apps' pages are linked without being required: a document whose page is missing is
simply not offered (the indicators report and the action plan come with later apps)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from engagements.surveys import queries as survey_queries

from .enums import DocumentKind
from .models import AgendaItem, Meeting, MinutesStatus

# URL names of other apps' pages, tried in order (the first that exists wins).
_PAGES = {
    DocumentKind.TEMPLATES: ["correspondence:agents-templates-collection"],
    DocumentKind.CORRESPONDENCE: ["correspondence:agents-figures"],
    DocumentKind.INDICATORS: ["indicators:agents-report", "indicators:agents-dashboard"],
    DocumentKind.ACTION_PLAN: ["quality:agents-action-plan", "quality:agents-actions"],
}


# Documents a committee member may open himself (the others are agents' pages that need the
# figures capability: they are presented at the meeting).
MEMBER_KINDS = {DocumentKind.TEMPLATES, DocumentKind.PREVIOUS_MINUTES}


@dataclass(frozen=True)
class Document:
    key: str  # "kind" or "kind:ref", the agenda form's choice value
    label: str
    url: str  # path inside the site (prefix SITE_URL for e-mails)

    @property
    def open_to_members(self) -> bool:
        return self.key.partition(":")[0] in MEMBER_KINDS


def _reverse_first(names: list[str], *args) -> str:
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return ""


def _campaigns(prefecture):
    if not apps.is_installed("engagements.surveys"):
        return []
    return survey_queries.latest_campaigns(prefecture, 20)


def available(meeting: Meeting) -> list[Document]:
    """Documents that can be linked from this meeting's agenda."""
    prefecture = meeting.committee.prefecture
    found: list[Document] = []
    for kind in (DocumentKind.TEMPLATES, DocumentKind.CORRESPONDENCE):
        url = _reverse_first(_PAGES[kind], prefecture.slug)
        if url:
            found.append(Document(kind, kind.label, url))
    for campaign in _campaigns(prefecture):
        url = _reverse_first(["surveys:agents-campaign-pdf"], prefecture.slug, campaign.pk)
        if url:
            found.append(
                Document(
                    f"{DocumentKind.SURVEY}:{campaign.pk}",
                    f"Résultats de l'enquête « {campaign.name} » (PDF)",
                    url,
                )
            )
    for kind in (DocumentKind.INDICATORS, DocumentKind.ACTION_PLAN):
        url = _reverse_first(_PAGES[kind], prefecture.slug)
        if url:
            found.append(Document(kind, kind.label, url))
    previous = (
        Meeting.objects.filter(committee=meeting.committee, starts_at__lt=meeting.starts_at)
        .exclude(pk=meeting.pk)
        .filter(minutes__status__in=[MinutesStatus.SENT, MinutesStatus.DRAFT])
        .order_by("-starts_at")
        .first()
    )
    if previous:
        found.append(
            Document(
                f"{DocumentKind.PREVIOUS_MINUTES}:{previous.pk}",
                f"Projet de relevé de la réunion du {previous.day:%d/%m/%Y}",
                reverse("committee:members-minutes-pdf", args=[prefecture.slug, previous.pk]),
            )
        )
    return found


def document_of(item: AgendaItem) -> Document | None:
    """The document an agenda item points to, or None (also when it no longer exists)."""
    if not item.document_kind:
        return None
    key = item.document_kind + (f":{item.document_ref}" if item.document_ref else "")
    return next((d for d in available(item.meeting) if d.key == key), None)


def split_key(key: str) -> tuple[str, int | None]:
    kind, _, ref = key.partition(":")
    return kind, int(ref) if ref.isdigit() else None


def meeting_location(meeting: Meeting) -> str:
    parts = [p for p in (meeting.place, meeting.video_link) if p]
    return " — ".join(parts)


def ics_for(meeting: Meeting) -> bytes:
    """The meeting as a calendar event (RFC 5545, with its time zone)."""
    from icalendar import Calendar, Event

    committee = meeting.committee
    calendar = Calendar()
    calendar.add("prodid", "-//Engagements//Comite local des usagers//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"committee-meeting-{meeting.pk}@engagements")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at))
    event.add("dtend", timezone.localtime(meeting.ends_at))
    event.add("summary", f"{committee.get_kind_display()} — {committee.prefecture.name}")
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    lines = ["Ordre du jour :"]
    lines += [f"{n}. {item.title}" for n, item in enumerate(meeting.agenda.all(), start=1)]
    if meeting.video_link:
        lines.append(f"Visioconférence : {meeting.video_link}")
    lines.append(
        settings.SITE_URL + reverse("committee:members-space", args=[committee.prefecture.slug])
    )
    event.add("description", "\n".join(lines))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
