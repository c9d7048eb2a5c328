"""Demo indicators shaped like seed 002: telephony since January of last year (a queue_log
for the prefecture, hourly files for the sub-prefectures, about 93 % answered), reception
visits at the PAN (about 340 a month), about 1,400 website requests a year nearly all
published within 3 working days; last year validated and published; this quarter running.
Records go through the same importers and services as real files."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from engagements.calendar.workdays import calendar_for
from engagements.organisation import references

from .enums import UpdateKind
from .imports import import_telephony, prefecture_zone
from .models import Publication, Visit, WebsiteUpdate

# Calls per hour of a working day at the prefecture's switchboard (busy Monday mornings).
HOURLY_SHAPE = {8: 2, 9: 5, 10: 6, 11: 5, 12: 2, 13: 2, 14: 5, 15: 4, 16: 3, 17: 1}
PAGES = [
    "/Demarches/Titres-de-sejour",
    "/Actualites/Communiques-de-presse",
    "/Demarches/Permis-de-conduire",
    "/Publications/Recueil-des-actes-administratifs",
    "/Politiques-publiques/Environnement",
    "/Contact/Horaires-d-ouverture",
    "/Demarches/Naturalisation",
    "/Actualites/Elections",
]


def _working_days(calendar, start: date, end: date):
    day = start
    while day <= end:
        if calendar.is_working_day(day):
            yield day
        day += timedelta(days=1)


def _queue_log(ctx, site, start: date, end: date) -> str:
    rng = ctx.rng
    zone = prefecture_zone(site.prefecture)
    lines = []
    number = 0
    calendar = calendar_for(site.prefecture, site)
    for day in _working_days(calendar, start, end):
        monday = 1.4 if day.weekday() == 0 else 1.0
        for hour, weight in HOURLY_SHAPE.items():
            for _ in range(max(0, round(weight * monday * rng.uniform(0.6, 1.4)))):
                number += 1
                moment = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)))
                epoch = int(timezone.make_aware(moment, zone).timestamp())
                callid = f"{epoch}.{number}"
                lines.append(f"{epoch}|{callid}|accueil|NONE|ENTERQUEUE||0600000000|1")
                if rng.random() < 0.93:
                    wait = int(rng.expovariate(1 / 18))
                    lines.append(
                        f"{epoch + wait}|{callid}|accueil|SIP/2{number % 4}|CONNECT|{wait}|x|4"
                    )
                    lines.append(
                        f"{epoch + wait + 180}|{callid}|accueil|SIP/2|COMPLETEAGENT|{wait}|180|1"
                    )
                else:
                    wait = rng.randrange(20, 240)
                    lines.append(f"{epoch + wait}|{callid}|accueil|NONE|ABANDON|1|1|{wait}")
        # Out of hours: a few calls reach a closed queue.
        for _ in range(rng.randrange(0, 4)):
            moment = datetime.combine(day, time(rng.choice([7, 18, 19]), rng.randrange(60)))
            epoch = int(timezone.make_aware(moment, zone).timestamp())
            lines.append(f"{epoch}|closed.{epoch}|accueil|NONE|JOINEMPTY|1|1|1")
    return "\n".join(lines) + "\n"


def _platforms(ctx, site) -> None:
    """The switchboard of the queue_log's queue, with its published hours (the lost-calls
    rate counts the calls within them)."""
    from engagements.organisation import services as organisation
    from engagements.organisation.models import TelephonePlatform

    actor = ctx.users["qualite"]
    switchboard = organisation.save_platform(
        TelephonePlatform(
            site=site, kind="switchboard", name="Standard", slug="standard", queue="accueil"
        ),
        actor=actor,
    )
    hours = (time(8, 30), time(12, 0), time(13, 30), time(16, 30))
    organisation.set_platform_hours(switchboard, dict.fromkeys(range(5), hours), actor=actor)


def _hourly(ctx, site, start: date, end: date, scale: float) -> str:
    rng = ctx.rng
    rows = ["date;hour;offered;answered;answered_within_5_rings"]
    calendar = calendar_for(site.prefecture, site)
    for day in _working_days(calendar, start, end):
        for hour, weight in HOURLY_SHAPE.items():
            offered = max(0, round(weight * scale * rng.uniform(0.5, 1.5)))
            answered = sum(1 for _ in range(offered) if rng.random() < 0.935)
            within = sum(1 for _ in range(answered) if rng.random() < 0.8)
            rows.append(f"{day:%d/%m/%Y};{hour:02d};{offered};{answered};{within}")
    return "\n".join(rows) + "\n"


def _visits(ctx, site, start: date, end: date) -> None:
    rng = ctx.rng
    services = list(site.services.all())
    zone = prefecture_zone(site.prefecture)
    calendar = calendar_for(site.prefecture, site)
    visits = []
    for day in _working_days(calendar, start, end):
        for _ in range(rng.randrange(10, 22)):
            hour = rng.choice([9, 9, 10, 10, 10, 11, 11])
            arrived = timezone.make_aware(
                datetime.combine(day, time(hour, rng.randrange(60))), zone
            )
            waited = timedelta(minutes=int(rng.expovariate(1 / 9)))
            served = arrived + waited if day < end or rng.random() < 0.5 else None
            visits.append(
                Visit(
                    prefecture=site.prefecture,
                    site=site,
                    service=rng.choice(services) if services else None,
                    arrived_at=arrived,
                    served_at=served,
                )
            )
    Visit.objects.bulk_create(visits, batch_size=2000)


def _website(ctx, prefecture, start: date, end: date) -> None:
    rng = ctx.rng
    calendar = calendar_for(prefecture)
    sites = list(prefecture.sites.all())
    updates = []
    number = {}
    for day in _working_days(calendar, start, end):
        for _ in range(rng.randrange(3, 9)):
            year_count = number.get(day.year, 0) + 1
            number[day.year] = year_count
            delay = rng.choices([0, 1, 2, 3, 4], weights=[30, 40, 20, 9, 1])[0]
            published = calendar.add_working_days(day, delay)
            updates.append(
                WebsiteUpdate(
                    prefecture=prefecture,
                    site=rng.choice(sites),
                    reference=f"WEB-{day.year}-{year_count:05d}",
                    page=rng.choice(PAGES),
                    kind=rng.choices(list(UpdateKind.values), weights=[20, 60, 10, 10])[0],
                    requested_on=day,
                    published_on=published if published < end else None,
                )
            )
    WebsiteUpdate.objects.bulk_create(updates, batch_size=2000)
    for year, last in number.items():
        references.claim_number(prefecture, references.WEBSITE_UPDATES, year, last)


def seed(ctx) -> None:
    from engagements import jobs

    from . import services
    from .periods import Period

    prefecture = ctx.prefecture
    today = ctx.today
    start = date(today.year - 1, 1, 1)
    end = today - timedelta(days=1)
    sites = ctx.sites
    _platforms(ctx, sites["lysville"])
    import_telephony(
        prefecture, sites["lysville"], _queue_log(ctx, sites["lysville"], start, end),
        fmt="queue_log",
    )  # fmt: skip
    for slug, scale in (("sainte-aure", 0.35), ("bellerive", 0.2)):
        import_telephony(
            prefecture, sites[slug], _hourly(ctx, sites[slug], start, end, scale), fmt="hourly"
        )
    _visits(ctx, sites["pan-lysville"], start, today)
    _website(ctx, prefecture, start, today)
    # Last year validated and published by the référent qualité; the job fills the rest.
    publication = services.publish(
        prefecture, Period.year(today.year - 1), actor=ctx.users["qualite"]
    )
    # Published in mid-January, as a référent does once December's records are in (not
    # stamped with the moment the demo was seeded).
    january = timezone.make_aware(datetime.combine(date(today.year, 1, 15), time(10, 0)))
    Publication.objects.filter(pk=publication.pk).update(published_at=min(january, timezone.now()))
    jobs.enqueue("engagements.indicators.jobs.recompute_values")
