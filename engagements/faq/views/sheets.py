"""The agents' documentation base: internal procedure sheets per service, with an owner, a
review date and every version kept; searched like the FAQ. Agents' URLs only: nothing here
is public (no public URL, API or search reads `ProcedureSheet`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.organisation.access import agent_view
from engagements.organisation.queries import working_agents
from engagements.shell.pages import render_agents

from .. import services
from ..forms import SheetForm
from ..models import ProcedureSheet
from ..search import search_sheets


def _sheets(request):
    """Every sheet of the prefecture: the documentation base is read by all its agents."""
    return ProcedureSheet.objects.filter(prefecture=request.prefecture).select_related(
        "service__site", "owner", "reviewed_by"
    )


def _editable_services(request):
    prefecture, access = request.prefecture, request.access
    if access.can(prefecture, "manage"):
        from engagements.organisation.models import Service

        return Service.objects.filter(site__prefecture=prefecture, is_active=True).select_related(
            "site"
        )
    return access.services(prefecture).filter(is_active=True)


def _can_edit(request, sheet: ProcedureSheet) -> bool:
    return _editable_services(request).filter(pk=sheet.service_id).exists()


@agent_view("work")
@require_GET
def sheet_list(request):
    today = timezone.localdate()
    sheets = _sheets(request)
    state = request.GET.get("etat", "")
    if state == "a-relire":
        sheets = sheets.filter(review_on__lte=today)
    query = request.GET.get("q", "").strip()
    found = search_sheets(sheets, query) if query else list(sheets.order_by("review_on", "title"))
    for sheet in found:
        sheet.overdue = sheet.review_on <= today
    return render_agents(
        request,
        "faq/agents/sheets.html",
        {"sheets": found[:500], "query": query, "state": state},
    )


@agent_view("work")
def sheet_detail(request, pk: int):
    # Fetch first (404 for others' records), then refuse other methods.
    sheet = get_object_or_404(_sheets(request), pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render_agents(
        request,
        "faq/agents/sheet.html",
        {
            "sheet": sheet,
            "versions": sheet.versions.select_related("saved_by"),
            "can_edit": _can_edit(request, sheet),
            "overdue": sheet.review_on <= timezone.localdate(),
        },
    )


@agent_view("work")
@require_http_methods(["GET", "POST"])
def sheet_edit(request, pk: int | None = None):
    prefecture = request.prefecture
    if pk:
        sheet = get_object_or_404(_sheets(request), pk=pk)
        if not _can_edit(request, sheet):
            messages.error(request, "Seul un agent du service peut modifier cette fiche.")
            return redirect("faq:agents-sheet", prefecture.slug, sheet.pk)
    else:
        sheet = ProcedureSheet(
            prefecture=prefecture, owner=request.user, review_on=services.default_review_on()
        )
    # Offered as owner: those who may edit the sheets of the user's services (and the one
    # already named).
    scoped = not request.access.can(prefecture, "manage")
    owners = working_agents(prefecture, sites=request.access.sites(prefecture) if scoped else None)
    if pk and sheet.owner_id:
        owners = owners | working_agents(prefecture).filter(pk=sheet.owner_id)
    form = SheetForm(
        request.POST or None,
        instance=sheet,
        services=_editable_services(request),
        owners=owners,
    )
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services.save_sheet(
                form.save(commit=False), actor=request.user, note=form.cleaned_data["note"]
            )
        except services.FaqError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Fiche enregistrée (version {sheet.version}).")
            return redirect("faq:agents-sheet", prefecture.slug, sheet.pk)
    return render_agents(
        request,
        "faq/agents/sheet_form.html",
        {
            "form": form,
            "sheet": sheet if pk else None,
            "title": f"Fiche : {sheet.title}" if pk else "Nouvelle fiche de procédure",
        },
    )


@agent_view("work")
@require_POST
def sheet_review(request, pk: int):
    sheet = get_object_or_404(_sheets(request), pk=pk)
    if _can_edit(request, sheet):
        services.mark_sheet_reviewed(sheet, actor=request.user)
        messages.success(request, f"« {sheet.title} » est notée relue.")
    else:  # nothing happened, and nothing said why
        messages.error(request, "Seul un agent du service peut noter cette fiche relue.")
    return redirect("faq:agents-sheet", request.prefecture.slug, sheet.pk)
