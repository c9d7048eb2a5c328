"""Survey answers typed elsewhere, on the agents' "Imports" page (the command's service)."""

from engagements.csvio import CsvImportError, refusal
from engagements.shell.imports import (
    ImportKind,
    ImportOption,
    ImportSummary,
    register_import_kind,
)

from .models import Campaign
from .services import import_answers


def _campaigns(prefecture, access):
    return [(str(c.pk), f"{c.name} ({c.site.name})") for c in _scope(prefecture)]


def _scope(prefecture):
    return Campaign.objects.filter(prefecture=prefecture).select_related("site")


def run(prefecture, data, *, filename, options, actor) -> ImportSummary:
    campaign = _scope(prefecture).filter(pk=options.get("campaign") or 0).first()
    if campaign is None:
        raise refusal("campagne inconnue dans cette préfecture", line=1)
    report = import_answers(campaign, data, file_name=filename, actor=actor)
    if report.line_errors:
        raise CsvImportError(report.line_errors)
    return ImportSummary(counts=[("Réponses importées", report.created)])


def register() -> None:
    register_import_kind(
        ImportKind(
            code="survey-answers",
            label="Réponses à une enquête",
            group="Avis des usagers",
            columns="channel (qr, kiosk, paper, web, appointment_email, end_of_call, stars), "
            "service, puis une colonne par code de question",
            run=run,
            options=(ImportOption("campaign", "Campagne", choices=_campaigns),),
            help="Service par identifiant ; une cellule vide reste sans réponse.",
            order=55,
        )
    )
