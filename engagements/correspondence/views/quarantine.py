"""Mails "à vérifier": what the ingestion could not register, for the référent to resolve.

Also the agents' home item counting them (registered with navigation.register_todo).
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from engagements.organisation.access import agent_view
from engagements.shell import navigation
from engagements.shell.pages import render_agents

from ..enums import QuarantineStatus
from ..forms import QuarantineRegisterForm
from ..models import QuarantinedMail
from ..services.ingestion import (
    IngestionError,
    describe_raw,
    discard_quarantined,
    read_raw,
    register_quarantined,
)


def scoped_quarantine(request):
    return request.access.scope(
        QuarantinedMail.objects.select_related("mailbox", "message", "resolved_by"),
        request.prefecture,
        prefecture_field="mailbox__prefecture",
        site_field="mailbox__site",
        service_field="mailbox__service",
    )


@agent_view("manage")
def index(request):
    qs = scoped_quarantine(request)
    pending = qs.filter(status=QuarantineStatus.PENDING)
    page = Paginator(qs.exclude(status=QuarantineStatus.PENDING), 30).get_page(
        request.GET.get("page")
    )
    return render_agents(
        request,
        "correspondence/agents/quarantine.html",
        {"pending": list(pending[:200]), "page": page},
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    item = get_object_or_404(scoped_quarantine(request), pk=pk)
    pending = item.status == QuarantineStatus.PENDING
    info = describe_raw(read_raw(item)) if pending else {}
    form = None
    if pending:
        form = QuarantineRegisterForm(
            request.POST or None,
            initial={
                "sender_name": info.get("sender_name", ""),
                "sender_email": info.get("sender_email", ""),
                "subject": info.get("subject", ""),
                "body": info.get("body", ""),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                message = register_quarantined(item, actor=request.user, **form.cleaned_data)
            except IngestionError as exc:
                form.add_error(None, str(exc))
            else:
                flash.success(request, f"Courriel enregistré sous la référence {message}.")
                return redirect("correspondence:agents-detail", request.prefecture.slug, message.pk)
    elif request.method == "POST":
        flash.error(request, "Ce courriel a déjà été traité.")
        return redirect("correspondence:agents-quarantine", request.prefecture.slug)
    return render_agents(
        request,
        "correspondence/agents/quarantine_detail.html",
        {"item": item, "info": info, "form": form, "pending": pending},
    )


@agent_view("manage")
@require_POST
def discard(request, pk: int):
    item = get_object_or_404(scoped_quarantine(request), pk=pk)
    try:
        discard_quarantined(item, actor=request.user)
    except IngestionError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, "Courriel écarté ; il reste sur le serveur de messagerie.")
    return redirect("correspondence:agents-quarantine", request.prefecture.slug)


@agent_view("manage")
def raw(request, pk: int):
    item = get_object_or_404(scoped_quarantine(request), pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if not item.raw:
        raise Http404("La copie de ce courriel a été supprimée.")
    try:
        handle = item.raw.open("rb")
    except FileNotFoundError as exc:
        raise Http404("La copie de ce courriel n'est plus disponible sur le serveur.") from exc
    return FileResponse(
        handle,
        filename=f"courriel-{item.pk}.eml",
        as_attachment=True,
        content_type="message/rfc822",
    )


def home_items(request) -> list[navigation.Todo]:
    """Agents' home: mails waiting for the référent's check (one query)."""
    prefecture = request.prefecture
    if not request.access.can(prefecture, "manage"):
        return []
    count = scoped_quarantine(request).filter(status=QuarantineStatus.PENDING).count()
    if not count:
        return []
    label = ngettext(
        "%(count)d courriel à vérifier (non enregistré)",
        "%(count)d courriels à vérifier (non enregistrés)",
        count,
    ) % {"count": count}
    return [
        navigation.Todo(
            label,
            reverse("correspondence:agents-quarantine", args=[prefecture.slug]),
            count=count,
            level="error",
            group="Courriers",
        )
    ]
