"""The "Imports" page: every import the user's roles allow, a preview, then confirmation.

The kinds come from the registry `engagements.shell.imports` (each app registers its own,
with the service its management command calls); permissions are checked per kind on every
request (`_kind_or_403`).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from engagements.csvio import CsvImportError
from engagements.forms import DsfrForm
from engagements.shell import imports as registry
from engagements.shell.pages import render_agents

from .. import imports as services
from ..access import agent_view
from ..models import ImportRun

HISTORY_LENGTH = 50
# Under the proxy's body limit (deploy/nginx: client_max_body_size 21m), so a larger file
# gets this French message rather than the proxy's 413 page.
MAX_UPLOAD = 20 * 1024 * 1024


def _kinds(request) -> list[registry.ImportKind]:
    roles = request.access.kinds(request.prefecture)
    return [k for k in registry.import_kinds() if registry.allowed(k, roles)]


def _kind_or_403(request, code: str) -> registry.ImportKind:
    kind = registry.import_kind(code)
    if kind is None:
        raise Http404("Import inconnu")
    if not registry.allowed(kind, request.access.kinds(request.prefecture)):
        raise PermissionDenied("Votre rôle ne permet pas cet import.")
    return kind


def _form_class(kind: registry.ImportKind, prefecture, access) -> type[DsfrForm]:
    fields: dict[str, forms.Field] = {
        "file": forms.FileField(
            label="Fichier",
            help_text=(
                "UTF-8 ou Windows-1252 ; point-virgule, virgule ou tabulation ; 20 Mo au plus."
            ),
            widget=forms.ClearableFileInput(attrs={"accept": kind.accept}),
        )
    }
    for option in kind.options:
        choices = registry.option_choices(option, prefecture, access)
        if choices is not None:
            field: forms.Field = forms.ChoiceField(
                label=option.label,
                choices=[("", "— choisir —"), *choices],
                required=option.required,
                help_text=option.help,
            )
        elif option.number:
            field = forms.IntegerField(
                label=option.label,
                required=option.required,
                help_text=option.help,
                min_value=2000,
                max_value=2100,
            )
        else:
            field = forms.CharField(
                label=option.label,
                required=option.required,
                help_text=option.help,
                max_length=100,
            )
        fields[option.name] = field

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("Fichier trop volumineux (20 Mo au plus).")
        return upload

    return type("ImportFileForm", (DsfrForm,), {**fields, "clean_file": clean_file})


def _history(request, kinds) -> list[ImportRun]:
    """The latest imports of these kinds; someone who sees only some sites (a site manager)
    sees the imports of his sites and those not tied to a site."""
    runs = ImportRun.objects.filter(
        prefecture=request.prefecture, kind__in=[k.code for k in kinds]
    ).select_related("user")
    prefecture = request.prefecture
    if not request.access.sees_whole_prefecture(prefecture):
        slugs = list(request.access.sites(prefecture).values_list("slug", flat=True))
        runs = runs.filter(Q(options__site__in=slugs) | ~Q(options__has_key="site"))
    return list(runs[:HISTORY_LENGTH])


@agent_view("import")
def imports_home(request):
    """The list of the imports this user may run, and who imported what and when."""
    kinds = _kinds(request)
    if not kinds:
        raise PermissionDenied("Votre rôle ne permet aucun import.")
    return render_agents(
        request,
        "organisation/agents/imports.html",
        {"kinds": kinds, "runs": _history(request, kinds)},
    )


@agent_view("import")
@require_http_methods(["GET", "POST"])
def import_kind(request, kind: str):
    """GET: the upload form; POST: the preview (nothing written) or the line errors."""
    found = _kind_or_403(request, kind)
    form_class = _form_class(found, request.prefecture, request.access)
    context = {"kind": found, "runs": _history(request, [found])}
    if request.method == "GET":
        initial = {o.name: o.default for o in found.options if o.default}
        return render_agents(
            request,
            "organisation/agents/import_kind.html",
            {**context, "form": form_class(initial=initial)},
        )
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return render_agents(
            request,
            "organisation/agents/import_kind.html",
            {**context, "form": form},
            status=400,
        )
    upload = form.cleaned_data["file"]
    options = {o.name: str(form.cleaned_data.get(o.name) or "") for o in found.options}
    try:
        preview = services.preview_import(
            found,
            request.prefecture,
            user=request.user,
            data=upload.read(),
            file_name=upload.name,
            options=options,
        )
    except CsvImportError as exc:
        return render_agents(
            request,
            "organisation/agents/import_kind.html",
            {
                **context,
                "form": form,
                "errors": services.refusal_errors(exc),
                "error_count": len(exc.errors),
                "file_name": upload.name,
                "runs": _history(request, [found]),
            },
            status=422,
        )
    option_labels = _option_labels(found, form)
    return render_agents(
        request,
        "organisation/agents/import_preview.html",
        {**context, "preview": preview, "option_labels": option_labels},
    )


def _option_labels(kind, form) -> list[tuple[str, str]]:
    shown = []
    for option in kind.options:
        value = form.cleaned_data.get(option.name)
        if value in (None, ""):
            continue
        field = form.fields[option.name]
        label = dict(getattr(field, "choices", [])).get(str(value), str(value))
        shown.append((option.label, label))
    return shown


def _upload_or_404(request, token):
    """The user's own file waiting in this prefecture; 404 for anything else (another
    user's or prefecture's file, one already confirmed, cancelled or too old)."""
    try:
        return services.pending_upload(token, request.prefecture, request.user)
    except services.ImportExpired as exc:
        raise Http404(str(exc)) from exc


@agent_view("import")
@require_POST
def import_confirm(request, token):
    """Write the previewed file (all or nothing) and go back to the history."""
    upload = _upload_or_404(request, token)
    kind = _kind_or_403(request, upload.kind)
    try:
        run = services.confirm_import(kind, upload, user=request.user)
    except services.ImportExpired as exc:
        messages.error(request, str(exc))
    except CsvImportError as exc:
        messages.error(
            request,
            "Fichier refusé à la confirmation (les données ont changé depuis l'aperçu), "
            "rien n'a été importé : " + " ; ".join(exc.lines[:20]),
        )
    else:
        messages.success(request, f"{kind.label} : import terminé. {run.summary}")
    return redirect("organisation:agents-imports", request.prefecture.slug)


@agent_view("import")
@require_POST
def import_cancel(request, token):
    """Forget the previewed file; nothing was written."""
    upload = _upload_or_404(request, token)
    _kind_or_403(request, upload.kind)
    services.cancel_import(upload)
    messages.info(request, "Import abandonné : rien n'a été enregistré.")
    return redirect("organisation:agents-imports", request.prefecture.slug)
