"""Indicator records an improvement action may come from (a missed target, no personal data)."""

from engagements.shell.hooks import ActionSource, register_action_source


def declare() -> None:
    register_action_source("indicators.*", ActionSource("indicator", label=lambda o: str(o)[:300]))
