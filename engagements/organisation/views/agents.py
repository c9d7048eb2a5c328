"""Login, the agents' homes and the organisation settings screens (the page shell is
engagements/shell/pages.py)."""

from __future__ import annotations

from datetime import date
from itertools import chain

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from engagements import words
from engagements.shell import hooks, navigation
from engagements.shell.pages import render_agents

from .. import services
from ..access import agent_view, get_access
from ..enums import HoursChannel, Indicator
from ..forms import (
    ClosureForm,
    DayHoursForm,
    GlossaryForm,
    PlatformForm,
    PrefectureSettingsForm,
    ServiceForm,
    SiteForm,
    TargetsForm,
)
from ..login_throttle import ThrottledAuthenticationForm
from ..models import (
    Closure,
    OpeningHours,
    PlatformHours,
    Service,
    Site,
    Target,
    TelephonePlatform,
)
from ..queries import platform_weekly_hours, weekly_hours


class LoginView(auth_views.LoginView):
    template_name = "organisation/agents/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["password_login_enabled"] = settings.PASSWORD_LOGIN_ENABLED
        context["login_options"] = hooks.login_options(self.request, context.get("next", ""))
        return context

    def post(self, request, *args, **kwargs):
        if not settings.PASSWORD_LOGIN_ENABLED:
            messages.error(
                request, "La connexion par mot de passe est désactivée : utilisez ProConnect."
            )
            return redirect("organisation:agents-login")
        return super().post(request, *args, **kwargs)


@login_required
def home(request):
    """Send the user to his prefecture's space (or let him choose among several)."""
    access = get_access(request)
    prefectures = list(access.prefectures())
    # The national administrators' own pages (other apps register them), outside any
    # prefecture: listed here, where they start.
    national = (
        [
            {"label": link.label, "url": reverse(link.url_name)}
            for link in navigation.national_links()
        ]
        if access.is_national_admin
        else []
    )
    if len(prefectures) == 1 and not national:
        return redirect("organisation:agents-prefecture", prefectures[0].slug)
    return render(
        request,
        "organisation/agents/choose.html",
        {"prefectures": prefectures, "national_links": national},
    )


@agent_view("view")
def prefecture_home(request):
    prefecture = request.prefecture
    services_qs = Service.objects.filter(is_active=True).order_by("name")
    sites = request.access.sites(prefecture).prefetch_related(
        Prefetch(
            "services",
            queryset=services_qs.filter(pk__in=request.access.service_ids(prefecture)),
        )
    )
    return render_agents(
        request,
        "organisation/agents/home.html",
        {"sites": sites, "todos": navigation.todos(request)},
    )


@agent_view("view")
def settings_overview(request):
    prefecture = request.prefecture
    sites = list(
        prefecture.sites.prefetch_related(
            "services", "opening_hours", "telephone_platforms__hours"
        ).order_by("position")
    )
    for site in sites:
        site.reception_hours = weekly_hours(site, HoursChannel.RECEPTION)
        site.telephone_hours = weekly_hours(site, HoursChannel.TELEPHONE)
        site.platforms = list(site.telephone_platforms.all())
        for platform in site.platforms:
            platform.week = platform_weekly_hours(platform)
    year = date.today().year
    values = prefecture.targets_for(year)
    targets = [
        {"label": ind.label, "value": values.get(ind.value)}
        for ind in Indicator
        if values.get(ind.value) is not None
    ]
    # Sites' overrides of the prefecture's targets (docs/indicators.md, Targets).
    overrides = [
        {"site": target.site, "label": target.get_indicator_display(), "value": target.value}
        for target in prefecture.targets.filter(year=year, site__isnull=False)
        .select_related("site")
        .order_by("site__position", "site__name", "indicator")
    ]
    closures = prefecture.closures.select_related("site").filter(date__gte=date.today())
    return render_agents(
        request,
        "organisation/agents/settings.html",
        {
            "sites": sites,
            "closures": closures,
            "targets": targets,
            "next_year": year + 1,
            "target_overrides": overrides,
            "year": year,
            "closure_form": ClosureForm(prefecture=prefecture),
            "deadlines": [
                ("Courriel", prefecture.deadline_email),
                ("Courrier", prefecture.deadline_letter),
                ("Urne", prefecture.deadline_box),
                ("Formulaire en ligne", prefecture.deadline_web_form),
                ("Plateforme SP+", prefecture.deadline_sp_plus),
                ("Réseaux sociaux", prefecture.deadline_social),
            ],
        },
    )


def _back_to_settings(request) -> HttpResponseRedirect:
    return redirect("organisation:agents-settings", request.prefecture.slug)


def _form_page(request, form, *, save, success: str, title: str, history=()):
    """Show a settings form; on a valid POST, save through a service and go back to the
    settings, or show the service's refusal on the form (what was typed is kept)."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, success)
            return _back_to_settings(request)
    return render_agents(
        request,
        "organisation/agents/form.html",
        {"form": form, "title": title, "history": _history(history)},
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit_prefecture(request):
    prefecture = request.prefecture
    return _form_page(
        request,
        PrefectureSettingsForm(request.POST or None, instance=prefecture),
        save=lambda form: services.update_prefecture_settings(
            prefecture,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        ),
        success="Les paramètres de la préfecture sont enregistrés.",
        title="Paramètres de la préfecture",
        history=prefecture.history.all()[:20],
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit_glossary(request):
    """The prefecture's acronyms, added to the national glossary of the plain-language
    checker (engagements/plain_language.py)."""
    prefecture = request.prefecture
    return _form_page(
        request,
        GlossaryForm(request.POST or None, instance=prefecture),
        save=lambda form: services.update_prefecture_settings(
            prefecture,
            actor=request.user,
            plain_language_glossary=form.cleaned_data["plain_language_glossary"],
        ),
        success="Le glossaire des sigles est enregistré.",
        title="Glossaire des sigles (langage clair)",
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit_site(request, pk: int | None = None):
    prefecture = request.prefecture
    site = get_object_or_404(prefecture.sites, pk=pk) if pk else Site(prefecture=prefecture)
    title = f"Site : {site.name}" if pk else "Nouveau site"
    return _form_page(
        request,
        SiteForm(request.POST or None, instance=site),
        save=lambda form: services.save_site(form.save(commit=False), actor=request.user),
        success=f"Le site « {request.POST.get('name', site.name)} » est enregistré.",
        title=title,
        history=site.history.all()[:20] if pk else (),
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit_service(request, pk: int | None = None):
    prefecture = request.prefecture
    service = (
        get_object_or_404(Service.objects.filter(site__prefecture=prefecture), pk=pk)
        if pk
        else Service()
    )
    title = f"Service : {service.name}" if pk else "Nouveau service"
    return _form_page(
        request,
        ServiceForm(request.POST or None, instance=service, prefecture=prefecture),
        save=lambda form: services.save_service(form.save(commit=False), actor=request.user),
        success=f"Le service « {request.POST.get('name', service.name)} » est enregistré.",
        title=title,
        history=service.history.all()[:20] if pk else (),
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit_hours(request, pk: int, channel: str):
    site = get_object_or_404(request.prefecture.sites, pk=pk)
    if channel not in HoursChannel.values:
        return redirect("organisation:agents-settings", request.prefecture.slug)
    return _hours_page(
        request,
        site.opening_hours.filter(channel=channel),
        save=lambda days: services.set_opening_hours(site, channel, days, actor=request.user),
        title=f"{HoursChannel(channel).label} : horaires de {site.name}",
        success=f"Les horaires de « {site.name} » sont enregistrés.",
        history=OpeningHours.history.filter(site_id=site.pk, channel=channel),
    )


def _hours_page(request, rows, *, save, title: str, success: str, history):
    """Seven day forms (a site's channel, a telephone platform); a valid POST replaces the
    week through `save` (weekday -> times or None) and goes back to the settings."""
    existing = {row.weekday: row for row in rows}
    forms = []
    for weekday in range(7):
        row = existing.get(weekday)
        initial = {}
        if row:
            initial = {
                "opens_at": row.opens_at,
                "closes_at": row.closes_at,
                "reopens_at": row.reopens_at,
                "closes_again_at": row.closes_again_at,
            }
        forms.append(
            DayHoursForm(
                request.POST or None, prefix=f"d{weekday}", weekday=weekday, initial=initial
            )
        )
    if request.method == "POST" and all(f.is_valid() for f in forms):
        try:
            save({f.weekday: f.cleaned_data["times"] for f in forms})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, success)
            return _back_to_settings(request)
    return render_agents(
        request,
        "organisation/agents/hours.html",
        {
            "forms": forms,
            "history": _history(history.order_by("-history_date")[:20]),
            "title": title,
        },
    )


def _platforms(request):
    return TelephonePlatform.objects.filter(site__prefecture=request.prefecture).select_related(
        "site"
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit_platform(request, pk: int | None = None, site: int | None = None):
    """A site's telephone platform: its kind, name and queue_log queue."""
    if pk:
        platform = get_object_or_404(_platforms(request), pk=pk)
    else:
        platform = TelephonePlatform(site=get_object_or_404(request.prefecture.sites, pk=site))
    title = (
        f"Plateforme téléphonique : {platform.name}"
        if pk
        else f"Nouvelle plateforme téléphonique de {platform.site.name}"
    )
    return _form_page(
        request,
        PlatformForm(request.POST or None, instance=platform),
        save=lambda form: services.save_platform(form.save(commit=False), actor=request.user),
        success=f"La plateforme « {request.POST.get('name', platform.name)} » est enregistrée.",
        title=title,
        history=platform.history.all()[:20] if pk else (),
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit_platform_hours(request, pk: int):
    platform = get_object_or_404(_platforms(request), pk=pk)
    return _hours_page(
        request,
        platform.hours.all(),
        save=lambda days: services.set_platform_hours(platform, days, actor=request.user),
        title=f"Horaires publiés de la plateforme {platform.name} ({platform.site.name})",
        success=f"Les horaires de la plateforme « {platform.name} » sont enregistrés.",
        history=PlatformHours.history.filter(platform_id=platform.pk),
    )


@agent_view("manage")
@require_POST
def add_closure(request):
    form = ClosureForm(request.POST, prefecture=request.prefecture)
    if form.is_valid():
        try:
            services.add_closure(
                request.prefecture,
                day=form.cleaned_data["date"],
                label=form.cleaned_data["label"],
                site=form.cleaned_data["site"],
                actor=request.user,
            )
        except services.OrganisationError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "La fermeture est enregistrée.")
    else:
        messages.error(
            request,
            "Fermeture non enregistrée : "
            + " ".join(
                f"{form.fields[name].label if name in form.fields else ''} : {' '.join(errs)}"
                for name, errs in form.errors.items()
            ),
        )
    return _back_to_settings(request)


@agent_view("manage")
@require_POST
def delete_closure(request, pk: int):
    closure = get_object_or_404(Closure.objects.filter(prefecture=request.prefecture), pk=pk)
    services.remove_closure(closure, actor=request.user)
    messages.success(request, "La fermeture est supprimée.")
    return _back_to_settings(request)


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def edit_targets(request, year: int):
    prefecture = request.prefecture
    site = None
    if request.GET.get("site"):
        site = get_object_or_404(prefecture.sites.all(), slug=request.GET["site"])
    source = request.GET.get("depuis", "")
    source_year = int(source) if source.isdigit() and 2000 <= int(source) < year else None
    form = TargetsForm(
        request.POST or None, prefecture=prefecture, year=year, site=site, source_year=source_year
    )
    if request.method == "POST" and form.is_valid():
        services.set_targets(prefecture, year, form.cleaned_data, actor=request.user, site=site)
        where = f" du site {site.name}" if site else ""
        messages.success(request, f"Les valeurs cibles {year}{where} sont enregistrées.")
        return _back_to_settings(request)
    title = f"Valeurs cibles {year}" + (f" propres au site {site.name}" if site else "")
    intro = ""
    if source_year:
        title = f"Proposition de valeurs cibles {year}" + (f" du site {site.name}" if site else "")
        intro = (
            f"Les champs reprennent les cibles {source_year} : modifiez-les si besoin, puis "
            f"enregistrez pour fixer les cibles {year}. Rien n'est enregistré avant."
        )
    return render_agents(
        request,
        "organisation/agents/form.html",
        {"form": form, "title": title, "intro": intro},
    )


# The staff's and the auditors' page: it names the agents who changed what, which is no
# business of the users' committee (whose members still read the organisation itself).
@agent_view("read_records")
def organisation_history(request):
    """The latest changes to every organisation record of the prefecture."""
    prefecture = request.prefecture
    records = chain(
        prefecture.history.all()[:30],
        Site.history.filter(prefecture_id=prefecture.pk)[:30],
        Service.history.filter(site__prefecture=prefecture)[:30],
        OpeningHours.history.filter(site__prefecture=prefecture)[:30],
        Closure.history.filter(prefecture_id=prefecture.pk)[:30],
        Target.history.filter(prefecture_id=prefecture.pk)[:30],
    )
    entries = sorted(_history(records), key=lambda e: e["when"], reverse=True)[:60]
    return render_agents(request, "organisation/agents/history.html", {"entries": entries})


_ACTIONS = {"+": "création", "~": "modification", "-": "suppression"}


def _history(records) -> list[dict]:
    """Turn simple_history rows into (who, when, what, changes) entries.

    The authors, the record before each modification and the sites named in the records
    (a service is shown with its site) are read once for all the rows: simple_history's
    `history_user`, `prev_record` and the rebuilt instance read them one row at a time."""
    records = list(records)
    users = get_user_model().objects.in_bulk({r.history_user_id for r in records} - {None})
    previous = _previous_records(records)
    instances = [record.instance for record in records]
    sites = Site.objects.in_bulk({getattr(i, "site_id", None) for i in instances} - {None})
    entries = []
    for record, instance in zip(records, instances, strict=True):
        if getattr(instance, "site_id", None) in sites:
            instance.site = sites[instance.site_id]
        changes = []
        before = previous.get((type(record), record.history_id))
        if before is not None:
            delta = record.diff_against(before)
            for change in delta.changes:
                field = instance._meta.get_field(change.field)
                changes.append(
                    {
                        "field": getattr(field, "verbose_name", change.field),
                        "old": change.old,
                        "new": change.new,
                    }
                )
        entries.append(
            {
                "when": record.history_date,
                "who": words.person(users.get(record.history_user_id)) or "système",
                "action": _ACTIONS.get(record.history_type, record.history_type),
                "object": record._meta.verbose_name.removeprefix("historical ").capitalize()
                + f" « {instance} »",
                "changes": changes,
            }
        )
    return entries


def _previous_records(records) -> dict:
    """The record before each modification ("~"), by (historical model, history_id), as
    `prev_record` gives it (the same object's latest earlier record): one query per model,
    not per record."""
    changed: dict[type, list] = {}
    for record in records:
        if record.history_type == "~":
            changed.setdefault(type(record), []).append(record)
    previous = {}
    for model, rows in changed.items():
        key = model.instance_type._meta.pk.attname
        earlier = model.objects.filter(
            **{key: OuterRef(key)}, history_date__lt=OuterRef("history_date")
        ).order_by("-history_date")
        wanted = (
            model.objects.filter(history_id__in=[r.history_id for r in rows])
            .annotate(before=Subquery(earlier.values("history_id")[:1]))
            .values("before")
        )
        found = list(model.objects.filter(history_id__in=wanted))
        for record in rows:
            candidates = [
                f
                for f in found
                if getattr(f, key) == getattr(record, key) and f.history_date < record.history_date
            ]
            if candidates:
                previous[model, record.history_id] = max(candidates, key=lambda f: f.history_date)
    return previous
