"""Agents' pages of the label cycle: labels per site, trainings, the diagnostic per
commitment × site, and the "Calendrier qualité" of the year's obligations."""

from __future__ import annotations

from dataclasses import replace
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from engagements.csvio import CsvImportError, csv_response
from engagements.db_router import replica_reads
from engagements.organisation.access import agent_view, get_access
from engagements.shell.pages import render_agents

from .. import diagnostic, labels, national, obligations, service_scopes, trainings
from ..cycle_forms import (
    CycleImportForm,
    LabelForm,
    PlanItemForm,
    ServiceScopeForm,
    TrainingForm,
)
from ..models import Label, Referential


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
    year = _year(request)
    is_plan = request.method == "POST" and request.POST.get("plan") == "1"
    is_session = request.method == "POST" and not is_plan
    form = TrainingForm(request.POST if is_session else None, services=services)
    plan_form = PlanItemForm(request.POST if is_plan else None, services=services, prefix="plan")
    if request.method == "POST" and not request.access.can(prefecture, "manage"):
        raise PermissionDenied
    if is_plan and plan_form.is_valid():
        try:
            service_scopes.add_plan_item(prefecture, year=year, **plan_form.cleaned_data)
        except service_scopes.ScopeError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Formation ajoutée au plan de l'année.")
            return redirect(request.get_full_path())
    if is_session:
        if form.is_valid():
            try:
                trainings.add_training(prefecture, **form.cleaned_data)
            except trainings.TrainingError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Session de formation enregistrée.")
                return redirect("quality:agents-trainings", prefecture.slug)
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
            "plan_form": plan_form,
            "plan": service_scopes.plan_coverage(prefecture, year, services=services),
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
    items = [
        # A link the user could not open is not offered (the meetings are the référent's).
        item if request.access.can(prefecture, item.capability) else replace(item, url="")
        for item in obligations.year_obligations(
            prefecture,
            year,
            today=timezone.localdate(),
            sites=request.access.sites(prefecture),
        )
    ]
    return render_agents(
        request,
        "quality/agents/calendar.html",
        {
            "year": year,
            "obligations": items,
            "is_national": request.access.is_national_admin,
        },
    )


def national_view(view):
    """The national administrator's pages, outside any prefecture's URL: anybody else gets a
    404 (the page's existence is not revealed). The agents' shell shows his first
    prefecture, from which he can switch as usual."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        access = get_access(request)
        if not access.is_national_admin:
            raise Http404
        prefecture = access.prefectures().order_by("name").first()
        if prefecture is None:
            raise Http404
        request.prefecture, request.access = prefecture, access
        return view(request, *args, **kwargs)

    return wrapper


@national_view
@require_GET
@replica_reads
def national_page(request: HttpRequest) -> HttpResponse:
    overview = national.national_overview(timezone.localdate(), sort=request.GET.get("tri", ""))
    return render_agents(request, "quality/agents/national.html", {"overview": overview})


@national_view
@require_GET
@replica_reads
def national_csv(request: HttpRequest) -> HttpResponse:
    overview = national.national_overview(timezone.localdate(), sort=request.GET.get("tri", ""))
    return csv_response(
        f"labels-national-{timezone.localdate():%Y-%m-%d}.csv",
        national.csv_header(overview),
        national.csv_rows(overview),
    )


@agent_view("read_figures")
def service_scope_list(request: HttpRequest) -> HttpResponse:
    prefecture = request.prefecture
    services = list(request.access.services(prefecture).filter(is_active=True))
    users = (
        get_user_model()
        .objects.filter(roles__prefecture=prefecture, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    held = service_scopes.scopes_by_service(prefecture)
    if request.method == "POST":
        if not request.access.can(prefecture, "manage"):
            raise PermissionDenied
        # Only a service in the user's scope: any other one is a 404.
        wanted = request.POST.get("service", "")
        service = next((s for s in services if str(s.pk) == wanted), None)
        if service is None:
            raise Http404
        form = ServiceScopeForm(request.POST, users=users, prefix=f"s{service.pk}")
        if form.is_valid():
            service_scopes.set_service_scope(
                prefecture,
                service,
                form.cleaned_data["modules"],
                fraud_referent=form.cleaned_data["fraud_referent"],
            )
            messages.success(request, f"Périmètre enregistré pour {service.with_article}.")
            return redirect("quality:agents-service-scopes", prefecture.slug)
        messages.error(request, "Périmètre non enregistré : vérifiez le formulaire.")
    people = list(users)  # read once for every service's form
    rows = []
    for service in services:
        scopes = held.get(service.pk, [])
        referent = next((s.fraud_referent for s in scopes if s.module == 2), None)
        rows.append(
            {
                "service": service,
                "modules": [s.module for s in scopes],
                "referent": referent,
                "form": ServiceScopeForm(
                    initial={
                        "modules": [s.module for s in scopes],
                        "fraud_referent": referent.pk if referent else None,
                    },
                    users=users,
                    people=people,
                    prefix=f"s{service.pk}",
                ),
            }
        )
    return render_agents(request, "quality/agents/service_scopes.html", {"rows": rows})


@agent_view("manage")
@require_POST
def cycle_import(request: HttpRequest) -> HttpResponse:
    """Import a CSV of labels, trainings or criterion results (all or nothing)."""
    prefecture = request.prefecture
    form = CycleImportForm(request.POST, request.FILES)
    targets = {
        "labels": "quality:agents-labels",
        "trainings": "quality:agents-trainings",
        "results": "quality:agents-diagnostic",
    }
    if not form.is_valid():
        messages.error(request, "Fichier manquant ou formulaire incomplet.")
        return redirect(targets.get(request.POST.get("kind"), targets["labels"]), prefecture.slug)
    kind, data = form.cleaned_data["kind"], form.cleaned_data["file"].read()
    try:
        if kind == "labels":
            counts = labels.import_labels(prefecture, data)
            text = f"Labels créés : {counts['created']}, corrigés : {counts['updated']}."
        elif kind == "trainings":
            counts = trainings.import_trainings(prefecture, data)
            text = f"Sessions créées : {counts['created']}."
        else:
            year = form.cleaned_data["year"] or timezone.localdate().year
            counts = diagnostic.import_assessment_results(
                prefecture, form.cleaned_data["referential"], year, data
            )
            text = f"Critères créés : {counts['created']}, modifiés : {counts['updated']}."
    except CsvImportError as exc:
        messages.error(request, "Fichier refusé, rien n'a été importé : " + " ; ".join(exc.lines))
    except diagnostic.DiagnosticError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, text)
    return redirect(targets[kind], prefecture.slug)
