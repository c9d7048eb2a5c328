"""The members' space: upcoming meeting and its documents, the template review, the
published figures, their suggestions and answers. Read-only except for suggesting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from engagements.organisation.access import agent_view
from engagements.organisation.enums import RoleKind
from engagements.shell import hooks, label_cycle

from .. import agenda_documents, pdfs
from ..enums import DecisionKind, MinutesStatus
from ..forms import ObservationForm, SuggestionForm
from ..models import Committee, Decision, Meeting, Minutes, Seat, Suggestion
from ..queries import next_meeting, published_minutes
from ..services.minutes import (
    MinutesError,
    approval_meeting,
    observations_open,
    submit_observation,
)
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


def _published_figures(prefecture) -> dict | None:
    """The latest results the prefecture published (indicators' publications, through the
    shell's registry), only the values it published; None when it published none."""
    figures = label_cycle.published_figures(prefecture)
    if figures is None:
        return None
    values = [v for v in figures["values"] if v["value"] is not None]
    if not values:
        return None
    # A year's label is its number alone ("2025"): said as a period in the sentence.
    period = figures["period"]
    label = f"année {period}" if period.isdigit() else period
    return {**figures, "values": values, "period_label": label}


def _can_open(request, document) -> bool:
    if document.open_to_members:
        return True
    return request.access.can(request.prefecture, "read_figures")


@agent_view("committee")
def space(request):
    return _space(request)


def _space(
    request, *, form=None, observation_form=None, observed: Minutes | None = None, status=200
):
    """The members' space; a refused form given here comes back as typed, with its errors
    (`observation_form` is the refused observation on the draft `observed`, in its place)."""
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
    drafts = [
        {
            "minutes": draft,
            "open": observations_open(draft),
            "approval_meeting": approval_meeting(draft),
            "mine": [o for o in draft.observations.all() if o.author_id == request.user.pk],
            "form": observation_form
            if observed is not None and draft.pk == observed.pk
            else _observation_form(draft),
        }
        for draft in (
            # A refused observation stays in view even if its draft was approved meanwhile.
            Minutes.objects.filter(
                Q(status=MinutesStatus.SENT) | Q(pk=observed.pk if observed else None),
                meeting__committee=committee,
            )
            .select_related("meeting")
            .prefetch_related("observations", "meeting__documents")
            if committee
            else []
        )
    ]
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
            "figures": _published_figures(request.prefecture),
            "published": published_minutes(request.prefecture),
            "drafts": drafts,
            "form": form or SuggestionForm(),
            "can_suggest": _is_member(request),
        },
        status=status,
    )


def _observation_form(draft: Minutes, data=None) -> ObservationForm:
    # One form per draft, ids of its own (the suggestion form has a "text" too).
    return ObservationForm(data, auto_id=f"id_observation_{draft.pk}_%s")


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
        except SuggestionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Merci : votre suggestion a été transmise au référent qualité."
            )
            return redirect("committee:members-space", request.prefecture.slug)
    # Refused: the space again, the suggestion as written and what is wrong.
    return _space(request, form=form, status=400)


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


def _current_seat(request, committee):
    return (
        Seat.objects.filter(committee=committee, user=request.user)
        .active_on(timezone.localdate())
        .first()
    )


@agent_view("committee")
@require_POST
def observe(request, minutes_pk: int):
    """A member's observation on a draft of the minutes sent for observations."""
    minutes = get_object_or_404(
        Minutes, meeting__committee__prefecture=request.prefecture, pk=minutes_pk
    )
    if not _is_member(request):
        raise PermissionDenied("Seuls les membres du comité font des observations.")
    form = _observation_form(minutes, request.POST)
    if form.is_valid():
        try:
            submit_observation(
                minutes,
                text=form.cleaned_data["text"],
                author=request.user,
                seat=_current_seat(request, minutes.meeting.committee),
            )
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, "Merci : votre observation a été transmise au référent qualité."
            )
            return redirect("committee:members-space", request.prefecture.slug)
    # Refused: the space again, the observation as written beside its draft.
    return _space(request, observation_form=form, observed=minutes, status=400)


def _decided_actions(committee) -> list[dict]:
    """The actions the committee decided, meeting by meeting (the minutes the members have:
    the latest approved version, else the draft sent to them), with the improvement actions
    opened from them in the quality app (through the shell's linked-actions hook)."""
    minutes_list = (
        Minutes.objects.filter(
            meeting__committee=committee,
            status__in=[MinutesStatus.SENT, MinutesStatus.APPROVED],
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at", "-status", "-version")
    )
    shown: dict[int, Minutes] = {}
    for minutes in minutes_list:
        current = shown.get(minutes.meeting_id)
        if current is None or (
            current.status != MinutesStatus.APPROVED and minutes.status == MinutesStatus.APPROVED
        ):
            shown[minutes.meeting_id] = minutes
    decisions = list(
        Decision.objects.filter(minutes__meeting__committee=committee, kind=DecisionKind.ACTION)
    )
    # A corrected version copies its decisions: actions opened from any version count.
    actions = hooks.linked_actions(decisions)
    by_text: dict[tuple[int, str], list] = {}
    meeting_of = dict(
        Minutes.objects.filter(meeting__committee=committee).values_list("pk", "meeting_id")
    )
    for decision in decisions:
        key = (meeting_of[decision.minutes_id], decision.text)
        for action in actions.get(decision.pk, []):
            if action not in by_text.setdefault(key, []):
                by_text[key].append(action)
    rows = []
    for minutes in sorted(shown.values(), key=lambda m: m.meeting.starts_at, reverse=True):
        for decision in minutes.decisions.filter(kind=DecisionKind.ACTION):
            rows.append(
                {
                    "meeting": minutes.meeting,
                    "decision": decision,
                    "approved": minutes.status == MinutesStatus.APPROVED,
                    "actions": by_text.get((minutes.meeting_id, decision.text), []),
                }
            )
    return rows


@agent_view("committee")
def decided_actions(request):
    """What became of the actions the committee decided (the members' follow-up page)."""
    committee = _committee(request)
    return render_agents(
        request,
        "committee/members/actions.html",
        {
            "committee": committee,
            "rows": _decided_actions(committee),
            "today": timezone.localdate(),
        },
    )
