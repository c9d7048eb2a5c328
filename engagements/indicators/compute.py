"""Live computation of every indicator of docs/indicators.md from the records, for a
prefecture or a site, a period, and a reference date (`at`: the records as they stood then).

The figures themselves come from the set-based pass of `grouped` (the same path as the
stored values, rounded once there); this module keeps the scope of the records pages,
the website requests' states, targets and the `indicators` command's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from engagements.organisation.models import Prefecture, Service, Site

from . import grouped
from .catalogue import BY_CODE, CATALOGUE
from .grouped import WEBSITE_DEADLINE_DAYS, website_states  # noqa: F401 - the records pages' door
from .periods import Period

Figure = grouped.Figure


@dataclass
class Scope:
    prefecture: Prefecture
    site: Site | None
    period: Period
    at: date
    # Figures that depend on the reference date only (first free slot), shared between the
    # periods of one run of the values job.
    cache: dict = field(default_factory=dict)
    # A service of the site (values per service); telephony has no service.
    service: Service | None = None

    @property
    def window(self) -> grouped.Window:
        """The same range as the set-based pass (its time zone, last day, moments)."""
        return grouped.Window(self.prefecture, [self.period], self.at)

    @property
    def last_day(self) -> date:
        """The last day of records counted: the period's end, or `at` if earlier."""
        return self.window.last_day

    @property
    def start_dt(self) -> datetime:
        return self.window.start_dt

    @property
    def end_dt(self) -> datetime:
        """Exclusive end of the period's records as they stood at `at`."""
        return self.window.end_dt

    @property
    def at_end(self) -> datetime:
        """The reference moment: now when `at` is today, else the end of the day `at`."""
        return self.window.at_end


# Sources ------------------------------------------------------------------------------------
# Every figure is computed by the set-based pass of `grouped` (one path, rounded once).


def figures(
    prefecture: Prefecture,
    period: Period,
    *,
    site: Site | None = None,
    at: date,
    cache: dict | None = None,
    service: Service | None = None,
    module: int | None = None,
) -> dict[str, Figure]:
    """{code: Figure} for every indicator code, computed live (for the prefecture, a site,
    or a service of a site) by the same set-based pass as the stored values; with
    `module`, only the services in that module's scope count (docs/indicators.md, scope
    per service)."""
    if service is not None:
        site = service.site
    services = None
    if module is not None:
        services = module_services(prefecture, module)
        if services == ():  # no service in the module's scope: nothing to count
            return {code: Figure() for code in BY_CODE}
    structure = (site.pk if site else None, service.pk if service else None)
    values = grouped.compute_values(
        prefecture,
        [period],
        at=at,
        structures=[structure],
        breakdowns=False,
        cache=cache,
        services=services,
    )
    return values[(period, structure, "")]


def module_services(prefecture: Prefecture, module: int) -> tuple[int, ...] | None:
    """The pks of the services in a module's scope (empty: nothing counts), or None when no
    app keeps scopes (every service counts)."""
    from engagements.shell import label_cycle

    pks = label_cycle.scope_services(prefecture, module)
    return None if pks is None else tuple(pks)


def targets(prefecture: Prefecture, year: int, site: Site | None = None) -> dict[str, float | None]:
    """{code: target or None}: the prefecture's target (or a site's override) of the year.
    The site is one of the prefecture's: its targets are read through the prefecture given,
    not through `site.prefecture` (a query more when the site came without it)."""
    values = prefecture.targets_for(year, site)
    return {
        entry.code: (values.get(entry.target_key) if entry.target_key else None)
        for entry in CATALOGUE
    }


def is_met(code: str, value, target) -> bool | None:
    if value is None or target is None:
        return None
    if BY_CODE[code].lower_is_better:
        return float(value) <= float(target)
    return float(value) >= float(target)


def _number(value):
    """Decimals become floats for JSON; ints and floats stay as they are."""
    return float(value) if isinstance(value, Decimal) else value


def report(
    prefecture: Prefecture, period: Period, *, site: Site | None = None, at: date
) -> list[dict]:
    """The `indicators` command's rows: code, value, numerator, denominator, target, met,
    previous (the same period one year earlier, as it stood at `at`)."""
    return report_rows(prefecture, period, site=site, at=at)[0]


def report_rows(
    prefecture: Prefecture, period: Period, *, site: Site | None = None, at: date
) -> tuple[list[dict], dict[str, Figure]]:
    """`report`'s rows and the period's figures they come from (their counts beside)."""
    structure = (site.pk if site else None, None)
    before = period.previous_year()
    values = grouped.compute_values(
        prefecture, [period, before], at=at, structures=[structure], breakdowns=False
    )
    current, previous = values[(period, structure, "")], values[(before, structure, "")]
    goals = targets(prefecture, period.start.year, site)
    rows = []
    for entry in CATALOGUE:
        figure = current[entry.code]
        target = goals[entry.code]
        rows.append(
            {
                "code": entry.code,
                "value": _number(figure.value),
                "numerator": _number(figure.numerator),
                "denominator": _number(figure.denominator),
                "target": _number(target),
                "met": is_met(entry.code, figure.value, target),
                "previous": _number(previous[entry.code].value),
            }
        )
    rows.extend(platform_rows(current, previous, goals))
    return rows, current


def platform_rows(current, previous, goals) -> list[dict]:
    """The lost-calls rate of each telephone platform: rows of the `indicators` command
    after the catalogue's, with `platform` (and `site`, its slug) keys."""
    code = "calls_lost_rate"
    before = {
        (row["site"], row["platform"]): row["value"]
        for row in previous[code].extra.get("platforms", [])
    }
    target = goals[code]
    return [
        {
            "code": code,
            "platform": row["platform"],
            "site": row["site"],
            "value": row["value"],
            "numerator": row["numerator"],
            "denominator": row["denominator"],
            "target": _number(target),
            "met": is_met(code, row["value"], target),
            "previous": before.get((row["site"], row["platform"])),
        }
        for row in current[code].extra.get("platforms", [])
    ]
