"""The CLU's annual report: every indicator against its target and last year, per site;
complaints by topic and site (shares in %); survey results by criterion; mystery checks."""

from __future__ import annotations

from datetime import date

from engagements.organisation.models import Prefecture, Site

from . import compute
from .catalogue import BY_CODE
from .periods import Period
from .views.display import display, exclusions, lost_calls_lines


def _share(part: int, total: int) -> str:
    if not total:
        return "—"
    return display(round(100 * part / total, 1), "percent")


def annual_report(prefecture: Prefecture, year: int, *, at: date) -> dict:
    from engagements.correspondence import queries as correspondence
    from engagements.correspondence.enums import Kind
    from engagements.surveys import queries as surveys

    period = Period.year(year)
    structures = [None, *Site.objects.filter(prefecture=prefecture, is_active=True)]
    indicator_tables = []
    for site in structures:
        rows = []
        report, figures = compute.report_rows(prefecture, period, site=site, at=at)
        apart = [
            text
            for code in ("correspondence_on_time_rate", "calls_answered_rate")
            if (text := exclusions(code, figures[code].extra))
        ]
        # Calls outside the published hours are counted apart from the lost-calls rate.
        if outside := lost_calls_lines("calls_lost_rate", figures["calls_lost_rate"].extra)[0]:
            apart.append(outside)
        platforms = {
            (p["site"], p["platform"]): p["name"]
            for p in figures["calls_lost_rate"].extra.get("platforms", [])
        }
        site_names = {s.slug: s.name for s in structures if s is not None}
        for row in report:
            entry = BY_CODE[row["code"]]
            name = entry.name_fr
            if "platform" in row:  # a telephone platform's own rate, after the catalogue's
                name += f" — {platforms.get((row['site'], row['platform']), row['platform'])}"
                if site is None:
                    name += f" ({site_names.get(row['site'], row['site'])})"
            rows.append(
                {
                    "name": name,
                    "value": display(row["value"], entry.unit),
                    "target": display(row["target"], entry.unit),
                    "met": {True: "oui", False: "non", None: "—"}[row["met"]],
                    "previous": display(row["previous"], entry.unit),
                }
            )
        indicator_tables.append(
            {"label": site.name if site else prefecture.name, "rows": rows, "apart": apart}
        )

    complaints = correspondence.period_messages(prefecture, period.start, period.end).filter(
        kind=Kind.COMPLAINT
    )
    by_topic = correspondence.breakdown(complaints, at=at, by="topic")
    by_site = correspondence.breakdown(complaints, at=at, by="site")
    total = sum(r["total"] for r in by_topic)
    complaint_tables = [
        {
            "label": label,
            "rows": [
                {
                    "label": r["label"],
                    "total": r["total"],
                    "share": _share(r["total"], total),
                    "rate": display(r["rate_on_time"], "percent"),
                }
                for r in rows
            ],
        }
        for label, rows in (("Par thème", by_topic), ("Par site", by_site))
    ]

    survey_tables = []
    for campaign in surveys.year_campaigns(prefecture, year):
        results = surveys.campaign_results(campaign)
        survey_tables.append(
            {
                "label": f"{campaign.site.name} — {campaign.name}",
                "responses": results["total"],
                "rows": [
                    {
                        "label": c["label"],
                        "answers": c["answers"],
                        "rate": display(c["rate"], "percent")
                        if c["rate"] is not None
                        else "pas assez de réponses",
                        "previous": display(c["previous"], "percent"),
                    }
                    for c in results["criteria"]
                ],
            }
        )
    checks = [
        {
            "service": r["service"],
            "checks": r["checks"],
            "average": display(r["average"], "percent"),
            "met": r["met"],
            "assessed": r["assessed"],
        }
        for r in surveys.mystery_results_by_service(surveys.year_checks(prefecture, year))
    ]
    from engagements.shell import label_cycle

    return {
        "prefecture": prefecture,
        "year": year,
        "at": at,
        "trainings": label_cycle.training_summary(prefecture, year),
        "indicator_tables": indicator_tables,
        "complaints_total": total,
        "complaint_tables": complaint_tables,
        "survey_tables": survey_tables,
        "checks": checks,
    }
