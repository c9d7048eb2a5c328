"""Read-side helpers on the organisation, for other apps and the public pages."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils.dates import WEEKDAYS

from .access import CAPABILITIES
from .enums import HoursChannel, RoleKind, Weekday
from .models import OpeningHours, Prefecture, Service, Site, TelephonePlatform


def public_prefectures() -> QuerySet[Prefecture]:
    return Prefecture.objects.filter(is_published=True).order_by("department_code")


def working_agents(prefecture: Prefecture, *, sites=None) -> QuerySet:
    """Active people who work in the prefecture (agents, site managers, quality leads): who
    may own an action or a procedure sheet. A committee member or an auditor opens none of
    the pages such a task leads to, so is never offered.

    `sites`: only those who see the records of one of these sites (the quality leads, the
    site managers of these sites, the agents of their services), so that a site manager is
    not offered, nor shown, the people of other sites."""
    role = Q(roles__prefecture=prefecture, roles__kind__in=CAPABILITIES["work"])
    if sites is not None:
        role &= (
            Q(roles__kind=RoleKind.QUALITY_LEAD)
            | Q(roles__sites__in=sites)
            | Q(roles__services__site__in=sites)
        )
    return (
        get_user_model()
        .objects.filter(role, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def published_sites(prefecture: Prefecture) -> QuerySet[Site]:
    """Active sites with their active services and hours, in two extra queries."""
    return (
        prefecture.sites.filter(is_active=True)
        .prefetch_related(
            Prefetch("services", queryset=Service.objects.filter(is_active=True)),
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday")),
        )
        .order_by("position", "name")
    )


def weekly_hours(site: Site, channel: str = HoursChannel.RECEPTION) -> list[dict]:
    """Seven rows (Monday first) with the day's label and its time ranges (empty: closed).

    Uses the prefetched `opening_hours` when present.
    """
    by_day = defaultdict(list)
    for row in site.opening_hours.all():
        if row.channel == channel:
            by_day[row.weekday] = row.ranges
    return [
        {"weekday": day.value, "label": WEEKDAYS[day.value], "ranges": by_day.get(day.value, [])}
        for day in Weekday
    ]


def platform_weekly_hours(platform: TelephonePlatform) -> list[dict]:
    """A telephone platform's seven days (Monday first), as `weekly_hours` gives a site's;
    uses the prefetched `hours` when present."""
    by_day = {row.weekday: row.ranges for row in platform.hours.all()}
    return [
        {"weekday": day.value, "label": WEEKDAYS[day.value], "ranges": by_day.get(day.value, [])}
        for day in Weekday
    ]


def telephone_platforms(prefecture: Prefecture, site: Site | None = None) -> list:
    """A prefecture's (or a site's) telephone platforms with their hours, in two queries
    (the indicators app's lost-calls rate reads them)."""
    platforms = TelephonePlatform.objects.filter(site__prefecture=prefecture).select_related("site")
    if site is not None:
        platforms = platforms.filter(site=site)
    return list(platforms.prefetch_related("hours").order_by("site__position", "position", "pk"))


def find_service(prefecture: Prefecture, site_slug: str, service_slug: str) -> Service | None:
    return (
        Service.objects.filter(site__prefecture=prefecture, site__slug=site_slug, slug=service_slug)
        .select_related("site")
        .first()
    )


def targets_by_site(prefecture: Prefecture, year: int, sites) -> dict[int | None, dict]:
    """Every site's yearly targets (None: the prefecture's) in one query: defaults, then
    the prefecture's targets, then each site's overrides (docs/indicators.md, Targets)."""
    from .enums import DEFAULT_TARGETS
    from .models import Target

    base = {indicator.value: float(value) for indicator, value in DEFAULT_TARGETS.items()}
    rows = list(
        Target.objects.filter(prefecture=prefecture, year=year).values_list(
            "site_id", "indicator", "value"
        )
    )
    for site_id, indicator, value in rows:
        if site_id is None:
            base[indicator] = float(value)
    result: dict[int | None, dict] = {None: base}
    for site in sites:
        result[site.pk] = dict(base)
    for site_id, indicator, value in rows:
        if site_id in result and site_id is not None:
            result[site_id][indicator] = float(value)
    return result
