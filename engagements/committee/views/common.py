"""Helpers shared by the committee's agent views."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header

from engagements.shell.pages import render_agents  # noqa: F401

from ..models import AgendaItem, Decision, Meeting, Minutes, Seat, Suggestion
from ..services.members import committee_for


def scoped(request, model, path: str = "committee__prefecture"):
    """Records of the request's prefecture (committee records are prefecture-wide)."""
    return request.access.scope(
        model.objects.all(),
        request.prefecture,
        prefecture_field=path,
        site_field=None,
        service_field=None,
    )


def committee(request):
    return committee_for(request.prefecture)


def get_meeting(request, pk: int) -> Meeting:
    return get_object_or_404(scoped(request, Meeting).select_related("committee"), pk=pk)


def get_minutes(request, pk: int) -> Minutes:
    return get_object_or_404(
        scoped(request, Minutes, "meeting__committee__prefecture").select_related(
            "meeting", "meeting__committee"
        ),
        pk=pk,
    )


def get_seat(request, pk: int) -> Seat:
    return get_object_or_404(scoped(request, Seat), pk=pk)


def get_item(request, pk: int) -> AgendaItem:
    return get_object_or_404(
        scoped(request, AgendaItem, "meeting__committee__prefecture").select_related("meeting"),
        pk=pk,
    )


def get_decision(request, pk: int) -> Decision:
    return get_object_or_404(
        scoped(request, Decision, "minutes__meeting__committee__prefecture").select_related(
            "minutes"
        ),
        pk=pk,
    )


def get_suggestion(request, pk: int) -> Suggestion:
    return get_object_or_404(scoped(request, Suggestion), pk=pk)


def pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{name}")
    return response


def file_not_kept(form, name: str = "file") -> None:
    """A refused form comes back as typed, except a file: no page can fill a file input
    again. When one was sent, its field says to choose it again."""
    if form.files.get(name):
        form.add_error(name, "Le fichier n'est pas gardé : choisissez à nouveau le fichier.")
