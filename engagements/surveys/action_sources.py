"""Survey and mystery check records an improvement action may come from (no personal data)."""

from engagements.shell.hooks import ActionSource, register_action_source


def _result_label(result) -> str:
    check = result.check_run
    return (
        f"Contrôle mystère ({check.grid.get_kind_display().lower()}) du "
        f"{check.planned_on:%d/%m/%Y} — critère « {result.criterion.label} »"
    )


def declare() -> None:
    register_action_source(
        "surveys.campaign",
        ActionSource(
            "survey",
            label=lambda c: f"Enquête de satisfaction « {c.name} »",
        ),
    )
    register_action_source(
        "surveys.question",
        ActionSource(
            "survey",
            label=lambda q: f"Question d'enquête « {q.text} »",
            prefecture=lambda q: q.questionnaire.prefecture,
            site=lambda q: None,
        ),
    )
    register_action_source(
        "surveys.checkresult",
        ActionSource(
            "mystery_check",
            label=_result_label,
            prefecture=lambda r: r.check_run.prefecture,
            site=lambda r: r.check_run.service.site,
            service=lambda r: r.check_run.service,
            title=lambda r: f"Améliorer : {r.criterion.label}",
        ),
    )
    register_action_source(
        "surveys.mysterycheck",
        ActionSource(
            "mystery_check",
            label=lambda c: f"Contrôle mystère du {c.planned_on:%d/%m/%Y}",
            site=lambda c: c.service.site,
            service=lambda c: c.service,
        ),
    )
