"""Agents' pages: dashboard (from the values table), the records behind a figure,
publication, affluence heat-map, reception desk tablet, website update requests."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.correspondence import queries as correspondence_queries
from engagements.csvio import csv_response
from engagements.db_router import replica_reads
from engagements.organisation.access import agent_view
from engagements.organisation.models import Site
from engagements.shell.pages import render_agents

from .. import compute, queries, services
from .. import recompute as runs
from ..catalogue import BY_CODE, withheld
from ..enums import Unit
from ..forms import (
    ArrivalForm,
    ConfirmPublishForm,
    ManualIndicatorForm,
    ManualValueForm,
    PeriodForm,
    PublishForm,
    WebsitePublishedForm,
    WebsiteRequestForm,
    WithdrawForm,
)
from ..models import FigureChange, Publication, PublishedValue, Visit, WebsiteUpdate
from ..periods import Period
from .display import decorate_grid, display, exclusions, lost_calls_lines


def _period_and_site(request):
    """The period and structure asked (a site manager sees his sites only)."""
    prefecture = request.prefecture
    whole = request.access.sees_whole_prefecture(prefecture)
    sites = request.access.sites(prefecture).filter(is_active=True)
    services_qs = (
        request.access.services(prefecture)
        .filter(is_active=True, site__is_active=True)
        .select_related("site")
    )
    form = PeriodForm(
        request.GET or None, sites=sites, services=services_qs, whole_prefecture=whole
    )
    today = timezone.localdate()
    period = Period.year(today.year)
    site = service = None
    request.indicators_module = None
    if form.is_bound and form.is_valid():
        if form.cleaned_data["period"]:
            try:
                period = Period.parse(form.cleaned_data["period"])
            except ValueError as exc:
                form.add_error("period", str(exc))
        site = form.cleaned_data["site"]
        service = form.cleaned_data["service"]
        if service is not None:
            site = service.site
        else:  # a module's figures: the services in its scope (a service chosen wins)
            request.indicators_module = form.cleaned_data["module"]
    if not whole and site is None:  # none asked (or not valid): his first site
        site = sites.first()
        if site is None:
            raise Http404("Aucun site")
    return form, period, site, service


def _cards(prefecture, period, site, service=None, module=None) -> dict:
    """The dashboard's cards, their latest update and the prefecture's own indicators'
    values (`manual`), ready to show."""
    if module is not None:
        data = queries.module_dashboard(prefecture, period, site, module)
    else:
        data = queries.dashboard(prefecture, period, site, service)
    months: dict = {}  # each month's label, escaped once for every card
    for card in data["cards"]:
        unit = card["entry"].unit
        card["display"] = display(card["value"], unit)
        card["target_display"] = display(card["target"], unit)
        card["previous_display"] = display(card["previous"], unit)
        card["name"] = card["entry"].name_fr
        card["ratio"] = (
            f"{_plain(card['numerator'])} sur {_plain(card['denominator'])}"
            if card["denominator"]
            else ""
        )
        if withheld(card["code"], card["value"], card["denominator"]):
            card["ratio"] += " — pas assez de réponses (moins de 5) : pas de chiffre"
        card["chart"] = _chart(card["series"], unit, months)
        card["exclusions"] = exclusions(card["code"], card["extra"])
        card["outside_hours"], card["platform_lines"] = lost_calls_lines(
            card["code"], card["extra"]
        )
    data["manual"] = [
        {
            "name": row["indicator__name_fr"],
            "display": display(row["value"], row["indicator__unit"]),
            "source": row["source"],
            "updated_at": row["updated_at"],
        }
        for row in data["manual"]
    ]
    return data


def _plain(number) -> str:
    """A numerator or denominator as people write it: 1 234 or 12,5."""
    if number is None:
        return "—"
    return display(number, Unit.COUNT)


def _chart(series: list[dict], unit: str, months: dict) -> dict:
    """A small inline SVG bar chart of a monthly series (`bars`, its width) and the rows of
    its data table (`rows`: month, value), written here as one string each: the template
    loops rendered some seven hundred variables for the twelve cards, two fifths of the
    page's rendering (and `format_html_join` costs ten times these f-strings). `months`
    keeps the months' escaped labels from card to card."""
    for point in series:
        if point["period"] not in months:
            months[point["period"]] = escape(point["period"].label())
    values = [float(p["value"]) for p in series if p["value"] is not None]
    top = 100.0 if unit == Unit.PERCENT else max(values + [1.0])
    heights = [
        0 if point["value"] is None else round(80 * float(point["value"]) / top) for point in series
    ]
    bars = "".join(
        f'<rect x="{4 + i * 22}" y="{90 - height}" width="16" height="{height}" fill="#000091">'
        "</rect>"
        for i, height in enumerate(heights)  # numbers only: nothing to escape
    )
    rows = "".join(
        f'<tr><th scope="row">{months[point["period"]]}</th>'
        f"<td>{escape(display(point['value'], unit))}</td></tr>"
        for point in series
    )
    return {"bars": mark_safe(bars), "width": str(8 + len(series) * 22), "rows": mark_safe(rows)}


@agent_view("read_figures")
@require_GET
@replica_reads
def dashboard(request):
    prefecture = request.prefecture
    form, period, site, service = _period_and_site(request)
    module = request.indicators_module
    data = _cards(prefecture, period, site, service, module)
    cards = data["cards"]
    return render_agents(
        request,
        "indicators/agents/dashboard.html",
        {
            "form": form,
            "period": period,
            "period_label": period.label(),
            "site": site,
            "service": service,
            "module": module,
            "cards": cards,
            "updated_at": data["updated_at"],
            "has_values": module is not None or any(c["updated_at"] for c in cards),
            "querystring": request.GET.urlencode(),
            "recomputing": runs.in_progress(prefecture),
            "previous_label": period.previous_year().label(),
            "deadline_measured": correspondence_queries.deadline_measured(prefecture),
            "manual": data["manual"],
        },
    )


@agent_view("read_figures")
@require_GET
@replica_reads
def dashboard_csv(request):
    """Exactly what the dashboard shows, one line per indicator."""
    prefecture = request.prefecture
    form, period, site, service = _period_and_site(request)
    if form.errors:  # the dashboard shows the form error (a period out of the data…)
        url = reverse("indicators:agents-dashboard", args=[prefecture.slug])
        return redirect(f"{url}?{request.GET.urlencode()}")
    module = request.indicators_module
    cards = _cards(prefecture, period, site, service, module)["cards"]
    structure = service.name if service else (site.name if site else prefecture.name)
    if module is not None:
        structure = f"{structure} — module {module}"
    header = [
        "code",
        "indicateur",
        "structure",
        "période",
        "valeur",
        "numérateur",
        "dénominateur",
        "cible",
        "cible atteinte",
        "an passé",
        "tendance",
        "mis à jour le",
        "hors taux",
    ]
    rows = [
        [
            c["code"],
            c["name"],
            structure,
            period.code,
            c["value"],
            c["numerator"],
            c["denominator"],
            c["target"],
            {True: "oui", False: "non", None: ""}[c["met"]],
            c["previous"],
            c["trend"],
            timezone.localtime(c["updated_at"]).strftime("%d/%m/%Y %H:%M")
            if c["updated_at"]
            else "",
            c["exclusions"],
        ]
        for c in cards
    ]
    return csv_response(f"indicateurs-{prefecture.slug}-{period.code}.csv", header, rows)


def _all_sites(request):
    """The period asked and every site the agent sees against its targets."""
    prefecture = request.prefecture
    form, period, _site, _service = _period_and_site(request)
    sites = list(request.access.sites(prefecture).filter(is_active=True).order_by("position"))
    whole = request.access.sees_whole_prefecture(prefecture)
    rows = queries.all_sites(prefecture, period, sites)
    if not whole:  # a site manager: his sites only, not the prefecture as a whole
        for row in rows:
            row["cells"] = row["cells"][1:]
    for row in rows:
        unit = row["entry"].unit
        for cell in row["cells"]:
            cell["display"] = display(cell["value"], unit)
            cell["target_display"] = display(cell["target"], unit)
    structures = ([prefecture.name] if whole else []) + [s.name for s in sites]
    return form, period, rows, structures


@agent_view("read_figures")
@require_GET
@replica_reads
def all_sites(request):
    """Every site against its target on one screen (and one CSV)."""
    form, period, rows, structures = _all_sites(request)
    return render_agents(
        request,
        "indicators/agents/all_sites.html",
        {
            "form": form,
            "period_label": period.label(),
            "rows": rows,
            "structures": structures,
            "querystring": request.GET.urlencode(),
        },
    )


@agent_view("read_figures")
@require_GET
@replica_reads
def all_sites_csv(request):
    """The all-sites table: one line per structure × indicator."""
    prefecture = request.prefecture
    form, period, rows, structures = _all_sites(request)
    if form.errors:
        url = reverse("indicators:agents-sites", args=[prefecture.slug])
        return redirect(f"{url}?{request.GET.urlencode()}")
    header = ["structure", "code", "indicateur", "période", "valeur", "cible", "cible atteinte"]
    lines = [
        [
            name,
            row["entry"].code,
            row["entry"].name_fr,
            period.code,
            cell["value"],
            cell["target"],
            {True: "oui", False: "non", None: ""}[cell["met"]],
        ]
        for row in rows
        for name, cell in zip(structures, row["cells"], strict=True)
    ]
    return csv_response(f"indicateurs-sites-{prefecture.slug}-{period.code}.csv", header, lines)


@agent_view("read_records")
@require_GET
def records(request, code: str):
    """The records behind a figure (or the app's own list, filtered)."""
    if code not in BY_CODE:
        raise Http404("Indicateur inconnu")
    prefecture = request.prefecture
    _, period, site, _service = _period_and_site(request)
    if code.startswith("satisfaction_"):
        return redirect("surveys:agents-campaigns", prefecture.slug)
    scope = compute.Scope(prefecture, site, period, timezone.localdate())
    context = {
        "entry": BY_CODE[code],
        "period_label": period.label(),
        "site": site,
        "rows": [],
        "columns": [],
        "querystring": request.GET.urlencode(),
        "records_shown": queries.RECORDS_SHOWN,
    }
    context["columns"], context["rows"] = queries.records_behind(code, scope, request.access, site)
    return render_agents(request, "indicators/agents/records.html", context)


@agent_view("read_figures")
@require_GET
def publications(request):
    prefecture = request.prefecture
    items = list(queries.latest_publications(prefecture).prefetch_related("values")[:40])
    history = (
        Publication.objects.filter(prefecture=prefecture)
        .select_related("published_by", "withdrawal__withdrawn_by")
        .order_by("-published_at")[:40]
    )
    return render_agents(
        request,
        "indicators/agents/publications.html",
        {
            "publications": [
                {
                    "item": p,
                    "label": Period.of(p.period_kind, p.period_start).label(),
                    "code": Period.of(p.period_kind, p.period_start).code,
                    "withdraw_form": WithdrawForm(prefix=f"w{p.pk}"),
                }
                for p in items
            ],
            "history": [
                {"item": p, "label": Period.of(p.period_kind, p.period_start).label()}
                for p in history
            ],
            "form": _publish_form(prefecture),
            "can_publish": request.access.can(prefecture, "manage"),
            "changes": [
                {"item": c, "label": Period.of(c.period_kind, c.period_start).label()}
                for c in FigureChange.objects.filter(prefecture=prefecture)
                .select_related("indicator", "site", "actor")
                .order_by("-at", "-pk")[:100]
            ],
        },
    )


def _publish_form(prefecture) -> PublishForm:
    """Suggests the next period of each kind, pre-filled with the one due first; the reason
    of a correction is asked only when that period already has a published version."""
    suggested, period = queries.periods_to_publish(prefecture, timezone.localdate())
    if period is None:
        return PublishForm(correction=False, suggested=suggested)
    return PublishForm(
        initial={"period": period.code},
        correction=queries.has_publication(prefecture, period),
        suggested=suggested,
    )


def _preview(request, period: Period) -> dict:
    """Exactly what publishing the period would show: the results page of the prefecture
    and of each published site, the poster's rows, the open-data lines — built from the
    rows `services.publish` would write, without writing anything."""
    from engagements.organisation.queries import published_sites

    from .public import OPEN_DATA_HEADER, open_data_row, results_context

    prefecture = request.prefecture
    rows = services.publication_rows(prefecture, period, at=timezone.localdate())
    version = (
        Publication.objects.filter(
            prefecture=prefecture, period_kind=period.kind, period_start=period.start
        ).count()
        + 1
    )
    publication = Publication(
        prefecture=prefecture,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        version=version,
        published_at=timezone.now(),
        provisional=services.is_ongoing(period),
    )
    values = [PublishedValue(publication=publication, **row) for row in rows]
    sites = list(published_sites(prefecture))
    others = list(queries.latest_publications(prefecture)[:24])
    pages = []
    for site in [None, *sites]:
        shown = [v for v in values if v.site_id == (site.pk if site else None)]
        context = results_context(prefecture, site, sites, publication, shown, others)
        pages.append({"site": site, **context})
    return {
        "period": period,
        "publication": publication,
        "pages": pages,
        "open_data_header": OPEN_DATA_HEADER,
        "open_data": [open_data_row(prefecture, v, publication) for v in values],
        "fingerprint": services.fingerprint(rows),
        "version": version,
    }


@agent_view("manage")
@require_GET
def publication_preview(request):
    """The preview of a publication, with the confirmation form under it."""
    prefecture = request.prefecture
    form = PublishForm(request.GET or None)
    back = reverse("indicators:agents-publications", args=[prefecture.slug])
    if not form.is_valid():
        flash.error(request, "Indiquez la période à publier (ex. 2025-Q4).")
        return redirect(back)
    try:
        period = Period.parse(form.cleaned_data["period"])
        ongoing = services.is_ongoing(period)
        services.check_publishable(prefecture, period, provisional=True)
    except (ValueError, services.IndicatorsError) as exc:
        flash.error(request, str(exc))
        return redirect(back)
    context = _preview(request, period)
    confirm = ConfirmPublishForm(
        initial={
            "period": period.code,
            "note": form.cleaned_data["note"],
            "fingerprint": context["fingerprint"],
        },
        ongoing=ongoing,
        correction=context["version"] > 1,
    )
    return render_agents(
        request,
        "indicators/agents/publication_preview.html",
        {
            **context,
            "form": confirm,
            "ongoing": ongoing,
            "period_label": period.label(),
            "poster_query": urlencode({"period": period.code}),
        },
    )


@agent_view("manage")
@require_GET
def publication_preview_poster(request, size: str):
    """The poster as it will be printed once the period is published (nothing written)."""
    from engagements.pdf import render_pdf
    from engagements.qr import qr_data_uri

    from .public import POSTER_SIZES, poster_choice

    if size not in POSTER_SIZES:
        raise Http404("Format inconnu")
    prefecture = request.prefecture
    try:
        period = Period.parse(request.GET.get("period", ""))
    except ValueError as exc:
        flash.error(request, str(exc))
        return redirect("indicators:agents-publications", prefecture.slug)
    context = _preview(request, period)["pages"][0]
    url = request.build_absolute_uri(reverse("indicators:public-results", args=[prefecture.slug]))
    context.update({"size": POSTER_SIZES[size], "url": url, "qr": qr_data_uri(url, scale=6)})
    context.update(poster_choice(prefecture, context["rows"], period))
    pdf = render_pdf("indicators/public/poster.html", context, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"apercu-affiche-{prefecture.slug}-{period.code}-{size}.pdf"
    )
    return response


@agent_view("manage")
@require_POST
def publish(request):
    """Publish what the preview showed, once confirmed (the preview's fingerprint)."""
    prefecture = request.prefecture
    back = reverse("indicators:agents-publications", args=[prefecture.slug])
    if not request.POST.get("fingerprint"):
        # Publishing always goes through the preview: show it and ask for confirmation.
        query = urlencode({k: request.POST.get(k, "") for k in ("period", "note")})
        preview = reverse("indicators:agents-publication-preview", args=[prefecture.slug])
        return redirect(f"{preview}?{query}")
    try:
        period = Period.parse(request.POST.get("period", ""))
    except ValueError as exc:
        flash.error(request, str(exc))
        return redirect(back)
    form = ConfirmPublishForm(
        request.POST,
        ongoing=services.is_ongoing(period),
        correction=queries.has_publication(prefecture, period),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                flash.error(request, error)
        return redirect(back)
    try:
        publication = services.publish(
            prefecture,
            period,
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
            provisional=form.cleaned_data.get("provisional", False),
            expected=form.cleaned_data["fingerprint"],
        )
    except services.IndicatorsError as exc:
        flash.error(request, str(exc))
    else:
        kind = " provisoires" if publication.provisional else ""
        flash.success(
            request,
            f"Résultats{kind} de la période « {period.label()} » publiés (version "
            f"{publication.version}).",
        )
    return redirect(back)


@agent_view("manage")
@require_POST
def withdraw(request, pk: int):
    """Withdraw the current version of a published period (logged, kept in the history)."""
    prefecture = request.prefecture
    publication = get_object_or_404(Publication, prefecture=prefecture, pk=pk)
    form = WithdrawForm(request.POST, prefix=f"w{publication.pk}")
    if not form.is_valid():
        flash.error(request, "Donnez le motif du retrait.")
    else:
        try:
            services.withdraw_publication(
                publication, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except services.IndicatorsError as exc:
            flash.error(request, str(exc))
        else:
            label = Period.of(publication.period_kind, publication.period_start).label()
            flash.success(request, f"Résultats de la période « {label} » retirés.")
    return redirect("indicators:agents-publications", prefecture.slug)


@agent_view("manage")
@require_POST
def recompute(request):
    """Recompute now the period shown, the same period last year and the months of its
    year (the nightly job recomputes everything)."""
    prefecture = request.prefecture
    query = QueryDict(request.POST.get("querystring", ""))
    dashboard_url = reverse("indicators:agents-dashboard", args=[prefecture.slug]) + (
        "?" + query.urlencode() if query else ""
    )
    try:
        period = Period.parse(query.get("period") or str(timezone.localdate().year))
    except ValueError as exc:
        flash.error(request, f"Rien n'a été recalculé : {exc}")
        return redirect(dashboard_url)
    today = timezone.localdate()
    last = min(period.end, today)
    months = [m for m in Period.year(period.start.year).months() if m.start <= last]
    periods = [period, period.previous_year(), *months]
    runs.request_recompute(prefecture, periods)
    labels = ", ".join(p.label() for p in periods)
    flash.success(request, f"Recalcul demandé à partir des enregistrements : {labels}.")
    return redirect(dashboard_url)


@agent_view("committee")
@require_GET
@replica_reads
def published(request):
    """Published values only (CLU members, auditors, référent)."""
    prefecture = request.prefecture
    publication = queries.latest_publication(prefecture)
    values = []
    if publication is not None:
        for value in publication.values.select_related("site"):
            values.append(
                {
                    "item": value,
                    "structure": value.site.name if value.site_id else prefecture.name,
                    "display": display(value.value, value.unit),
                    "target": display(value.target, value.unit),
                    "previous": display(value.previous, value.unit),
                    "met": {True: "Oui", False: "Non", None: "—"}[value.met],
                }
            )
    return render_agents(
        request,
        "indicators/agents/published.html",
        {
            "publication": publication,
            "period_label": Period.of(publication.period_kind, publication.period_start).label()
            if publication
            else "",
            "values": values,
            "report_years": [timezone.localdate().year - 1, timezone.localdate().year],
        },
    )


@agent_view("read_figures")
@require_GET
@replica_reads
def heatmap(request):
    prefecture = request.prefecture
    _, _, site, _service = _period_and_site(request)
    today = timezone.localdate()
    grids = [
        ("Visiteurs à l'accueil", queries.affluence(prefecture, site=site, today=today)),
        (
            "Appels présentés",
            queries.affluence(prefecture, site=site, today=today, source="calls"),
        ),
    ]
    return render_agents(
        request,
        "indicators/agents/heatmap.html",
        {"grids": [decorate_grid(label, grid) for label, grid in grids], "site": site},
    )


# Reception desk -----------------------------------------------------------------------------


def _desk_site(request):
    sites = request.access.sites(request.prefecture).filter(is_active=True)
    site_id = request.GET.get("site") or request.POST.get("site")
    site = sites.filter(pk=site_id).first() if site_id and site_id.isdigit() else sites.first()
    if site is None:
        raise Http404("Aucun site")
    return sites, site


@agent_view("work")
@require_http_methods(["GET", "POST"])
def desk(request):
    """Tablet screen at the reception desk: one tap on arrival, one when served."""
    prefecture = request.prefecture
    sites, site = _desk_site(request)
    services_qs = request.access.services(prefecture).filter(site=site, is_active=True)
    form = ArrivalForm(request.POST or None, services=services_qs)
    if request.method == "POST":
        if form.is_valid():
            services.record_arrival(
                site,
                service=form.cleaned_data["service"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
            flash.success(request, "Arrivée enregistrée.")
        else:
            flash.error(request, "Service inconnu.")
        return redirect(
            reverse("indicators:agents-desk", args=[prefecture.slug]) + f"?site={site.pk}"
        )
    today_start = timezone.make_aware(
        timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time())
    )
    waiting = list(
        Visit.objects.filter(site=site, served_at__isnull=True, arrived_at__gte=today_start)
        .select_related("service")
        .order_by("arrived_at")
    )
    now = timezone.now()
    for visit in waiting:
        visit.waited = int((now - visit.arrived_at).total_seconds() // 60)
    counts = Visit.objects.filter(site=site, arrived_at__gte=today_start).aggregate(
        total=Count("pk"), served=Count("served_at")
    )
    return render_agents(
        request,
        "indicators/agents/desk.html",
        {
            "site": site,
            "sites": sites,
            "services": list(services_qs),
            "waiting": waiting,
            "counts": counts,
        },
    )


@agent_view("work")
@require_POST
def desk_served(request, visit_pk: int):
    prefecture = request.prefecture
    visit = get_object_or_404(request.access.scope(Visit.objects.all(), prefecture), pk=visit_pk)
    try:
        services.record_served(visit, actor=request.user)
    except services.IndicatorsError as exc:
        flash.error(request, str(exc))
    return redirect(
        reverse("indicators:agents-desk", args=[prefecture.slug]) + f"?site={visit.site_id}"
    )


# Website update requests --------------------------------------------------------------------


@agent_view("work")
@require_http_methods(["GET", "POST"])
def website_request(request):
    prefecture = request.prefecture
    form = WebsiteRequestForm(
        request.POST or None, services=request.access.services(prefecture).filter(is_active=True)
    )
    if request.method == "POST" and form.is_valid():
        update = services.request_website_update(
            prefecture,
            page=form.cleaned_data["page"],
            kind=form.cleaned_data["kind"],
            details=form.cleaned_data["details"],
            service=form.cleaned_data["service"],
            actor=request.user,
        )
        flash.success(request, f"Demande {update.reference} transmise au webmestre.")
        return redirect("indicators:agents-website", prefecture.slug)
    return render_agents(request, "indicators/agents/website_request.html", {"form": form})


@agent_view("work")
@require_GET
def website_queue(request):
    """The webmaster's queue: open requests first (oldest due first), then the last published."""
    prefecture = request.prefecture
    today = timezone.localdate()
    scoped = request.access.scope(WebsiteUpdate.objects.all(), prefecture).select_related("service")
    open_items = list(scoped.filter(published_on__isnull=True).order_by("requested_on", "pk")[:200])
    states = dict(
        (u.pk, state) for u, state in compute.website_states(open_items, today, prefecture)
    )
    for item in open_items:
        item.state_label = "En retard" if states[item.pk] == "late" else "Dans les délais"
        item.is_late = states[item.pk] == "late"
    done = list(scoped.filter(published_on__isnull=False).order_by("-published_on", "-pk")[:50])
    return render_agents(
        request,
        "indicators/agents/website_queue.html",
        {
            "open_items": open_items,
            "done": done,
            "form": WebsitePublishedForm(),
            "can_publish": request.access.can(prefecture, "manage"),
        },
    )


@agent_view("manage")
@require_POST
def website_published(request, pk: int):
    prefecture = request.prefecture
    update = get_object_or_404(WebsiteUpdate, prefecture=prefecture, pk=pk)
    form = WebsitePublishedForm(request.POST)
    if form.is_valid():
        try:
            services.mark_website_update_published(
                update,
                published_url=form.cleaned_data["published_url"] or "",
                published_on=form.cleaned_data["published_on"],
            )
            flash.success(request, f"Demande {update.reference} marquée publiée.")
        except services.IndicatorsError as exc:
            flash.error(request, str(exc))
    else:
        flash.error(request, "Adresse ou date invalide.")
    return redirect("indicators:agents-website", prefecture.slug)


# Manual indicators --------------------------------------------------------------------------


@agent_view("read_figures")
@require_http_methods(["GET", "POST"])
def manual(request):
    """The prefecture's own indicators and their typed-in values, with their source."""
    prefecture = request.prefecture
    can_manage = request.access.can(prefecture, "manage")
    indicators = queries.manual_indicators(prefecture)
    sites = Site.objects.filter(prefecture=prefecture, is_active=True)
    indicator_form = ManualIndicatorForm(
        request.POST if request.POST.get("form") == "indicator" else None
    )
    value_form = ManualValueForm(
        request.POST if request.POST.get("form") == "value" else None,
        indicators=indicators,
        sites=sites,
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Votre rôle ne permet pas cette action.")
        if indicator_form.is_bound and indicator_form.is_valid():
            indicator = services.add_manual_indicator(prefecture, **indicator_form.cleaned_data)
            flash.success(request, f"Indicateur « {indicator.name_fr} » ajouté.")
            return redirect("indicators:agents-manual", prefecture.slug)
        if value_form.is_bound and value_form.is_valid():
            data = dict(value_form.cleaned_data)
            try:
                services.set_manual_value(
                    data.pop("indicator"), prefecture=prefecture, actor=request.user, **data
                )
            except services.IndicatorsError as exc:
                flash.error(request, str(exc))
            else:
                flash.success(request, "Valeur enregistrée.")
                return redirect("indicators:agents-manual", prefecture.slug)
    rows = [
        {
            "item": v,
            "period": Period.of(v.period_kind, v.period_start).label(),
            "display": display(v.value, v.indicator.unit),
        }
        for v in queries.latest_manual_values(prefecture, indicators)
    ]
    return render_agents(
        request,
        "indicators/agents/manual.html",
        {
            "indicators": indicators,
            "rows": rows,
            "indicator_form": indicator_form,
            "value_form": value_form,
            "can_edit": can_manage,
        },
    )


@agent_view("committee")
@require_GET
@replica_reads
def annual_report(request, year: int):
    """The CLU's annual report (PDF), computed live from the records."""
    from engagements.pdf import render_pdf

    from ..annual import annual_report as build

    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise Http404("Année inconnue")
    context = build(request.prefecture, year, at=today)
    pdf = render_pdf("indicators/agents/annual_report.html", context, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"rapport-annuel-{request.prefecture.slug}-{year}.pdf"
    )
    return response
