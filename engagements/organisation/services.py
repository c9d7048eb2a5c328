"""Writes on the organisation: one function per use case, each in a transaction.

History rows (django-simple-history) are written by the model saves, with the acting user
taken from the request (HistoryRequestMiddleware) or passed explicitly.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction

from .enums import DEFAULT_TARGETS, HoursChannel, Indicator
from .models import (
    Closure,
    OpeningHours,
    PlatformHours,
    Prefecture,
    Service,
    Site,
    Target,
    TelephonePlatform,
)
from .signals import holidays_changed


class OrganisationError(Exception):
    """A refusal with a French message that can be shown to the user."""


def _stamp(instance, actor) -> None:
    # simple_history reads _history_user when there is no request (commands, jobs).
    instance._history_user = actor


@transaction.atomic
def update_prefecture_settings(prefecture: Prefecture, *, actor, **fields) -> Prefecture:
    """Change a prefecture's contact details and deadlines."""
    for name, value in fields.items():
        setattr(prefecture, name, value)
    prefecture.full_clean()
    _stamp(prefecture, actor)
    prefecture.save(update_fields=list(fields))
    if "holiday_subdivision" in fields:
        # Other public holidays: the stored working-day calendars are written again.
        holidays_changed.send(sender=Prefecture, prefecture=prefecture)
    return prefecture


@transaction.atomic
def save_site(site: Site, *, actor) -> Site:
    """Create or update a site."""
    site.full_clean()
    _stamp(site, actor)
    site.save()
    return site


@transaction.atomic
def set_labelled_modules(site: Site, modules, *, actor=None) -> bool:
    """Write the modules a site is labelled on (numbers 1 to 8), as an upper app that holds
    the labels computes them; returns whether they changed (a history row when they do)."""
    numbers = sorted({int(m) for m in modules})
    if numbers == sorted(site.labelled_modules or []):
        return False
    site.labelled_modules = numbers
    site.clean()  # the modules only: the rest of the site is not this writer's business
    _stamp(site, actor)
    site.save(update_fields=["labelled_modules"])
    return True


@transaction.atomic
def save_service(service: Service, *, actor) -> Service:
    """Create or update a service."""
    service.full_clean()
    _stamp(service, actor)
    service.save()
    return service


@transaction.atomic
def set_opening_hours(site: Site, channel: str, days: dict[int, tuple | None], *, actor) -> None:
    """Replace a site's hours for one channel; days maps weekday -> (4 times) or None (closed)."""
    HoursChannel(channel)
    _replace_week(
        OpeningHours.objects.filter(site=site, channel=channel),
        lambda weekday: OpeningHours(site=site, channel=channel, weekday=weekday),
        days,
        actor,
    )


def _replace_week(rows, new_row, days: dict[int, tuple | None], actor) -> None:
    for weekday in range(7):
        times = days.get(weekday)
        existing = rows.filter(weekday=weekday).first()
        if not times:
            if existing:
                _stamp(existing, actor)
                existing.delete()
            continue
        row = existing or new_row(weekday)
        row.opens_at, row.closes_at, row.reopens_at, row.closes_again_at = times
        row.full_clean()
        _stamp(row, actor)
        row.save()


@transaction.atomic
def save_platform(platform: TelephonePlatform, *, actor) -> TelephonePlatform:
    """Create or update a site's telephone platform (its queue_log queue, its name)."""
    platform.full_clean()
    _stamp(platform, actor)
    platform.save()
    return platform


@transaction.atomic
def set_platform_hours(
    platform: TelephonePlatform, days: dict[int, tuple | None], *, actor
) -> None:
    """Replace a telephone platform's published hours (weekday -> 4 times or None)."""
    _replace_week(
        PlatformHours.objects.filter(platform=platform),
        lambda weekday: PlatformHours(platform=platform, weekday=weekday),
        days,
        actor,
    )


@transaction.atomic
def add_closure(
    prefecture: Prefecture, *, day: date, label: str, site: Site | None = None, actor
) -> Closure:
    """Close the prefecture (or one of its sites) for a day."""
    if site is not None and site.prefecture_id != prefecture.pk:
        raise OrganisationError("Ce site n'appartient pas à la préfecture.")
    if Closure.objects.filter(prefecture=prefecture, site=site, date=day).exists():
        raise OrganisationError("Une fermeture existe déjà ce jour-là pour ce lieu.")
    closure = Closure(prefecture=prefecture, site=site, date=day, label=label)
    _stamp(closure, actor)
    try:
        # The stored working-day calendars move with the closures (the calendar app's
        # receiver of Closure's post_save / post_delete).
        with transaction.atomic():
            closure.save()
    except IntegrityError as exc:
        raise OrganisationError("Une fermeture existe déjà ce jour-là pour ce lieu.") from exc
    return closure


@transaction.atomic
def remove_closure(closure: Closure, *, actor) -> None:
    """Cancel a closure day."""
    _stamp(closure, actor)
    closure.delete()


@transaction.atomic
def set_targets(
    prefecture: Prefecture,
    year: int,
    values: dict[str, float],
    *,
    actor,
    site: Site | None = None,
) -> None:
    """Set the yearly targets of a prefecture, or a site's overrides (indicator -> value;
    for a site, None removes the override and the prefecture's target applies again)."""
    if site is not None and site.prefecture_id != prefecture.pk:
        raise OrganisationError("Ce site n'appartient pas à la préfecture.")
    for indicator, value in values.items():
        Indicator(indicator)
        if value is None:
            if site is None and indicator in DEFAULT_TARGETS:
                raise OrganisationError("Une valeur cible de la préfecture est obligatoire.")
            for target in Target.objects.filter(
                prefecture=prefecture, site=site, year=year, indicator=indicator
            ):
                _stamp(target, actor)
                target.delete()
            continue
        target = Target.objects.filter(
            prefecture=prefecture, site=site, year=year, indicator=indicator
        ).first() or Target(prefecture=prefecture, site=site, year=year, indicator=indicator)
        target.value = value
        _stamp(target, actor)
        target.save()
