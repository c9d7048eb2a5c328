"""Agents' pages of the quality app: actions and plans, referential, assessments, SP+."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.csvio import CsvImportError
from engagements.db_router import replica_reads
from engagements.organisation.access import agent_view
from engagements.pdf import render_pdf
from engagements.shell.pages import render_agents

from .. import evidence as evidence_services
from .. import experiences as experience_services
from .. import queries, referential, services, sources
from ..enums import AssessmentStatus, StatusCode
from ..evidence import AssessmentError
from ..experiences import ExperienceError
from ..forms import (
    ActionForm,
    ActionStatusForm,
    AssessmentForm,
    EffectivenessForm,
    EvidenceForm,
    ExperienceImportForm,
    FindingForm,
    ReopenForm,
    ResultForm,
    ScopeForm,
    StatusForm,
    StructureForm,
    UpdateForm,
)
from ..models import (
    Action,
    ActionPlan,
    ActionStatus,
    Assessment,
    CommitmentResult,
    Evidence,
    EvidenceVersion,
    Experience,
    Finding,
    Referential,
    SiteScope,
    StructureMapping,
)
from ..referential import ReferentialError
from ..services import QualityError

# --- Helpers -------------------------------------------------------------------------------


def _actions(request):
    return request.access.scope(
        Action.objects.select_related("status", "site", "service", "owner", "plan"),
        request.prefecture,
    )


def _assessments(request):
    return request.access.scope(
        Assessment.objects.select_related("site", "referential"),
        request.prefecture,
        service_field=None,
    )


def _can_work(request) -> bool:
    return request.access.can(request.prefecture, "work")


# --- Actions -------------------------------------------------------------------------------


@agent_view("read_records")
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    years = sorted(
        set(_actions(request).values_list("plan__year", flat=True)) | {today.year}, reverse=True
    )
    try:
        year = int(request.GET.get("annee") or today.year)
    except ValueError:
        year = today.year
    actions = _actions(request).filter(plan__year=year).order_by("site__position", "reference")
    site_slug = request.GET.get("site") or ""
    if site_slug:
        actions = actions.filter(site__slug=site_slug)
    state = request.GET.get("etat") or ""
    if state == "late":
        actions = actions.filter(due_on__lt=today).exclude(
            status__base__in=[StatusCode.DONE, StatusCode.ABANDONED]
        )
    elif state in StatusCode.values:
        actions = actions.filter(status__base=state)
    sites = request.access.sites(request.prefecture)
    # Each plan counts the actions the user sees (an agent, his services'), as the list does.
    plans = (
        ActionPlan.objects.filter(prefecture=request.prefecture, site__in=sites, year=year)
        .select_related("site", "validated_by")
        .annotate(count=Count("actions", filter=Q(actions__in=_actions(request).values("pk"))))
        # An aggregate query drops the model's ordering: the sites' order, explicitly.
        .order_by("site__position", "site__name")
    )
    report = queries.action_plan_report(request.prefecture, year)
    return render_agents(
        request,
        "quality/agents/actions.html",
        {
            "actions": actions,
            "plans": plans,
            "year": year,
            "years": years,
            "sites": sites,
            "site_slug": site_slug,
            "state": state,
            "states": StatusCode.choices,
            "today": today,
            "report": report if request.access.sees_whole_prefecture(request.prefecture) else None,
            "can_work": _can_work(request),
        },
    )


@agent_view("read_records")
@require_GET
@replica_reads
def plan_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The year's action plan, printable (the plans page's actions, its site filter kept):
    each site's plan with its actions, engagement or theme, pilot, due date, status and
    progress, late ones marked."""
    today = timezone.localdate()
    if not 2000 <= year <= 2100:
        raise Http404("Année inconnue")
    sites = request.access.sites(request.prefecture)
    site_slug = request.GET.get("site") or ""
    if site_slug:
        sites = sites.filter(slug=site_slug)
    actions = (
        _actions(request)
        .filter(plan__year=year, site__in=sites)
        .select_related("parent")
        .order_by("site__position", "site__name", "reference")
    )
    rows = queries.plan_rows(actions, today)
    plans = (
        ActionPlan.objects.filter(prefecture=request.prefecture, site__in=sites, year=year)
        .select_related("site", "validated_by")
        .order_by("site__position", "site__name")
    )
    sections = [
        {"plan": plan, "rows": [r for r in rows if r["action"].site_id == plan.site_id]}
        for plan in plans
    ]
    pdf = render_pdf(
        "quality/pdf/action_plan.html",
        {
            "prefecture": request.prefecture,
            "year": year,
            "sections": [s for s in sections if s["rows"]],
            "total": len(rows),
            "late": sum(r["late"] for r in rows),
            "done": sum(r["action"].status.base == StatusCode.DONE for r in rows),
            "site": sites.first() if site_slug else None,
            "today": today,
            "now": timezone.now(),
        },
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"plan-d-actions-{request.prefecture.slug}-{year}"
    response["Content-Disposition"] = content_disposition_header(
        False, f"{name}-{site_slug}.pdf" if site_slug else f"{name}.pdf"
    )
    return response


@agent_view("work")
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest) -> HttpResponse:
    """Create an action, from a source record (`?source=app.model:pk`) or from scratch."""
    raw, source, info = _source(request)
    info, initial = _initial_for_new(request, info)
    form = ActionForm(
        request.POST or None,
        initial=initial,
        prefecture=request.prefecture,
        sites=request.access.sites(request.prefecture),
        services=request.access.services(request.prefecture),
        parents=_actions(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.create_action(
                request.prefecture,
                actor=request.user,
                source=source,
                source_label=info.label if info else "",
                **form.service_data(),
            )
        except QualityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Action {action.reference} créée.")
            return redirect("quality:agents-action", request.prefecture.slug, action.pk)
    return render_agents(
        request,
        "quality/agents/action_form.html",
        {
            "form": form,
            "info": info,
            "source_key": raw,
            "criterion_code": request.GET.get("critere", "") if info else "",
            "action": None,
        },
    )


def _source(request) -> tuple[str, object, sources.SourceInfo | None]:
    """The `?source=` key, its record and description (404 when unknown or out of scope)."""
    raw = request.GET.get("source") or request.POST.get("source") or ""
    if not raw:
        return raw, None, None
    try:
        source, info = queries.source_in(raw, request.prefecture)
    except sources.SourceNotFound as exc:
        raise Http404("Source inconnue") from exc
    # A record of a site outside the user's scope stays hidden too.
    if info.site is not None and info.site.pk not in request.access.site_ids(request.prefecture):
        raise Http404("Source inconnue")
    return raw, source, info


def _initial_for_new(request, info):
    """(source description with the survey criterion, the form's initial values)."""
    initial = {}
    if info is not None:
        criterion = _criterion_label(request.GET.get("critere") or request.POST.get("critere"))
        if criterion and info.kind == "survey":
            info = dataclasses.replace(
                info,
                label=f"{info.label} — critère « {criterion} »",
                title=info.title or f"Améliorer : {criterion}",
            )
        initial = {"title": info.title, "site": info.site, "service": info.service}
        initial["kind"] = "corrective" if info.kind in ("complaint", "audit") else "improvement"
    parent = request.GET.get("parent")
    if parent and parent.isdigit():
        found = _actions(request).filter(pk=int(parent)).first()
        if found is not None:
            initial.update({"parent": found, "site": found.site, "year": found.plan.year})
    return info, initial


def _criterion_label(code: str | None) -> str:
    """The label of a survey criterion code (surveys below target pass `?critere=`)."""
    if not code or not apps.is_installed("engagements.surveys"):
        return ""
    from engagements.surveys.enums import Criterion

    return str(dict(Criterion.choices).get(code, ""))


def _action_or_404(request, pk: int) -> Action:
    return get_object_or_404(_actions(request), pk=pk)


@agent_view("read_records")
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_or_404(request, pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    return _action_page(request, action)


def _progress_locked(action: Action, children) -> str:
    """Why the progress of this action is not typed on its page ("" : it is)."""
    if action.is_closed:
        return f"L'action est « {action.status.label} » : son avancement est verrouillé."
    if children:
        return "L'avancement de cette action vient de ses sous-actions."
    return ""


def _action_page(request, action: Action, *, bound=None, status: int = 200) -> HttpResponse:
    """The action's page; `bound`: a form refused, shown with what was typed."""
    children = list(action.children.select_related("status"))
    forms = {
        "status_form": StatusForm(prefecture=request.prefecture, prefix="status"),
        "reopen_form": ReopenForm(prefecture=request.prefecture, prefix="reopen"),
        "update_form": UpdateForm(prefix="update", locked=_progress_locked(action, children)),
        "effectiveness_form": EffectivenessForm(
            initial={"text": action.effectiveness_check}, prefix="effectiveness"
        ),
    }
    if bound is not None:
        forms[f"{bound.prefix}_form"] = bound
    response = render_agents(
        request,
        "quality/agents/action.html",
        {
            "action": action,
            "updates": action.updates.select_related("author"),
            "children": children,
            **forms,
            "can_work": _can_work(request),
            "is_late": action.is_late(timezone.localdate()),
        },
    )
    response.status_code = status
    return response


@agent_view("work")
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action_or_404(request, pk)
    initial = {
        name: getattr(action, name)
        for name in [
            "title",
            "kind",
            "service",
            "owner",
            "start_on",
            "due_on",
            "description",
            "public_summary",
            "is_public",
        ]
    }
    form = ActionForm(
        request.POST or None,
        initial=initial,
        prefecture=request.prefecture,
        sites=request.access.sites(request.prefecture),
        services=request.access.services(request.prefecture).filter(site=action.site),
        editing=True,
        action_site=action.site,
        translations=action.translations,
    )
    for name in services.LOCKED_WHEN_CLOSED if action.is_closed else ():
        form.fields[name].disabled = True
        form.fields[name].help_text = "Verrouillé : l'action est clôturée (rouvrez-la)."
    if request.method == "POST" and form.is_valid():
        try:
            services.update_action(
                action, actor=request.user, **form.service_data(action.translations)
            )
        except QualityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Action modifiée.")
            return redirect("quality:agents-action", request.prefecture.slug, action.pk)
    return render_agents(
        request,
        "quality/agents/action_form.html",
        {"form": form, "info": None, "source_key": "", "criterion_code": "", "action": action},
    )


def _post_on_action(request, pk, form_class, apply, success, prefix):
    """One of the action page's forms: done, back to the page; refused, the page again with
    the form as typed and its errors in French (nothing written)."""
    action = _action_or_404(request, pk)
    kwargs = {"prefecture": request.prefecture} if form_class in (StatusForm, ReopenForm) else {}
    if form_class is UpdateForm:
        kwargs["locked"] = _progress_locked(action, list(action.children.all()))
    form = form_class(request.POST, prefix=prefix, **kwargs)
    if form.is_valid():
        try:
            apply(action, form.cleaned_data)
        except QualityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success)
            return redirect("quality:agents-action", request.prefecture.slug, action.pk)
    return _action_page(request, action, bound=form, status=400)


@agent_view("work")
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_action(
        request,
        pk,
        StatusForm,
        lambda a, d: services.change_status(
            a, d["status"], actor=request.user, text=d["text"], closed_on=d["closed_on"]
        ),
        "Statut modifié.",
        "status",
    )


@agent_view("work")
@require_POST
def action_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_action(
        request,
        pk,
        ReopenForm,
        lambda a, d: services.reopen_action(
            a, actor=request.user, reason=d["reason"], status=d["status"]
        ),
        "Action rouverte : la réouverture et son motif sont dans l'historique.",
        "reopen",
    )


@agent_view("work")
@require_POST
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_action(
        request,
        pk,
        UpdateForm,
        lambda a, d: services.add_update(
            a, actor=request.user, text=d["text"], progress=d.get("progress"), on=d["on"]
        ),
        "Point d'avancement ajouté.",
        "update",
    )


@agent_view("work")
@require_POST
def action_effectiveness(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_on_action(
        request,
        pk,
        EffectivenessForm,
        lambda a, d: services.record_effectiveness(a, actor=request.user, text=d["text"]),
        "Vérification de l'efficacité enregistrée.",
        "effectiveness",
    )


@agent_view("manage")
@require_POST
def plan_validate(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(ActionPlan.objects.filter(prefecture=request.prefecture), pk=pk)
    try:
        services.validate_plan(plan, actor=request.user)
    except QualityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{plan} validé.")
    url = reverse("quality:agents-actions", args=[request.prefecture.slug])
    return redirect(f"{url}?annee={plan.year}")


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def status_list(request: HttpRequest) -> HttpResponse:
    """The prefecture's status list: labels, the state each maps to, default progress."""
    statuses = services.ensure_statuses(request.prefecture)
    form = ActionStatusForm(request.POST or None, prefix="new")
    if request.method == "POST":
        edited = None
        pk = request.POST.get("status")
        if pk:
            edited = get_object_or_404(
                ActionStatus.objects.filter(prefecture=request.prefecture), pk=pk
            )
            form = ActionStatusForm(request.POST, prefix=f"s{edited.pk}")
        if form.is_valid():
            try:
                services.save_status(request.prefecture, status=edited, **form.cleaned_data)
            except QualityError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "Statut enregistré.")
                return redirect("quality:agents-statuses", request.prefecture.slug)
        else:
            messages.error(request, "Vérifiez le libellé, l'état et l'avancement (0 à 100).")
    rows = [
        (
            status,
            ActionStatusForm(
                prefix=f"s{status.pk}",
                initial={
                    "label": status.label,
                    "base": status.base,
                    "default_progress": status.default_progress,
                    "position": status.position,
                },
            ),
        )
        for status in sorted(statuses, key=lambda s: (s.position, s.pk))
    ]
    return render_agents(
        request,
        "quality/agents/statuses.html",
        {"rows": rows, "form": ActionStatusForm(prefix="new")},
    )


@agent_view("manage")
@require_POST
def plan_presented(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(ActionPlan.objects.filter(prefecture=request.prefecture), pk=pk)
    try:
        on = date.fromisoformat(request.POST.get("presented_on", ""))
        services.record_presentation(plan, on)
    except ValueError:
        messages.error(request, "Indiquez la date de présentation au comité.")
    except QualityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{plan} : présentation au comité enregistrée.")
    url = reverse("quality:agents-actions", args=[request.prefecture.slug])
    return redirect(f"{url}?annee={plan.year}")


# --- Referential and scopes ----------------------------------------------------------------


@agent_view("read_figures")
@require_GET
def referential_list(request: HttpRequest) -> HttpResponse:
    referentials = Referential.objects.prefetch_related("modules__commitments")
    sites = request.access.sites(request.prefecture).prefetch_related(
        Prefetch("quality_scopes", queryset=SiteScope.objects.select_related("module"))
    )
    scopes = []
    for site in sites:
        chosen = {s.module_id for s in site.quality_scopes.all()}
        for ref in referentials:
            numbers = [m.number for m in ref.modules.all() if m.pk in chosen]
            scopes.append(
                {
                    "site": site,
                    "referential": ref,
                    "numbers": numbers,
                    "form": ScopeForm(initial={"modules": numbers}, referential=ref),
                }
            )
    return render_agents(
        request,
        "quality/agents/referentials.html",
        {"referentials": referentials, "scopes": scopes},
    )


@agent_view("manage")
@require_POST
def scope_edit(request: HttpRequest, site_pk: int, referential_pk: int) -> HttpResponse:
    site = get_object_or_404(request.access.sites(request.prefecture), pk=site_pk)
    ref = get_object_or_404(Referential, pk=referential_pk)
    form = ScopeForm(request.POST, referential=ref)
    if form.is_valid():
        try:
            referential.set_site_scope(site, ref, form.cleaned_data["modules"])
        except ReferentialError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Périmètre de {site.name} enregistré.")
    return redirect("quality:agents-referentials", request.prefecture.slug)


# --- Assessments ---------------------------------------------------------------------------


@agent_view("read_figures")
@require_http_methods(["GET", "POST"])
def assessment_list(request: HttpRequest) -> HttpResponse:
    form = AssessmentForm(request.POST or None, sites=request.access.sites(request.prefecture))
    if request.method == "POST":
        if not request.access.can(request.prefecture, "manage"):
            raise PermissionDenied
        if form.is_valid():
            assessment = evidence_services.create_assessment(**form.cleaned_data)
            messages.success(request, "Évaluation créée.")
            return redirect("quality:agents-assessment", request.prefecture.slug, assessment.pk)
    return render_agents(
        request,
        "quality/agents/assessments.html",
        {
            "assessments": _assessments(request).annotate(findings_count=Count("findings")),
            "form": form,
            "next_audit": queries.next_audit_date(request.prefecture),
        },
    )


def _assessment_or_404(request, pk) -> Assessment:
    return get_object_or_404(_assessments(request), pk=pk)


@agent_view("read_figures")
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    rows = evidence_services.pack_rows(assessment)
    can_manage = request.access.can(request.prefecture, "manage")
    for row in rows:
        row["form"] = ResultForm(
            initial={"result": row["result"].result, "comment": row["result"].comment},
            prefix=f"r{row['result'].pk}",
        )
    evidence = Evidence.objects.filter(prefecture=request.prefecture)
    return render_agents(
        request,
        "quality/agents/assessment.html",
        {
            "assessment": assessment,
            "rows": rows,
            "general": assessment.findings.filter(commitment__isnull=True),
            "attainment": queries.attainment_by_module(assessment),
            "finding_form": FindingForm(assessment=assessment),
            "evidence_form": EvidenceForm(assessment=assessment, evidence=evidence),
            "can_manage": can_manage,
            "can_work": _can_work(request),
            "findings": assessment.findings.select_related("commitment"),
            "action_links": _finding_actions(assessment),
            "statuses": AssessmentStatus.choices,
        },
    )


def _finding_actions(assessment) -> dict[int, Action]:
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Finding)
    return {
        a.source_id: a
        for a in Action.objects.filter(
            source_type=ct, source_id__in=assessment.findings.values("pk")
        )
    }


@agent_view("manage")
@require_POST
def result_edit(request: HttpRequest, pk: int, result_pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    result = get_object_or_404(CommitmentResult, assessment=assessment, pk=result_pk)
    form = ResultForm(request.POST, prefix=f"r{result.pk}")
    if form.is_valid():
        try:
            evidence_services.record_result(
                result, value=form.cleaned_data["result"], comment=form.cleaned_data["comment"]
            )
        except AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Résultat de {result.commitment.ref} enregistré.")
    return redirect("quality:agents-assessment", request.prefecture.slug, assessment.pk)


@agent_view("manage")
@require_POST
def assessment_status(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    try:
        evidence_services.set_status(assessment, request.POST.get("status", ""))
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Évaluation « {assessment.get_status_display()} ».")
    return redirect("quality:agents-assessment", request.prefecture.slug, assessment.pk)


@agent_view("manage")
@require_POST
def finding_new(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    form = FindingForm(request.POST, assessment=assessment)
    if form.is_valid():
        try:
            evidence_services.add_finding(assessment, **form.cleaned_data)
        except AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Constat ajouté.")
    else:
        messages.error(request, "Constat incomplet : choisissez un type et écrivez le constat.")
    return redirect("quality:agents-assessment", request.prefecture.slug, assessment.pk)


@agent_view("manage")
@require_POST
def evidence_new(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    form = EvidenceForm(
        request.POST,
        request.FILES,
        assessment=assessment,
        evidence=Evidence.objects.filter(prefecture=request.prefecture),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["existing"] and not (data["file"] or data["url"]):
                evidence_services.attach_evidence(data["result"], data["existing"])
            else:
                evidence_services.add_evidence(
                    prefecture=request.prefecture,
                    title=data["title"] or "",
                    actor=request.user,
                    site=assessment.site,
                    commitment=data["result"].commitment,
                    file=data["file"],
                    url=data["url"],
                    evidence=data["existing"],
                    result=data["result"],
                )
        except AssessmentError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Preuve enregistrée.")
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("quality:agents-assessment", request.prefecture.slug, assessment.pk)


def _evidence_versions(request):
    """Proofs of the user's sites: a site manager reads those of his sites, those attached to
    an assessment of his sites (a proof is reused across sites) and the prefecture's own."""
    prefecture, access = request.prefecture, request.access
    versions = EvidenceVersion.objects.filter(evidence__prefecture=prefecture)
    if access.sees_whole_prefecture(prefecture):
        return versions
    site_ids = access.site_ids(prefecture)
    attached = Assessment.objects.filter(site__in=site_ids).values("results__evidence")
    return versions.filter(
        Q(evidence__site__isnull=True) | Q(evidence__site__in=site_ids) | Q(evidence__in=attached)
    )


@agent_view("read_figures")
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(_evidence_versions(request).exclude(file=""), pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        with version.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404("Fichier absent") from exc
    # Any alphabet: FileResponse writes filename*=utf-8''… (RFC 6266).
    return FileResponse(
        io.BytesIO(content),
        filename=version.filename,
        as_attachment=True,
        content_type="application/octet-stream",
    )


@agent_view("read_figures")
@replica_reads
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    pdf = render_pdf(
        "quality/pdf/assessment.html",
        {
            "assessment": assessment,
            "rows": evidence_services.pack_rows(assessment),
            "attainment": queries.attainment_by_module(assessment),
            "findings": assessment.findings.select_related("commitment"),
            "now": timezone.now(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"evaluation-{assessment.pk}.pdf"
    )
    return response


@agent_view("read_figures")
def assessment_pack(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    response = HttpResponse(
        evidence_services.build_evidence_pack(assessment), content_type="application/zip"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"preuves-{assessment.pk}.zip"
    )
    return response


# --- SP+ experiences -----------------------------------------------------------------------


@agent_view("read_figures")
@require_GET
def experience_list(request: HttpRequest) -> HttpResponse:
    sites = request.access.sites(request.prefecture)
    experiences = request.access.scope(
        Experience.objects.select_related("site"), request.prefecture, service_field=None
    )
    year = timezone.localdate().year
    return render_agents(
        request,
        "quality/agents/experiences.html",
        {
            "experiences": experiences[:200],
            "figures": queries.experience_figures(request.prefecture),
            "year": year,
            "unmatched": experience_services.unmatched_structures(request.prefecture),
            "mappings": StructureMapping.objects.filter(
                prefecture=request.prefecture
            ).select_related("site"),
            "import_form": ExperienceImportForm(),
            "structure_form": StructureForm(sites=sites),
            "can_work": _can_work(request),
        },
    )


@agent_view("manage")
@require_POST
def experience_import(request: HttpRequest) -> HttpResponse:
    form = ExperienceImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = experience_services.import_experiences(
                request.prefecture, upload.read(), upload.name
            )
        except CsvImportError as exc:
            messages.error(
                request, "Fichier refusé, rien n'a été importé : " + " ; ".join(exc.lines)
            )
        else:
            messages.success(
                request,
                f"Expériences créées : {result['created']}, mises à jour : {result['updated']}.",
            )
            if result["unmatched"]:
                messages.warning(
                    request,
                    "Structures sans site (à relier dans le tableau) : "
                    + ", ".join(result["unmatched"]),
                )
    return redirect("quality:agents-experiences", request.prefecture.slug)


@agent_view("manage")
@require_POST
def structure_map(request: HttpRequest) -> HttpResponse:
    form = StructureForm(request.POST, sites=request.access.sites(request.prefecture))
    if form.is_valid():
        try:
            experience_services.map_structure(request.prefecture, **form.cleaned_data)
        except ExperienceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Structure reliée au site.")
    else:
        messages.error(request, "Indiquez la structure et le site.")
    return redirect("quality:agents-experiences", request.prefecture.slug)
