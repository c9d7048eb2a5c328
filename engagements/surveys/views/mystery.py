"""Agents' screens for mystery checks.

The checked prefecture plans checks, sees results and turns failures into actions. The
checking prefecture (itself, or another one for a crossed check) reaches a check only
through its assignment (`checker_prefecture`), and sees only the grid and the service's
public contact details — never the checked prefecture's records or results.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.organisation.access import agent_view
from engagements.shell import hooks
from engagements.shell.pages import render_agents

from .. import mystery
from ..enums import CheckStatus
from ..forms import GridForm, GridResultForm, PlanCheckForm
from ..models import MysteryCheck
from ..mystery import MysteryCheckError
from ..queries import mystery_results_by_service


def _checks(request: HttpRequest):
    checks = request.access.scope(
        MysteryCheck.objects.select_related(
            "service", "service__site", "grid", "checker_prefecture"
        ),
        request.prefecture,
        site_field="service__site",
        service_field="service",
    )
    if not request.access.sees_whole_prefecture(request.prefecture):
        # A check still to come is no mystery once its site's manager reads its day: he
        # sees his sites' checks once done (those who see the whole prefecture plan them).
        checks = checks.exclude(status=CheckStatus.PLANNED)
    return checks


def _assigned(request: HttpRequest):
    # Through the assignment only: no scope on the checked prefecture's data. A check of
    # one's own prefecture is no mystery to the agents of the checked service or site: they
    # neither see it coming nor perform it (those who see the whole prefecture plan them).
    prefecture, access = request.prefecture, request.access
    checks = MysteryCheck.objects.select_related("service", "service__site", "grid").filter(
        checker_prefecture=prefecture, status=CheckStatus.PLANNED
    )
    if not access.sees_whole_prefecture(prefecture):
        checks = checks.exclude(service__in=access.service_ids(prefecture))
    return checks


@agent_view("read_figures")
@require_GET
def check_list(request: HttpRequest) -> HttpResponse:
    checks = _checks(request)
    return render_agents(
        request,
        "surveys/agents/checks.html",
        {
            "checks": checks[:200],
            "by_service": mystery_results_by_service(checks),
            "grids": request.prefecture.grids.prefetch_related("criteria"),
            "plan_form": PlanCheckForm(prefecture=request.prefecture),
            "grid_form": GridForm(),
            "can_manage": request.access.can(request.prefecture, "manage"),
        },
    )


@agent_view("manage")
@require_POST
def check_plan(request: HttpRequest) -> HttpResponse:
    form = PlanCheckForm(request.POST, prefecture=request.prefecture)
    if form.is_valid():
        try:
            mystery.plan_check(request.prefecture, actor=request.user, **form.cleaned_data)
        except MysteryCheckError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Contrôle planifié.")
    else:
        messages.error(
            request,
            "Contrôle non planifié : "
            + " ".join(f"{form.fields[n].label} : {' '.join(e)}" for n, e in form.errors.items()),
        )
    return redirect("surveys:agents-checks", request.prefecture.slug)


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def grid_new(request: HttpRequest) -> HttpResponse:
    form = GridForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grid = mystery.create_grid(
            request.prefecture,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            criteria=form.cleaned_data["criteria"],
        )
        messages.success(request, f"Grille « {grid.name} » créée.")
        return redirect("surveys:agents-checks", request.prefecture.slug)
    return render_agents(
        request, "surveys/agents/form.html", {"form": form, "title": "Nouvelle grille"}
    )


@agent_view("read_figures")
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(_checks(request), pk=pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    results = list(check.results.select_related("criterion"))
    # Follow-up actions (when an app provides them) are shown next to the criterion.
    actions = hooks.linked_actions(results)
    for result in results:
        result.actions = actions.get(result.pk, [])
    return render_agents(
        request,
        "surveys/agents/check.html",
        {
            "check": check,
            "results": results,
            "log": check.log.select_related("actor"),
            "can_manage": request.access.can(request.prefecture, "manage"),
        },
    )


@agent_view("manage")
@require_POST
def check_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(_checks(request), pk=pk)
    try:
        mystery.cancel_check(check, actor=request.user)
    except MysteryCheckError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Contrôle annulé.")
    return redirect("surveys:agents-check", request.prefecture.slug, pk)


@agent_view("work")
@require_GET
def todo_list(request: HttpRequest) -> HttpResponse:
    return render_agents(
        request, "surveys/agents/todo.html", {"checks": _assigned(request).order_by("planned_on")}
    )


@agent_view("work")
@require_http_methods(["GET", "POST"])
def check_perform(request: HttpRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(_assigned(request), pk=pk)
    form = GridResultForm(request.POST or None, grid=check.grid)
    if request.method == "POST" and form.is_valid():
        try:
            mystery.record_check(check, actor=request.user, results=form.results())
        except MysteryCheckError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Contrôle enregistré. Merci.")
            return redirect("surveys:agents-checks-todo", request.prefecture.slug)
    return render_agents(request, "surveys/agents/perform.html", {"check": check, "form": form})
