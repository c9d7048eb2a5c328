"""The template library in the agents' space, with the CLU review (observations)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.organisation.access import agent_view
from engagements.organisation.enums import RoleKind
from engagements.pdf import render_pdf
from engagements.shell.pages import render_agents

from .. import placeholders, services
from ..enums import VersionStatus
from ..forms import ObservationForm, TemplateForm, VersionForm
from ..models import Observation, Template, TemplateVersion


def _visible_statuses(request) -> list[str]:
    """Managers see drafts; CLU members see what is submitted to them; everyone, published."""
    statuses = [VersionStatus.PUBLISHED]
    if request.access.can(request.prefecture, "committee"):
        statuses.append(VersionStatus.SUBMITTED)
    if request.access.can(request.prefecture, "manage"):
        statuses += [VersionStatus.DRAFT, VersionStatus.SUBMITTED, VersionStatus.ARCHIVED]
    return statuses


# Who records observations on a submitted version: the committee's members (and the
# quality lead who submitted it); the auditor reads the versions submitted to the committee
# but changes nothing, as on the committee's own pages.
OBSERVERS = {RoleKind.COMMITTEE_MEMBER, RoleKind.QUALITY_LEAD, RoleKind.NATIONAL_ADMIN}


def _may_observe(request) -> bool:
    return bool(request.access.kinds(request.prefecture) & OBSERVERS)


def _templates(request):
    return Template.objects.filter(prefecture=request.prefecture).select_related("service__site")


@agent_view("view")
@require_GET
def index(request):
    statuses = _visible_statuses(request)
    templates = _templates(request).prefetch_related(
        Prefetch(
            "versions",
            queryset=TemplateVersion.objects.filter(status__in=statuses).order_by("-number"),
            to_attr="visible_versions",
        )
    )
    templates = [t for t in templates if t.visible_versions]
    submitted = [
        v for t in templates for v in t.visible_versions if v.status == VersionStatus.SUBMITTED
    ]
    return render_agents(
        request,
        "correspondence/agents/templates.html",
        {
            "templates": templates,
            "submitted": submitted,
            "can_committee": request.access.can(request.prefecture, "committee"),
        },
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def new_template(request):
    prefecture = request.prefecture
    form = TemplateForm(request.POST or None, services=request.access.services(prefecture))
    if request.method == "POST" and form.is_valid():
        try:
            version = services.create_template(prefecture, actor=request.user, **form.cleaned_data)
        except services.LibraryError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Modèle créé (brouillon).")
            return redirect("correspondence:agents-template", prefecture.slug, version.template_id)
    return render_agents(
        request,
        "correspondence/agents/template_form.html",
        {"form": form, "title": "Nouveau modèle", "placeholders": placeholders.PLACEHOLDERS},
    )


@agent_view("view")
def detail(request, pk: int):
    # Fetch first (404 for others' records), then refuse other methods.
    template = get_object_or_404(_templates(request), pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    statuses = _visible_statuses(request)
    versions = list(
        template.versions.filter(status__in=statuses).prefetch_related(
            Prefetch("observations", queryset=Observation.objects.select_related("author")),
            "events__actor",
        )
    )
    if not versions:
        raise Http404("Modèle introuvable")
    can_committee = request.access.can(request.prefecture, "committee")
    samples = placeholders.sample_values(request.prefecture, template.service)
    today = timezone.localdate()
    for version in versions:
        # "Publier" is offered once the committee's observation window is over.
        version.in_review = bool(version.observations_until and version.observations_until >= today)
        version.missing = placeholders.missing_blocks(
            template.channel, version.subject, version.body
        )
        version.preview_subject, version.preview_body = placeholders.preview(version, samples)
    return render_agents(
        request,
        "correspondence/agents/template.html",
        {
            "template": template,
            "versions": versions,
            "can_committee": can_committee,
            "can_observe": _may_observe(request),
            "observation_form": ObservationForm(),
        },
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    template = get_object_or_404(_templates(request), pk=pk)
    latest = template.versions.order_by("-number").first()
    form = VersionForm(
        request.POST or None, initial={"subject": latest.subject, "body": latest.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_draft(template, actor=request.user, **form.cleaned_data)
        except services.LibraryError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Brouillon enregistré.")
            return redirect("correspondence:agents-template", request.prefecture.slug, pk)
    return render_agents(
        request,
        "correspondence/agents/template_form.html",
        {
            "form": form,
            "title": f"Modifier « {template.name} »",
            "placeholders": placeholders.PLACEHOLDERS,
            "template": template,
        },
    )


ACTIONS = {
    "soumettre": (services.submit_version, "Version soumise au comité local des usagers."),
    "retirer": (services.withdraw_version, "Version revenue en brouillon."),
    "publier": (services.publish_version, "Version publiée."),
}


@agent_view("manage")
@require_POST
def transition(request, version_pk: int, action: str):
    version = get_object_or_404(
        TemplateVersion.objects.filter(template__prefecture=request.prefecture).select_related(
            "template"
        ),
        pk=version_pk,
    )
    if action not in ACTIONS:
        raise Http404("Action inconnue")
    func, done = ACTIONS[action]
    try:
        func(version, actor=request.user)
    except services.LibraryError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, done)
    return redirect("correspondence:agents-template", request.prefecture.slug, version.template_id)


@agent_view("committee")
@require_POST
def observe(request, version_pk: int):
    """A CLU member records an observation on a submitted version."""
    version = get_object_or_404(
        TemplateVersion.objects.filter(
            template__prefecture=request.prefecture, status=VersionStatus.SUBMITTED
        ),
        pk=version_pk,
    )
    if not _may_observe(request):
        raise PermissionDenied("Seuls les membres du comité font des observations.")
    form = ObservationForm(request.POST)
    if form.is_valid():
        try:
            services.add_observation(version, author=request.user, text=form.cleaned_data["text"])
        except services.LibraryError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, "Observation enregistrée.")
    else:
        flash.error(request, "L'observation est vide.")
    return redirect("correspondence:agents-template", request.prefecture.slug, version.template_id)


@agent_view("view")
@require_GET
def collection(request):
    """The printable collection (recueil) of published templates, for the CLU, preceded by
    the versions submitted to its observations (to those who see them): the committee's
    agenda and invitation point its members here to read what they are asked about."""
    statuses = [VersionStatus.PUBLISHED]
    if VersionStatus.SUBMITTED in _visible_statuses(request):
        statuses.append(VersionStatus.SUBMITTED)
    shown = list(
        TemplateVersion.objects.filter(template__prefecture=request.prefecture, status__in=statuses)
        .select_related("template__service__site")
        .order_by("template__purpose", "template__name")
    )
    versions = [v for v in shown if v.status == VersionStatus.PUBLISHED]
    submitted = [v for v in shown if v.status == VersionStatus.SUBMITTED]
    samples: dict = {}
    for version in submitted + versions:
        service = version.template.service
        key = service.pk if service else None
        if key not in samples:
            samples[key] = placeholders.sample_values(request.prefecture, service)
        version.preview_subject, version.preview_body = placeholders.preview(version, samples[key])
    context = {"versions": versions, "submitted": submitted}
    if request.GET.get("format") == "pdf":
        pdf = render_pdf(
            "correspondence/pdf/collection.html",
            {**context, "prefecture": request.prefecture, "today": timezone.localdate()},
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            False, f"recueil-modeles-{request.prefecture.slug}.pdf"
        )
        return response
    return render_agents(request, "correspondence/agents/collection.html", context)
