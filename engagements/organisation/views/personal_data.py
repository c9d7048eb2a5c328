"""The "Données personnelles" page: a person's requests to see or erase her data (GDPR
arts. 15 to 17), for the prefecture's référent qualité (and national administrators).

The person is searched by a POST (her address never lands in a URL, hence in no log); the
statement, the export and the erasure are POSTs of the same fields."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from engagements import csvio, words
from engagements.pdf import render_pdf
from engagements.shell.content_language import long_date
from engagements.shell.pages import render_agents

from .. import rights
from ..access import agent_view
from ..forms import PersonSearchForm, RightsExtensionForm

LOG_LENGTH = 50


def _page(request, form, found=None, *, status=200, erasure=None, extension_forms=None):
    today = timezone.localdate()
    log = list(rights.requests_of(request.prefecture)[:LOG_LENGTH])
    extension_forms = extension_forms or {}
    for item in log:
        item.late = rights.is_late(item, today)
        item.by = words.person(item.done_by) if item.done_by else ""
        item.extended_by_name = words.person(item.extended_by) if item.extended_by else ""
        item.extension_form = None
        if rights.can_extend(item, today):
            item.extension_form = extension_forms.get(item.pk) or RightsExtensionForm(
                prefix=f"x{item.pk}", initial={"until": rights.latest_extension(item)}
            )
    context = {
        "form": form,
        "found": found,
        "total": sum(len(f.records) for f in found or []),
        "requests": log,
        "extendable": [item for item in log if item.extension_form],
        "erasure": erasure,
        "retention_years": settings.RIGHTS_REQUEST_RETENTION_YEARS,
    }
    response = render_agents(request, "organisation/agents/personal_data.html", context)
    response.status_code = status
    return response


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """Find what the prefecture holds about a person, and the log of requests."""
    if request.method == "POST":
        form = PersonSearchForm(request.POST)
        if not form.is_valid():
            return _page(request, form)
        return _page(request, form, rights.find(request.prefecture, form.person()))
    form = PersonSearchForm(initial={"received_on": timezone.localdate()})
    return _page(request, form)


def _name(found) -> str:
    for area in found:
        for record in area.records:
            values = dict(record.fields)
            if name := " ".join(v for v in (values.get("Prénom"), values.get("Nom")) if v):
                return name
    return ""


@agent_view("manage")
@require_POST
def statement(request):
    """The readable statement (PDF) addressed to the person; logs an access request."""
    form = PersonSearchForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    prefecture, person = request.prefecture, form.person()
    found, logged = rights.hand_over(
        prefecture, person, received_on=form.cleaned_data["received_on"], actor=request.user
    )
    areas = [(f.source.label, [r for r in f.records if not r.purged]) for f in found]
    pdf = render_pdf(
        "organisation/pdf/personal_data.html",
        {
            "prefecture": prefecture,
            "person": person,
            "name": _name(found),
            "areas": [(label, records) for label, records in areas if records],
            "received_on": long_date(logged.received_on, language="fr"),
            "today": long_date(timezone.localdate(), language="fr"),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, f"releve-donnees-personnelles-{logged.received_on:%Y-%m-%d}.pdf"
    )
    return response


EXPORT_HEADER = [
    "domaine",
    "type",
    "reference",
    "date",
    "donnee",
    "valeur",
    "finalite",
    "conserve_jusqu_au",
]


@agent_view("manage")
@require_POST
def export(request):
    """The same records as a file the person can reuse (art. 20): one line per value held,
    through the project's CSV writer; logs an access request."""
    form = PersonSearchForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    found, logged = rights.hand_over(
        request.prefecture,
        form.person(),
        received_on=form.cleaned_data["received_on"],
        actor=request.user,
    )
    rows = [
        [
            area.source.label,
            record.kind,
            record.reference,
            record.day.isoformat() if record.day else "",
            label,
            value,
            record.purpose,
            record.kept_until.isoformat() if record.kept_until else record.kept_note,
        ]
        for area in found
        for record in area.records
        if not record.purged
        for label, value in record.fields
        if value
    ]
    return csvio.csv_response(
        f"donnees-personnelles-{logged.received_on:%Y-%m-%d}.csv", EXPORT_HEADER, rows
    )


@agent_view("manage")
@require_POST
def erase(request):
    """Anonymise the person's records now; those still in use are listed and left."""
    form = PersonSearchForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    if request.POST.get("confirm") != "1":
        messages.error(request, "Cochez la case pour confirmer l'effacement.")
        return _page(request, form, rights.find(request.prefecture, form.person()))
    person = form.person()
    erasure = rights.erase(
        request.prefecture,
        person,
        received_on=form.cleaned_data["received_on"],
        actor=request.user,
    )
    # The outcome at once, above what the prefecture still holds about her (searched
    # again): the agent sees what was erased, what was left and why, without a new search.
    return _page(request, form, rights.find(request.prefecture, person), erasure=erasure)


@agent_view("manage")
@require_POST
def extend(request, pk: int):
    """Extend a request's deadline by two months at most (GDPR art. 12.3)."""
    item = get_object_or_404(rights.requests_of(request.prefecture), pk=pk)
    form = RightsExtensionForm(request.POST, prefix=f"x{item.pk}")
    if form.is_valid():
        try:
            item = rights.extend_deadline(
                item,
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except rights.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Délai prolongé : réponse due le {rights.long_date(item.extended_until)}.",
            )
            return redirect("organisation:agents-personal-data", request.prefecture.slug)
    search = PersonSearchForm(initial={"received_on": timezone.localdate()})
    return _page(request, search, extension_forms={item.pk: form}, status=400)
