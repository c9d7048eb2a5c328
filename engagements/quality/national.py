"""The national administrator's overview of the label cycle: every prefecture with its
sites' current labels and their end dates, its late obligations, its latest published
figures against targets (a column per indicator, sortable: best first), and the share of
prefectures and sites labelled (the ministry's aim: every prefecture labelled)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from engagements.organisation.models import Prefecture, Site
from engagements.shell import label_cycle

from .cycle_enums import LabelStatus
from .labels import current_labels_by_prefecture
from .obligations import LATE, year_obligations_by_prefecture
from .service_scopes import share

SORTS = {
    "nom": lambda row: (row.prefecture.name,),
    "labellise": lambda row: (-row.share_key, row.prefecture.name),
    "fin": lambda row: (row.next_end or date.max, row.prefecture.name),
    "retard": lambda row: (-row.late, row.prefecture.name),
}


@dataclass
class PrefectureRow:
    prefecture: Prefecture
    sites: int = 0
    labelled_sites: int = 0
    labels: list[str] = field(default_factory=list)
    next_end: date | None = None
    expiring: int = 0
    expired: int = 0
    late: int = 0
    figures: dict | None = None
    indicator_cells: list = field(default_factory=list)

    @property
    def figures_text(self) -> str:
        if not self.figures:
            return ""
        f = self.figures
        return f"{f['period']} : objectifs atteints {f['met']} sur {f['with_target']}"

    @property
    def is_labelled(self) -> bool:
        """At least one site holds a valid (or to be renewed) label on module 1."""
        return self.labelled_sites > 0

    @property
    def by_code(self) -> dict[str, dict]:
        """The latest published prefecture-wide values, by indicator code."""
        return {v["code"]: v for v in (self.figures or {}).get("values", [])}

    @property
    def share_key(self) -> float:
        return self.labelled_sites / self.sites if self.sites else 0.0


def national_overview(today: date, *, sort: str = "nom") -> dict:
    """One row per prefecture, sorted (`nom`, `labellise`, `fin`, `retard`), and the shares,
    in a fixed number of queries whatever the number of prefectures."""
    prefectures = list(Prefecture.objects.order_by("name"))
    active_sites: dict[int, int] = {}
    for site in Site.objects.filter(is_active=True).only("prefecture_id"):
        active_sites[site.prefecture_id] = active_sites.get(site.prefecture_id, 0) + 1
    # Every prefecture's labels, obligations and published figures in a fixed number of
    # queries (one per kind of record), whatever the number of prefectures.
    labels = current_labels_by_prefecture(prefectures, today)
    obligations = year_obligations_by_prefecture(prefectures, today.year, today=today)
    figures = label_cycle.published_figures_by_prefecture(prefectures)
    rows = []
    for prefecture in prefectures:
        row = PrefectureRow(prefecture, sites=active_sites.get(prefecture.pk, 0))
        for site, currents in labels.get(prefecture.pk, {}).items():
            if not site.is_active:
                continue
            module_one = False
            for current in currents:
                label = current.label
                if current.status == LabelStatus.EXPIRED:
                    row.expired += 1
                    continue
                row.expiring += current.status == LabelStatus.EXPIRING
                module_one = module_one or label.module == 1
                row.next_end = min(row.next_end or label.valid_until, label.valid_until)
                row.labels.append(
                    f"{site.name} : {label.get_label_display()}, module {label.module}, "
                    f"jusqu'au {label.valid_until:%d/%m/%Y}"
                )
            row.labelled_sites += module_one
        row.late = sum(1 for o in obligations[prefecture.pk] if o.state == LATE)
        row.figures = figures.get(prefecture.pk)
        rows.append(row)
    indicators = _indicators(rows)
    if sort.startswith(INDICATOR_SORT) and sort[len(INDICATOR_SORT) :] in indicators:
        rows.sort(key=_indicator_key(sort[len(INDICATOR_SORT) :], indicators))
    else:
        sort = sort if sort in SORTS else "nom"
        rows.sort(key=SORTS[sort])
    for row in rows:
        cells = row.by_code
        row.indicator_cells = [cells.get(code) for code in indicators]
    total_sites = sum(r.sites for r in rows)
    return {
        "rows": rows,
        "sort": sort,
        "indicators": [
            {"code": code, "sort": f"{INDICATOR_SORT}{code}", **meta}
            for code, meta in indicators.items()
        ],
        "prefectures_share": share(sum(r.is_labelled for r in rows), len(rows)),
        "sites_share": share(sum(r.labelled_sites for r in rows), total_sites),
        "labelled_prefectures": sum(r.is_labelled for r in rows),
        "prefectures": len(rows),
        "labelled_sites": sum(r.labelled_sites for r in rows),
        "sites": total_sites,
    }


INDICATOR_SORT = "indicateur-"


def _indicators(rows) -> dict[str, dict]:
    """Every indicator published by at least one prefecture, in publication order."""
    out: dict[str, dict] = {}
    for row in rows:
        for value in (row.figures or {}).get("values", []):
            out.setdefault(
                value["code"],
                {"name": value["name"], "lower_is_better": value["lower_is_better"]},
            )
    return out


def _indicator_key(code: str, indicators: dict):
    """Best value first (the lowest for a delay or a rate of no-shows), none last."""
    sign = 1 if indicators[code]["lower_is_better"] else -1

    def key(row):
        value = row.by_code.get(code, {}).get("value")
        return (value is None, sign * value if value is not None else 0, row.prefecture.name)

    return key


CSV_HEADER = [
    "Préfecture",
    "Sites actifs",
    "Sites labellisés (module 1)",
    "Labels en cours",
    "Première fin de validité",
    "Labels à renouveler",
    "Labels expirés",
    "Obligations en retard",
    "Derniers résultats publiés",
]


def csv_header(overview: dict) -> list[str]:
    """The fixed columns, then three per indicator published (value, target, met)."""
    header = list(CSV_HEADER)
    for indicator in overview["indicators"]:
        name = indicator["name"]
        header += [f"{name} : valeur", f"{name} : cible", f"{name} : cible atteinte"]
    return header


def _number(value, unit) -> float | int | str:
    """A published value as the CSV gives it: a count as a whole number (visitors were
    written "3811,0", the values being stored as decimals), empty when there is none."""
    if value is None:
        return ""
    if unit == "count" and float(value).is_integer():
        return int(value)
    return value


def csv_rows(overview: dict):
    for row in overview["rows"]:
        cells = []
        for cell in row.indicator_cells:
            if cell is None:
                cells += ["", "", ""]
                continue
            cells += [
                _number(cell["value"], cell.get("unit")),
                _number(cell["target"], cell.get("unit")),
                {True: "oui", False: "non", None: ""}[cell["met"]],
            ]
        yield [
            row.prefecture.name,
            row.sites,
            row.labelled_sites,
            " ; ".join(row.labels),
            row.next_end.strftime("%d/%m/%Y") if row.next_end else "",
            row.expiring,
            row.expired,
            row.late,
            row.figures_text,
            *cells,
        ]
