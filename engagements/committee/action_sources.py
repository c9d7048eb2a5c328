"""Committee records an improvement action may come from (no personal data)."""

from django.utils import timezone

from engagements.shell.hooks import ActionSource, register_action_source


def _decision_label(decision) -> str:
    meeting = decision.minutes.meeting
    day = timezone.localtime(meeting.starts_at)
    return (
        f"Décision du comité des usagers ({decision.get_kind_display().lower()}), "
        f"réunion du {day:%d/%m/%Y}"
    )


def _suggestion_label(suggestion) -> str:
    return f"Suggestion d'un membre du comité des usagers du {suggestion.submitted_on:%d/%m/%Y}"


def declare() -> None:
    # A decision reaches its prefecture through minutes → meeting → committee: three hops,
    # one more than the generic walk takes, hence the explicit `prefecture`.
    register_action_source(
        "committee.decision",
        ActionSource(
            "committee",
            label=_decision_label,
            prefecture=lambda d: d.minutes.meeting.committee.prefecture,
            site=lambda d: None,
            title=lambda d: d.text[:300],
        ),
    )
    register_action_source(
        "committee.suggestion",
        ActionSource(
            "committee",
            label=_suggestion_label,
            prefecture=lambda s: s.committee.prefecture,
            site=lambda s: None,
            title=lambda s: s.text[:300],
        ),
    )
