"""Committee records an improvement action may come from (no personal data)."""

from engagements.shell.hooks import ActionSource, register_action_source


def declare() -> None:
    register_action_source("committee.decision", ActionSource("committee"))
    register_action_source("committee.suggestion", ActionSource("committee"))
