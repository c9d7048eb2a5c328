"""The stored working-day calendars (engagements.calendar.stored is their only writer)."""

from __future__ import annotations

from django.db import models

from engagements.organisation.models import Prefecture, Site


class WorkingDay(models.Model):
    """One day of a stored working-day calendar (engagements.calendar.stored writes it).

    A calendar is a prefecture's (site empty) or, only for a site with closures of its
    own, that site's. `number` is the count of working days from the calendar's first day
    up to and including this day, so the working days d with a < d <= b are
    number(b) - number(a): delays and due dates become joins and lookups in SQL.
    """

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, related_name="+")
    day = models.DateField()
    number = models.PositiveIntegerField()

    class Meta:
        verbose_name = "jour du calendrier ouvré"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "site", "day"],
                name="one_working_day_row_per_calendar",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["site", "day"], name="workingday_site_day")]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} : {self.number}"
