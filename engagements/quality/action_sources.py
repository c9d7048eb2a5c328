"""The quality app's own records an improvement action may come from."""

from engagements.shell.hooks import ActionSource, register_action_source

from .enums import SourceKind


def _finding_label(finding) -> str:
    assessment = finding.assessment
    where = f" — {finding.commitment.ref}" if finding.commitment_id else ""
    when = f"{assessment.get_kind_display().lower()} du {assessment.planned_on:%d/%m/%Y}"
    return f"{finding.get_kind_display()}{where} ({when})"


def declare() -> None:
    register_action_source(
        "quality.finding",
        ActionSource(
            SourceKind.AUDIT,
            label=_finding_label,
            prefecture=lambda f: f.assessment.prefecture,
            site=lambda f: f.assessment.site,
            title=lambda f: f.text[:300],
        ),
    )
    register_action_source(
        "quality.experience",
        ActionSource(
            SourceKind.SP_PLUS,
            label=lambda e: f"Expérience SP+ n° {e.external_id}",
            title=lambda e: (e.improvement or e.title)[:300],
        ),
    )
