"""Agents' pages of the label cycle: labels per site, trainings, the diagnostic per
commitment × site, and the "Calendrier qualité" of the year's obligations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from engagements.csvio import csv_response
from engagements.organisation.access import agent_view

# Through the quality app's own agents' module: the page shell may move, this one follows.
from .. import diagnostic, labels, national, obligations, trainings
from ..cycle_forms import LabelForm, TrainingForm
from ..models import Label, Referential
from .agents import render_agents


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    value = request.GET.get("annee", "")
    if value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return today.year


@agent_view("read_figures")
def label_list(request: HttpRequest) -> HttpResponse:
    prefecture = request.prefecture
    sites = request.access.sites(prefecture)
    form = LabelForm(request.POST or None, sites=sites)
    if request.method == "POST":
        if not request.access.can(prefecture, "manage"):
            raise PermissionDenied
        if form.is_valid():
            try:
                labels.add_label(prefecture, **form.cleaned_data)
            except labels.LabelError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Label enregistré.")
                return redirect("quality:agents-labels", prefecture.slug)
    today = timezone.localdate()
    history = (
        Label.objects.filter(prefecture=prefecture, site__in=sites)
        .select_related("site")
        .order_by("site__position", "site__name", "module", "-obtained_on", "-pk")
    )
    return render_agents(
        request,
        "quality/agents/labels.html",
        {
            "current": labels.current_labels(prefecture, today, sites=sites),
            "to_act_on": labels.labels_to_act_on(prefecture, today, sites=sites),
            "history": history,
            "form": form,
            "today": today,
        },
    )


@agent_view("read_figures")
def training_list(request: HttpRequest) -> HttpResponse:
    prefecture = request.prefecture
    services = request.access.services(prefecture).filter(is_active=True)
    form = TrainingForm(request.POST or None, services=services)
    if request.method == "POST":
        if not request.access.can(prefecture, "manage"):
            raise PermissionDenied
        if form.is_valid():
            try:
                trainings.add_training(prefecture, **form.cleaned_data)
            except trainings.TrainingError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Session de formation enregistrée.")
                return redirect("quality:agents-trainings", prefecture.slug)
    year = _year(request)
    sessions = list(
        trainings.year_sessions(prefecture, year).filter(service__in=services).order_by("date")
    )
    trained = {s.service_id for s in sessions}
    return render_agents(
        request,
        "quality/agents/trainings.html",
        {
            "year": year,
            "sessions": sessions,
            "summary": trainings.year_summary(sessions),
            "untrained": [s for s in services if s.pk not in trained],
            "form": form,
        },
    )


@agent_view("read_figures")
def diagnostic_page(request: HttpRequest) -> HttpResponse:
    prefecture = request.prefecture
    year = _year(request)
    codes = list(Referential.objects.order_by("code").values_list("code", flat=True).distinct())
    code = request.GET.get("referentiel", "")
    if code not in codes:
        code = "services-publics-plus" if "services-publics-plus" in codes else ""
        code = code or (codes[0] if codes else "")
    sites = request.access.sites(prefecture)
    grid = previous = None
    if code:
        grid = diagnostic.diagnostic_grid(prefecture, code, year, sites=sites)
        before = diagnostic.diagnostic_grid(prefecture, code, year - 1, sites=sites)
        previous = {row["commitment"].ref: row["rate"] for row in before["rows"]}
        for row in grid["rows"]:
            row["previous"] = previous.get(row["commitment"].ref)
        grid["previous_average"] = before["average"]
    return render_agents(
        request,
        "quality/agents/diagnostic.html",
        {"year": year, "codes": codes, "code": code, "grid": grid},
    )


@agent_view("read_figures")
def calendar_page(request: HttpRequest) -> HttpResponse:
    prefecture = request.prefecture
    year = _year(request)
    items = obligations.year_obligations(
        prefecture,
        year,
        today=timezone.localdate(),
        sites=request.access.sites(prefecture),
    )
    return render_agents(
        request,
        "quality/agents/calendar.html",
        {
            "year": year,
            "obligations": items,
            "is_national": request.access.is_national_admin,
        },
    )


def _national_only(request: HttpRequest) -> None:
    # Any agent reaches this URL with his own prefecture's slug: only the national
    # administrator sees it exist.
    if not request.access.is_national_admin:
        raise Http404


@agent_view("view")
def national_page(request: HttpRequest) -> HttpResponse:
    _national_only(request)
    overview = national.national_overview(timezone.localdate(), sort=request.GET.get("tri", ""))
    return render_agents(request, "quality/agents/national.html", {"overview": overview})


@agent_view("view")
def national_csv(request: HttpRequest) -> HttpResponse:
    _national_only(request)
    overview = national.national_overview(timezone.localdate(), sort=request.GET.get("tri", ""))
    return csv_response(
        f"labels-national-{timezone.localdate():%Y-%m-%d}.csv",
        national.CSV_HEADER,
        national.csv_rows(overview),
    )
