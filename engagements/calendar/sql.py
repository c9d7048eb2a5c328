"""SQL joins to the stored calendars, for figures computed in one statement."""

from __future__ import annotations

from .models import WorkingDay


def number_joins(message: str, day_column: str, alias: str) -> tuple[str, str]:
    """SQL pieces giving the stored working-day number of `message`.`day_column` (a relation
    with prefecture_id and site_id): LEFT JOINs to add to a FROM clause, and the expression
    (NULL when the calendar does not cover that day)."""
    table = WorkingDay._meta.db_table
    joins = (
        f" LEFT JOIN {table} {alias}_p ON {alias}_p.prefecture_id = {message}.prefecture_id"
        f" AND {alias}_p.site_id IS NULL AND {alias}_p.day = {message}.{day_column}"
        f" LEFT JOIN {table} {alias}_s ON {alias}_s.site_id = {message}.site_id"
        f" AND {alias}_s.day = {message}.{day_column}"
    )
    return joins, f"COALESCE({alias}_s.number, {alias}_p.number)"
