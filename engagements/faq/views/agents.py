"""Agents' FAQ pages: list (to review first), create/edit, mark reviewed, searches without
an answer (candidate questions), and the answer picker of the correspondence register."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.organisation.access import agent_view
from engagements.shell.pages import render_agents

from .. import services
from ..forms import EntryForm
from ..models import Entry, SearchMiss
from ..search import review_cutoff, review_months, search
from ..todos import scoped_entries


def _services(request):
    return request.access.services(request.prefecture).filter(is_active=True).order_by("name")


def _scoped_misses(request):
    prefecture, access = request.prefecture, request.access
    qs = SearchMiss.objects.filter(prefecture=prefecture, dismissed=False)
    if access.can(prefecture, "manage"):
        return qs
    return qs.filter(service__in=access.service_ids(prefecture))


@agent_view("work")
@require_GET
def entry_list(request):
    from django.utils import timezone

    cutoff = review_cutoff(timezone.localdate())
    qs = (
        scoped_entries(request)
        .select_related("site", "service", "reviewed_by")
        .order_by("reviewed_on", "question")
    )
    state = request.GET.get("etat", "")
    if state == "a-relire":
        qs = qs.filter(reviewed_on__lte=cutoff)
    query = request.GET.get("q", "").strip()
    if query:
        from ..text import normalise

        qs = qs.filter(search_text__contains=normalise(query))
    entries = list(qs[:500])
    for entry in entries:
        entry.overdue = entry.reviewed_on <= cutoff
    return render_agents(
        request,
        "faq/agents/list.html",
        {
            "entries": entries,
            "state": state,
            "query": query,
            "months": review_months(),
            "miss_count": _scoped_misses(request).count(),
        },
    )


@agent_view("work")
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int | None = None):
    prefecture = request.prefecture
    manage = request.access.can(prefecture, "manage")
    entry = get_object_or_404(scoped_entries(request), pk=pk) if pk else None
    initial = {}
    if entry is None:
        initial = {"question": request.GET.get("question", "")[:300]}
        if request.GET.get("service"):
            initial["service"] = request.GET["service"]
    form = EntryForm(
        request.POST or None,
        instance=entry or Entry(prefecture=prefecture),
        initial=initial,
        services=_services(request),
        whole_prefecture=manage,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_entry(form.save(commit=False), actor=request.user)
        except services.FaqError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Question « {saved.question} » enregistrée.")
            return redirect("faq:agents-list", prefecture.slug)
    history = []
    if entry is not None:
        for record in entry.history.select_related("history_user")[:20]:
            history.append(
                {
                    "when": record.history_date,
                    "who": record.history_user or "—",
                    "action": record.get_history_type_display(),
                    "object": record.question,
                    "changes": [],
                }
            )
    return render_agents(
        request,
        "faq/agents/form.html",
        {
            "form": form,
            "entry": entry,
            "title": "Modifier la question" if entry else "Nouvelle question",
            "history": history,
        },
    )


@agent_view("work")
@require_POST
def entry_review(request, pk: int):
    entry = get_object_or_404(scoped_entries(request), pk=pk)
    services.mark_reviewed(entry, actor=request.user)
    messages.success(request, f"Réponse « {entry.question} » marquée comme relue aujourd'hui.")
    url = reverse("faq:agents-list", args=[request.prefecture.slug])
    return redirect(url + ("?etat=a-relire" if request.POST.get("etat") == "a-relire" else ""))


@agent_view("work")
@require_GET
def miss_list(request):
    misses = list(_scoped_misses(request).select_related("service", "service__site")[:200])
    return render_agents(request, "faq/agents/misses.html", {"misses": misses})


@agent_view("work")
@require_POST
def miss_dismiss(request, pk: int):
    miss = get_object_or_404(_scoped_misses(request), pk=pk)
    services.dismiss_miss(miss)
    messages.success(request, f"Recherche « {miss.query} » écartée.")
    return redirect("faq:agents-misses", request.prefecture.slug)


@agent_view("work")
@require_GET
def insert_search(request):
    """JSON for the correspondence answer form: FAQ answers matching `q` (any language)."""
    query = request.GET.get("q", "").strip()[:200]
    results = []
    if query:
        for language in ("fr", "en"):
            results += search(request.prefecture, query, language=language, limit=5)
    return JsonResponse(
        {
            "results": [
                {
                    "id": e.pk,
                    "question": e.question,
                    "answer": e.answer,
                    "language": e.language,
                    "service": e.service.name if e.service else "",
                }
                for e in results[:8]
            ]
        }
    )
