"""Missing documents past their end: the "délai dépassé" list, where an agent closes the
message (with the closing letter) or grants more time; nothing closes by itself."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from engagements.organisation.access import agent_view, refuse_without_people
from engagements.pdf import render_pdf
from engagements.shell.content_language import long_date
from engagements.shell.pages import render_agents

from .. import services
from ..forms import CloseOverdueForm, ExtendWaitForm
from ..services import missing_documents
from .agents import (
    _back,
    _form_errors,
    _get_message,
    _letter_context,
    _letter_refused,
    _pdf_response,
    letter_values,
    scoped_messages,
    signed_by,
    tell_the_service,
)


@agent_view("read_records")
@require_GET
def overdue_list(request):
    """Waits past their end, oldest first; the clock of each message stays stopped."""
    waits = list(missing_documents.overdue_waits(scoped_messages(request)))
    return render_agents(
        request,
        "correspondence/agents/overdue.html",
        {
            "waits": waits,
            "can_work": request.access.can(request.prefecture, "work"),
            "today": timezone.localdate(),
        },
    )


def _after(request, message, default):
    if request.POST.get("next") == "overdue":
        return redirect("correspondence:agents-overdue", message.prefecture.slug)
    return default


@agent_view("work")
@require_POST
def extend_wait(request, pk: int):
    """Grant more time for the missing documents (overdue or not)."""
    message = _get_message(request, pk)
    form = ExtendWaitForm(request.POST)
    if form.is_valid():
        try:
            wait = services.extend_documents_wait(
                message,
                actor=request.user,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except services.RegisterError as exc:
            flash.error(request, str(exc))
        else:
            # Documents asked after the due date stopped no clock (the message's page).
            clock = (
                "le message reste en retard, le délai de réponse n'étant pas suspendu"
                if wait.made_late
                else "le délai de réponse reste suspendu"
            )
            flash.success(
                request,
                f"Délai prolongé : pièces attendues jusqu'au {wait.ends_on:%d/%m/%Y} ; {clock}.",
            )
    else:
        flash.error(request, _form_errors(form))
    return _after(request, message, _back(message))


@agent_view("work")
@require_POST
def close_overdue(request, pk: int):
    """Close without answer because the documents never came; the letter goes out."""
    message = _get_message(request, pk)
    form = CloseOverdueForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        wait = services.close_for_missing_documents(message, actor=request.user, note=note)
    except services.RegisterError as exc:
        flash.error(request, str(exc))
    else:
        sent = "envoyé par courriel" if message.sender_email else "à imprimer et poster"
        flash.success(request, f"Message {message.reference} clos : courrier de clôture {sent}.")
        if not message.sender_email:
            return redirect(
                "correspondence:agents-documents-closed-letter",
                message.prefecture.slug,
                message.pk,
                wait.pk,
            )
    return _after(request, message, _back(message))


@agent_view("read_records")
def closed_letter(request, pk: int, wait_pk: int):
    """The closing letter of a wait whose documents never came, to post (PDF)."""
    # Fetch first (404 for others' records), then refuse other methods.
    message = _get_message(request, pk)
    wait = get_object_or_404(message.document_requests.filter(closed=True), pk=wait_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refuse_without_people(request)
    subject = f"Clôture de votre demande {message.reference} — pièces non reçues"
    values = letter_values(message, request.user, subject=subject)
    refused = _letter_refused(request, message, values)
    if refused:
        return refused
    listing = "\n".join(f"– {document}" for document in wait.document_list)
    text = (
        "Madame, Monsieur,\n\nLe "
        f"{long_date(wait.requested_on, language='fr')}, nous vous avons demandé les "
        f"pièces suivantes pour compléter votre demande :\n\n{listing}\n\nElles ne nous sont "
        f"pas parvenues au {long_date(wait.ends_on, language='fr')} : après examen de "
        "votre situation, votre demande est close sans réponse. "
        f"{tell_the_service(values['service_coordonnees'], closed=True)}\n\nVeuillez agréer, "
        "Madame, Monsieur, l'expression de nos salutations distinguées."
    )
    context = _letter_context(
        message,
        subject=subject,
        text=text,
        answered_on=message.closed_on or timezone.localdate(),
        **signed_by(values),
    )
    return _pdf_response(
        render_pdf("correspondence/pdf/letter.html", context),
        f"cloture-pieces-{message.reference}.pdf",
    )
