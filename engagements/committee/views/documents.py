"""Meeting documents: uploaded by the quality lead, downloaded by members (every one) and
by the public (public ones, once the minutes are approved and published). Always served as
a download under a safe name, with the type checked on upload."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from engagements.organisation.access import agent_view

from ..enums import DocumentAudience
from ..forms import MeetingDocumentForm
from ..models import MeetingDocument
from ..services import documents as document_services
from . import common
from .agents import meeting_page
from .public import _prefecture


def serve(document: MeetingDocument) -> HttpResponse:
    # Read whole (20 MB at most, checked on upload): no file handle outlives the request.
    try:
        with document.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404("Fichier introuvable.") from exc
    response = HttpResponse(content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@agent_view("manage")
@require_POST
def upload(request, pk: int):
    meeting = common.get_meeting(request, pk)
    form = MeetingDocumentForm(request.POST, request.FILES, items=meeting.agenda.all())
    if form.is_valid():
        try:
            document = document_services.add_document(
                meeting,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                audience=form.cleaned_data["audience"],
                agenda_item=form.cleaned_data["agenda_item"],
                actor=request.user,
            )
        except document_services.DocumentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Document « {document.title} » ajouté.")
            return redirect("committee:agents-meeting", request.prefecture.slug, meeting.pk)
    # Refused: the meeting's page again, the title as typed (the file is to choose again).
    common.file_not_kept(form)
    return meeting_page(request, meeting, document_form=form, status=400)


@agent_view("manage")
@require_POST
def remove(request, document_pk: int):
    document = get_object_or_404(
        common.scoped(request, MeetingDocument, "meeting__committee__prefecture"), pk=document_pk
    )
    try:
        document_services.remove_document(document)
    except document_services.DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Document « {document.title} » retiré.")
    return redirect("committee:agents-meeting", request.prefecture.slug, document.meeting_id)


@agent_view("committee")
def members_download(request, document_pk: int):
    """Members (and the quality lead, the auditor) download every document of a meeting."""
    # Committee records are prefecture-wide: the capability is the check (as minutes_pdf).
    document = get_object_or_404(
        MeetingDocument, meeting__committee__prefecture=request.prefecture, pk=document_pk
    )
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return serve(document)


@require_GET
def public_download(request, prefecture: str, pk: int):
    """A public document, only once its meeting's approved minutes are published."""
    found = _prefecture(prefecture)
    document = get_object_or_404(
        MeetingDocument.objects.select_related("meeting"),
        pk=pk,
        meeting__committee__prefecture=found,
        audience=DocumentAudience.PUBLIC,
    )
    if not document_services.is_published(document.meeting):
        raise Http404("Document non publié.")
    return serve(document)
