"""The calendar's answers to organisation's changes (connected in apps.py): a closure
added or removed, or another holiday subdivision, writes the stored calendars again."""

from __future__ import annotations

from .stored import closures_changed


def on_closure_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete receiver of organisation.Closure."""
    origin = kwargs.get("origin")
    if origin is not None and getattr(origin, "model", type(origin)) is not sender:
        return  # a prefecture or site being deleted takes its calendars with it
    closures_changed(instance.prefecture_id)


def on_holidays_changed(sender, prefecture, **kwargs) -> None:
    """organisation.signals.holidays_changed receiver."""
    closures_changed(prefecture)
