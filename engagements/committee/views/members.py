"""The members' space: upcoming meeting and its documents, the template review, the
published figures, their suggestions and answers. Read-only except for suggesting."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from engagements.organisation.access import agent_view
from engagements.organisation.enums import RoleKind

from .. import agenda_documents, pdfs
from ..enums import MinutesStatus
from ..forms import SuggestionForm
from ..models import Committee, Meeting, Seat, Suggestion
from ..queries import next_meeting, published_minutes
from ..services.suggestions import SuggestionError, submit_suggestion
from .common import pdf_response, render_agents


def _committee(request) -> Committee:
    committee = Committee.objects.filter(prefecture=request.prefecture).first()
    if committee is None:
        raise Http404("Aucun comité dans cette préfecture.")
    return committee


def _is_member(request) -> bool:
    """Suggestions come from the committee's members (not the auditor, who reads only)."""
    return RoleKind.COMMITTEE_MEMBER in request.access.kinds(request.prefecture)


def _figures(prefecture, year: int) -> dict:
    """Last year's published figures, read from the apps that compute them."""
    figures: dict = {"year": year}
    if apps.is_installed("engagements.correspondence"):
        from engagements.correspondence import queries as correspondence

        figures["correspondence"] = correspondence.figures(
            correspondence.year_messages(prefecture, year), at=timezone.localdate()
        )
    if apps.is_installed("engagements.surveys"):
        from engagements.surveys import queries as surveys

        figures["surveys"] = surveys.yearly_overall_by_site(prefecture, year)
    return figures


def _can_open(request, document) -> bool:
    if document.open_to_members:
        return True
    return request.access.can(request.prefecture, "read_figures")


@agent_view("committee")
def space(request):
    committee = Committee.objects.filter(prefecture=request.prefecture).first()
    upcoming = next_meeting(committee) if committee else None
    agenda = []
    if upcoming:
        for item in upcoming.agenda.all():
            doc = agenda_documents.document_of(item)
            agenda.append(
                {"item": item, "document": doc if doc and _can_open(request, doc) else None}
            )
    suggestions = (
        Suggestion.objects.filter(committee=committee, author=request.user)
        if committee
        else Suggestion.objects.none()
    )
    seats = Seat.objects.filter(committee=committee, user=request.user).select_related("college")
    try:
        review_url = reverse("correspondence:agents-templates", args=[request.prefecture.slug])
    except NoReverseMatch:
        review_url = ""
    drafts = (
        Meeting.objects.filter(committee=committee, minutes__status=MinutesStatus.SENT)
        .distinct()
        .prefetch_related("documents")
        if committee
        else Meeting.objects.none()
    )
    return render_agents(
        request,
        "committee/members/space.html",
        {
            "committee": committee,
            "upcoming": upcoming,
            "upcoming_documents": list(upcoming.documents.all()) if upcoming else [],
            "agenda": agenda,
            "suggestions": suggestions,
            "seats": seats,
            "review_url": review_url,
            "figures": _figures(request.prefecture, timezone.localdate().year - 1),
            "published": published_minutes(request.prefecture),
            "drafts": drafts,
            "form": SuggestionForm(),
            "can_suggest": _is_member(request),
        },
    )


@agent_view("committee")
@require_POST
def suggest(request):
    if not _is_member(request):
        raise PermissionDenied("Seuls les membres du comité font des suggestions.")
    committee = _committee(request)
    form = SuggestionForm(request.POST)
    if form.is_valid():
        seat = (
            Seat.objects.filter(committee=committee, user=request.user)
            .active_on(timezone.localdate())
            .first()
        )
        try:
            submit_suggestion(
                committee, text=form.cleaned_data["text"], author=request.user, seat=seat
            )
            messages.success(
                request, "Merci : votre suggestion a été transmise au référent qualité."
            )
        except SuggestionError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Écrivez votre suggestion (4 000 caractères au plus).")
    return redirect("committee:members-space", request.prefecture.slug)


@agent_view("committee")
def minutes_pdf(request, pk: int):
    """The meeting's current minutes: a draft sent for observations, or approved ones."""
    meeting = get_object_or_404(Meeting, committee__prefecture=request.prefecture, pk=pk)
    minutes = (
        meeting.minutes.filter(status__in=[MinutesStatus.SENT, MinutesStatus.APPROVED])
        .order_by("-version")
        .first()
    )
    if minutes is None:
        raise Http404("Aucun relevé diffusé pour cette réunion.")
    return pdf_response(pdfs.minutes_pdf(minutes), f"releve-{meeting.day:%Y-%m-%d}.pdf")
