"""Drafting, approving and publishing the minutes of a meeting."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from engagements.organisation.access import agent_view
from engagements.shell import hooks

from .. import pdfs
from ..enums import DecisionKind, MeetingStatus, MinutesStatus
from ..forms import (
    ApproveForm,
    CorrectionForm,
    DecisionForm,
    MinutesForm,
    RecordedObservationForm,
)
from ..models import Decision, Meeting, Seat
from ..services import minutes as services
from ..services.minutes import MinutesError
from . import common
from .common import render_agents


def _back(request, minutes):
    return redirect("committee:agents-minutes", request.prefecture.slug, minutes.meeting_id)


@agent_view("manage")
@require_POST
def start(request, pk: int):
    meeting = common.get_meeting(request, pk)
    try:
        services.start_minutes(meeting, actor=request.user)
    except MinutesError as exc:
        messages.error(request, str(exc))
        return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)
    return redirect("committee:agents-minutes", request.prefecture.slug, meeting.pk)


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    meeting = common.get_meeting(request, pk)
    minutes = meeting.current_minutes()
    if minutes is None:
        messages.info(request, "Le relevé s'ouvre une fois la réunion tenue.")
        return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)
    if request.method != "POST":
        return _page(request, meeting, minutes)
    form = _minutes_form(minutes, request.POST)
    if form.is_valid():
        try:
            services.save_minutes(
                minutes,
                kind=form.cleaned_data["kind"],
                introduction=form.cleaned_data["introduction"],
                summary_en=form.cleaned_data["summary_en"],
                texts=form.texts(),
            )
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Relevé enregistré.")
            return _back(request, minutes)
    # Refused: the page again, the text as drafted and what is wrong.
    return _page(request, meeting, minutes, form=form, status=400)


def _minutes_form(minutes, data=None) -> MinutesForm:
    return MinutesForm(
        data,
        items=list(minutes.items.select_related("agenda_item")),
        initial={
            "kind": minutes.kind,
            "introduction": minutes.introduction,
            "summary_en": minutes.summary_en,
        },
    )


def _approve_form(request, minutes, data=None) -> ApproveForm:
    """Approval at a later meeting that took place; without one only while no observation
    came in (services.approve_minutes says why)."""
    later = (
        common.scoped(request, Meeting)
        .filter(starts_at__gt=minutes.meeting.starts_at)
        .exclude(
            status__in=[MeetingStatus.PLANNED, MeetingStatus.CONVENED, MeetingStatus.CANCELLED]
        )
        .order_by("starts_at")
    )
    return ApproveForm(data, meetings=later, without_meeting=not minutes.observations.exists())


def _page(
    request,
    meeting: Meeting,
    minutes,
    *,
    form=None,
    decision_form=None,
    observation_form=None,
    approve_form=None,
    correction_form=None,
    status: int = 200,
):
    """The minutes page; a refused form given here comes back as typed, with its errors."""
    return render_agents(
        request,
        "committee/agents/minutes.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "versions": meeting.minutes.order_by("-version"),
            "form": form or _minutes_form(minutes),
            "decisions": _with_actions(meeting, minutes.decisions.select_related("agenda_item")),
            "decision_form": decision_form or DecisionForm(agenda=meeting.agenda.all()),
            "approve_form": approve_form or _approve_form(request, minutes),
            "correction_form": correction_form or CorrectionForm(),
            "sent": minutes.status == MinutesStatus.SENT,
            "approval_items": minutes.approval_items.select_related("meeting"),
            "observations": minutes.observations.all(),
            "observation_form": observation_form
            or RecordedObservationForm(seats=_observers(meeting), auto_id="id_observation_%s"),
        },
        status=status,
    )


def _with_actions(meeting: Meeting, decisions) -> list[Decision]:
    """The decisions, each with `actions`: the improvement actions already opened from it —
    or from the same decision in another version of the minutes (a correction copies its
    decisions), so that "Créer une action" is not offered twice for one decision."""
    decisions = list(decisions)
    siblings = list(
        Decision.objects.filter(minutes__meeting=meeting, kind=DecisionKind.ACTION).only(
            "pk", "text"
        )
    )
    linked = hooks.linked_actions(siblings)
    by_text: dict[str, list] = {}
    for sibling in siblings:
        for action in linked.get(sibling.pk, []):
            if action not in by_text.setdefault(sibling.text, []):
                by_text[sibling.text].append(action)
    for decision in decisions:
        decision.actions = (
            by_text.get(decision.text, []) if decision.kind == DecisionKind.ACTION else []
        )
    return decisions


@agent_view("manage")
@require_POST
def add_decision(request, minutes_pk: int):
    minutes = common.get_minutes(request, minutes_pk)
    agenda = list(minutes.meeting.agenda.all())
    form = DecisionForm(request.POST, agenda=agenda)
    if form.is_valid():
        item = next((i for i in agenda if i.pk == form.cleaned_data["agenda_item"]), None)
        try:
            services.add_decision(
                minutes,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                agenda_item=item,
            )
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Décision ajoutée.")
            return _back(request, minutes)
    # Refused: the page again, the decision as typed and what is wrong.
    return _page(request, minutes.meeting, minutes, decision_form=form, status=400)


@agent_view("manage")
@require_POST
def remove_decision(request, decision_pk: int):
    decision = common.get_decision(request, decision_pk)
    try:
        services.remove_decision(decision)
        messages.success(request, "Décision retirée.")
    except MinutesError as exc:
        messages.error(request, str(exc))
    return _back(request, decision.minutes)


@agent_view("manage")
@require_POST
def send_draft(request, minutes_pk: int):
    minutes = common.get_minutes(request, minutes_pk)
    try:
        count = services.send_for_observations(minutes, pdf=pdfs.minutes_pdf(minutes))
        messages.success(
            request,
            f"Projet envoyé pour observations à {count} membre{'s' if count > 1 else ''}.",
        )
    except MinutesError as exc:
        messages.error(request, str(exc))
    return _back(request, minutes)


def _observers(meeting: Meeting) -> list[Seat]:
    """The seats the draft went to: those invited to the meeting."""
    return list(
        Seat.objects.filter(attendance__meeting=meeting)
        .select_related("college")
        .order_by("college__position", "organisation", "-kind", "last_name")
    )


@agent_view("manage")
@require_POST
def record_observation(request, minutes_pk: int):
    """An observation a member sent by e-mail or by post, recorded by the référent."""
    minutes = common.get_minutes(request, minutes_pk)
    seats = _observers(minutes.meeting)
    form = RecordedObservationForm(request.POST, seats=seats, auto_id="id_observation_%s")
    if form.is_valid():
        seat = next(s for s in seats if s.pk == form.cleaned_data["seat"])
        try:
            services.record_observation(minutes, text=form.cleaned_data["text"], seat=seat)
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Observation enregistrée.")
            return _back(request, minutes)
    # Refused: the page again, the observation as typed (copied from a letter or a mail).
    return _page(request, minutes.meeting, minutes, observation_form=form, status=400)


@agent_view("manage")
@require_POST
def approve(request, minutes_pk: int):
    minutes = common.get_minutes(request, minutes_pk)
    form = _approve_form(request, minutes, request.POST)
    if form.is_valid():
        at_meeting = next(
            (m for m in form.meetings if m.pk == form.cleaned_data["at_meeting"]), None
        )
        try:
            services.approve_minutes(minutes, at_meeting=at_meeting, actor=request.user)
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Relevé approuvé : il ne peut plus être modifié.")
            return _back(request, minutes)
    return _page(request, minutes.meeting, minutes, approve_form=form, status=400)


@agent_view("manage")
@require_POST
def publish(request, minutes_pk: int):
    minutes = common.get_minutes(request, minutes_pk)
    try:
        services.publish_minutes(minutes, actor=request.user)
        messages.success(request, "Relevé publié sur la page publique de la préfecture.")
    except MinutesError as exc:
        messages.error(request, str(exc))
    return _back(request, minutes)


@agent_view("manage")
@require_POST
def correct(request, minutes_pk: int):
    minutes = common.get_minutes(request, minutes_pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            new = services.correct_minutes(minutes, note=form.cleaned_data["note"])
        except MinutesError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Nouvelle version ouverte : elle devra être approuvée.")
            return _back(request, new)
    return _page(request, minutes.meeting, minutes, correction_form=form, status=400)


@agent_view("manage")
def pdf(request, minutes_pk: int):
    minutes = common.get_minutes(request, minutes_pk)
    return common.pdf_response(
        pdfs.minutes_pdf(minutes), f"releve-{minutes.meeting.day:%Y-%m-%d}-v{minutes.version}.pdf"
    )
