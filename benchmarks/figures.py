"""Figures, search and survey results at scale on PostgreSQL: `make bench`.

    python -m benchmarks.figures [--scale 100000] [--repeat 3] [--keep]

Creates its own database (eng_bench_figures, after BENCH_DB_PREFIX; 127.0.0.1:5432,
user postgres), migrates,
seeds `--scale` correspondence messages over three years (five sites, one with closures of
its own, 20 services, 10 topics) and `--scale / 5` survey answers (two campaigns of a
site, the second compared with the first) with PostgreSQL COPY, then measures, each against
a reference measured in the same run on the same data:

- `correspondence_report --year` against a hand-written SQL aggregate giving the same JSON;
- the agents' figures page (this year and last, six breakdowns) against one hand-written
  GROUPING SETS query per year;
- the worklist search `q=titre` against the hand-written indexed query of its first page;
- the survey results page against one hand-written GROUP BY over the answers.

Prints each median time and its ratio to the reference (target: within 2×); for pages also
the ratio to the reference plus the fixed cost of a one-query request (/healthz) through the
same stack (session, middleware), which is what "a one-query view" costs; then, for each
page, which part costs what: its time in the database (its queries, timed around the driver)
and the rest, Python. Drops the
database at the end unless --keep. `--scale 1000000` seeds 1,000,000 messages and 200,000
answers in a few minutes. Environment: BENCH_PG (postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta

from benchmarks import common
from benchmarks.common import (
    admin,
    bench_prefecture,
    bench_site,
    correspondence_report,
    database_name,
    fresh_database,
    migrate,
)

DB_NAME = database_name("figures")
WORDS = (
    "titre séjour rendez-vous permis conduire carte grise naturalisation dossier attente "
    "réponse délai accueil guichet renouvellement récépissé demande pièce courrier"
).split()


def setup_django() -> None:
    common.setup_django(DB_NAME)


def _copy(model, columns: list[str], rows) -> None:
    """COPY rows (tuples of `columns`) into a model's table through Django's psycopg
    connection. Every other NOT NULL column gets its field's default, or "" for a text
    (a column added later does not break the seeding: it failed on `forwarded_to`)."""
    from django.db import connection

    rest = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.null and f.column not in columns
    ]
    filler = tuple(_blank(f) for f in rest)
    names = [*columns, *(f.column for f in rest)]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        table = model._meta.db_table
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *filler))


def _blank(field):
    """What a NOT NULL column left out of a COPY holds: its field's default, or ""."""
    from django.db import models

    if field.has_default():
        return field.get_default()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise SystemExit(f"the benchmark's seeding must give {field.model.__name__}.{field.name}")


def seed(scale: int, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from engagements.calendar import stored, workdays
    from engagements.correspondence.models import Message, Topic
    from engagements.organisation.enums import Channel, RoleKind
    from engagements.organisation.models import Closure, Role, Service
    from engagements.surveys.defaults import create_questionnaire
    from engagements.surveys.models import Answer, Campaign, Response

    migrate()
    prefecture = bench_prefecture(website="https://bench.test")
    sites = [
        bench_site(
            prefecture,
            f"site-{i}",
            "Préfecture" if i == 0 else f"Sous-préfecture {i}",
            "prefecture" if i == 0 else "sub_prefecture",
        )
        for i in range(5)
    ]
    services = [
        Service.objects.create(site=sites[i % 5], slug=f"service-{i}", name=f"Bureau {i // 5}")
        for i in range(20)
    ]
    topics = [Topic.objects.create(prefecture=prefecture, name=f"Thème {i}") for i in range(10)]
    this_year = date.today().year
    years = [this_year - 2, this_year - 1, this_year]
    for year in years:
        Closure.objects.create(prefecture=prefecture, date=date(year, 5, 2), label="Pont")
        Closure.objects.create(
            prefecture=prefecture, site=sites[1], date=date(year, 3, 3), label="Travaux"
        )
    stored.ensure_calendars(prefecture, date(years[0], 1, 1), date(this_year + 1, 12, 31))
    calendars = {s.pk: workdays.calendar_for(prefecture, s) for s in sites}
    deadlines = {c: prefecture.deadline_for(c) for c in Channel.values}
    channels = [Channel.EMAIL] * 6 + [Channel.LETTER] * 2 + [Channel.BOX, Channel.SP_PLUS]
    kinds = ["information"] * 6 + ["complaint"] * 3 + ["suggestion"]
    today = date.today()
    now = f"{today.isoformat()} 08:00:00+00"
    due_cache: dict = {}
    started = time.perf_counter()

    def messages():
        first = date(years[0], 1, 1)
        span = (today - first).days
        for n in range(scale):
            service = services[n % 20]
            received = first + timedelta(days=rng.randrange(span))
            channel = rng.choice(channels)
            deadline = deadlines[channel]
            key = (service.site_id, received, deadline)
            if key not in due_cache:
                due_cache[key] = calendars[service.site_id].add_working_days(received, deadline)
            due = due_cache[key]
            fate = rng.random()
            answered = closed = None
            status, reason = "new", ""
            if fate < 0.03:
                status, reason, closed = "closed", "spam", received
            elif fate < 0.93:
                answered = received + timedelta(days=rng.randrange(0, 25))
                if answered > today:
                    answered = None
                else:
                    status = "answered"
            subject = " ".join(rng.sample(WORDS, 4))
            yield (
                prefecture.pk,
                received.year,
                f"{received.year}-{n + 1:06d}",
                "",
                False,
                service.site_id,
                service.pk,
                channel,
                rng.choice(kinds),
                topics[n % 10].pk if n % 7 else None,
                f"Usager {n}",
                f"usager{n}@example.test",
                "",
                "",
                subject.capitalize(),
                f"Bonjour, {subject}. Merci.",
                "fr",
                received,
                deadline,
                due,
                rng.choice([0, 0, 0, 0, 2]) if answered else 0,
                status,
                reason,
                closed,
                answered,
                "",
                "",
                now,
                now,
            )

    columns = [
        "prefecture_id",
        "year",
        "reference",
        "external_reference",
        "imported",
        "site_id",
        "service_id",
        "channel",
        "kind",
        "topic_id",
        "sender_name",
        "sender_email",
        "sender_address",
        "sender_phone",
        "subject",
        "body",
        "language",
        "received_on",
        "deadline_days",
        "due_on",
        "waited_days",
        "status",
        "closed_reason",
        "closed_on",
        "answered_on",
        "email_message_id",
        "social_account",  # not null (issue 23: social networks)
        "created_at",
        "updated_at",
    ]
    _copy(Message, columns, messages())
    seeded_messages = time.perf_counter() - started

    # Surveys: two yearly campaigns of the first site, --scale / 5 answers in all.
    started = time.perf_counter()
    questionnaire = create_questionnaire(prefecture, "Enquête annuelle")
    questions = [q for q in questionnaire.questions.all() if q.is_scored]
    campaigns = [
        Campaign.objects.create(
            prefecture=prefecture,
            site=sites[0],
            questionnaire=questionnaire,
            name=f"Enquête {year}",
            starts_on=date(year, 1, 10),
            ends_on=date(year, 11, 30),
        )
        for year in (this_year - 1, this_year)
    ]
    for campaign in campaigns:
        campaign.services.set(services[:4])
    answers_wanted = scale // 5
    per_response = min(8, len(questions))
    n_responses = max(1, answers_wanted // per_response)
    survey_channels = ["qr", "paper", "web", "kiosk"]
    _copy(
        Response,
        ["campaign_id", "service_id", "channel", "language", "answered_on", "serial"],
        (
            (
                campaigns[0 if i % 4 == 0 else 1].pk,
                services[i % 4].pk,
                rng.choice(survey_channels),
                "fr",
                campaigns[0 if i % 4 == 0 else 1].starts_on,
                "",
            )
            for i in range(n_responses)
        ),
    )
    response_ids = list(
        Response.objects.filter(campaign__in=campaigns).values_list("pk", flat=True)
    )
    from engagements.surveys.enums import SCALE_POINTS

    _copy(
        Answer,
        ["response_id", "question_id", "value"],
        (
            (pk, question.pk, rng.randint(1, SCALE_POINTS[question.kind]))
            for pk in response_ids
            for question in rng.sample(questions, per_response)
        ),
    )
    seeded_answers = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have, for index-only scans
    user = get_user_model().objects.create_user("bench-lead", password=None)
    Role.objects.create(user=user, kind=RoleKind.QUALITY_LEAD, prefecture=prefecture)
    return {
        "prefecture": prefecture,
        "user": user,
        "campaign": campaigns[1],
        "year": this_year - 1,
        "seed_messages_s": seeded_messages,
        "seed_answers_s": seeded_answers,
        "answers": Answer.objects.count(),
    }


def timed(func, repeat: int) -> float:
    func()  # warm-up (plans, caches, the stored calendars)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def split(func, repeat: int) -> tuple[float, float, int]:
    """(median seconds in the database, median seconds in Python, queries) for one call of
    `func`, both from the same runs: what a page costs in PostgreSQL and its driver (its
    queries timed around the driver), and the rest."""
    from django.db import connection

    spent: list[float] = []

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    func()
    runs = []
    for _ in range(repeat):
        spent.clear()
        with connection.execute_wrapper(clock):
            started = time.perf_counter()
            func()
            elapsed = time.perf_counter() - started
        runs.append((sum(spent), elapsed - sum(spent), len(spent)))
    return (
        statistics.median(run[0] for run in runs),
        statistics.median(run[1] for run in runs),
        runs[-1][2],
    )


def hand_sql(sql: str, params: list):
    def run():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


# The hand-written references: straight SQL with the stored calendar, no ORM, no Python.
HAND_REPORT = """
SELECT
  SUM(CASE WHEN st = 'a' THEN 1 ELSE 0 END),
  SUM(CASE WHEN st = 'a' AND dl <= deadline_days THEN 1 ELSE 0 END),
  SUM(CASE WHEN st = 'l' THEN 1 ELSE 0 END), SUM(CASE WHEN st = 'p' THEN 1 ELSE 0 END),
  SUM(CASE WHEN st = 'x' THEN 1 ELSE 0 END), AVG(dl)
FROM (
  SELECT m.deadline_days, s.st,
    CASE WHEN s.st = 'a' THEN GREATEST(0, COALESCE(a2.number, a1.number)
      - COALESCE(r2.number, r1.number) - m.waited_days) END AS dl
  FROM correspondence_message m
  CROSS JOIN LATERAL (SELECT CASE
    WHEN m.status = 'closed' AND (m.closed_on IS NULL OR m.closed_on <= %(at)s) THEN 'x'
    WHEN m.answered_on <= %(at)s THEN 'a'
    WHEN m.due_on < %(at)s THEN 'l' ELSE 'p' END AS st) s
  LEFT JOIN calendar_workingday r1 ON r1.prefecture_id = m.prefecture_id
    AND r1.site_id IS NULL AND r1.day = m.received_on
  LEFT JOIN calendar_workingday r2 ON r2.site_id = m.site_id AND r2.day = m.received_on
  LEFT JOIN calendar_workingday a1 ON a1.prefecture_id = m.prefecture_id
    AND a1.site_id IS NULL AND a1.day = m.answered_on
  LEFT JOIN calendar_workingday a2 ON a2.site_id = m.site_id AND a2.day = m.answered_on
  WHERE m.prefecture_id = %(prefecture)s AND m.received_on BETWEEN %(first)s AND %(last)s
    AND m.received_on <= %(at)s
) f
"""
HAND_PAGE = HAND_REPORT.replace(
    "SELECT\n  SUM(", "SELECT site_id, service_id, channel, kind, topic_id, month,\n  SUM("
).replace(
    "SELECT m.deadline_days, s.st,",
    "SELECT m.deadline_days, s.st, m.site_id, m.service_id, m.channel, m.kind, m.topic_id,"
    " date_trunc('month', m.received_on) AS month,",
) + (
    " GROUP BY GROUPING SETS ((), (site_id), (service_id), (channel), (kind), (topic_id), (month))"
)
HAND_SEARCH = """
SELECT m.id, m.reference, m.subject, m.due_on FROM correspondence_message m
WHERE m.prefecture_id = %(prefecture)s AND m.status IN ('new', 'assigned')
  AND (m.search_vector @@ websearch_to_tsquery('french_unaccent', %(q)s)
       OR UPPER(m.reference::text) LIKE UPPER(%(like)s)
       OR UPPER(m.sender_email::text) = UPPER(%(q)s))
ORDER BY m.due_on, m.id LIMIT 50
"""
# What the worklist shows besides its first page: how many match, and its counters.
HAND_SEARCH_COUNT = """
SELECT COUNT(*) FROM correspondence_message m
WHERE m.prefecture_id = %(prefecture)s AND m.status IN ('new', 'assigned')
  AND (m.search_vector @@ websearch_to_tsquery('french_unaccent', %(q)s)
       OR UPPER(m.reference::text) LIKE UPPER(%(like)s)
       OR UPPER(m.sender_email::text) = UPPER(%(q)s))
"""
HAND_COUNTERS = """
SELECT COUNT(*), COUNT(*) FILTER (WHERE due_on < CURRENT_DATE),
  COUNT(*) FILTER (WHERE assigned_to_id IS NULL)
FROM correspondence_message WHERE prefecture_id = %(prefecture)s
  AND status IN ('new', 'assigned')
"""
HAND_SURVEY = """
SELECT r.campaign_id, r.service_id, r.channel, a.question_id, a.value, COUNT(*)
FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
WHERE r.campaign_id IN (%(current)s, %(previous)s)
GROUP BY 1, 2, 3, 4, 5
"""


def measure(ctx: dict, repeat: int) -> list[tuple[str, float, float, float]]:
    from django.test import Client
    from django.urls import reverse

    prefecture, year = ctx["prefecture"], ctx["year"]
    at = date(year + 1, 3, 31)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(ctx["user"])
    period = {
        "prefecture": prefecture.pk,
        "at": at,
        "first": date(year, 1, 1),
        "last": date(year, 12, 31),
    }
    results = []

    # The fixed cost of any request through the stack (a one-query view: /healthz).
    def minimal():
        assert client.get("/healthz").status_code == 200

    request_cost = timed(minimal, repeat)

    def report():
        return correspondence_report(prefecture.slug, year, at)

    # The reference gives the same figures as the command (else the comparison means nothing).
    answered, on_time, late, pending, excluded, average = hand_sql(HAND_REPORT, period)()[0]
    shown = report()
    same = (shown["answered"], shown["on_time"], shown["late"], shown["pending"]) == (
        answered,
        on_time,
        late,
        pending,
    ) and shown["excluded"] == excluded
    same = same and (average is None or abs(float(average) - shown["average_delay"]) < 0.006)
    print(f"report {json.dumps(shown)}; hand SQL gives the same figures: {same}")
    results.append(
        (
            "correspondence_report --year",
            timed(report, repeat),
            timed(hand_sql(HAND_REPORT, period), repeat),
        )
    )

    figures_url = reverse("correspondence:agents-figures", args=[prefecture.slug])

    def page():
        response = client.get(figures_url, {"year": year, "at": at.isoformat()})
        assert response.status_code == 200, response.status_code

    previous = {**period, "first": date(year - 1, 1, 1), "last": date(year - 1, 12, 31)}
    both_years = (hand_sql(HAND_PAGE, period), hand_sql(HAND_PAGE, previous))
    results.append(
        (
            "figures page (2 years × 6 breakdowns)",
            timed(page, repeat),
            timed(lambda: [run() for run in both_years], repeat),
        )
    )

    worklist_url = reverse("correspondence:agents-list", args=[prefecture.slug])

    def search():
        response = client.get(worklist_url, {"q": "titre"})
        assert response.status_code == 200, response.status_code

    words = {"prefecture": prefecture.pk, "q": "titre", "like": "%titre%"}
    worklist_sql = [
        hand_sql(HAND_SEARCH, words),
        hand_sql(HAND_SEARCH_COUNT, words),
        hand_sql(HAND_COUNTERS, words),
    ]
    results.append(
        (
            "worklist search q=titre (page 1, count)",
            timed(search, repeat),
            timed(lambda: [run() for run in worklist_sql], repeat),
        )
    )

    campaign = ctx["campaign"]
    from engagements.surveys.queries import previous_campaign

    survey_url = reverse("surveys:agents-campaign", args=[prefecture.slug, campaign.pk])

    def survey():
        response = client.get(survey_url)
        assert response.status_code == 200, response.status_code

    before = previous_campaign(campaign)
    results.append(
        (
            f"survey results page ({ctx['answers']:,} answers)",
            timed(survey, repeat),
            timed(hand_sql(HAND_SURVEY, {"current": campaign.pk, "previous": before.pk}), repeat),
        )
    )
    # Where a page's time goes: in the database (its queries, against the hand SQL's), and
    # the rest, Python (the request's stack, forms, rows, the template).
    ctx["parts"] = [
        (name, *split(func, repeat), hand_queries)
        for (name, _value, _reference), func, hand_queries in zip(
            results[1:], (page, search, survey), (2, len(worklist_sql), 1), strict=True
        )
    ]
    # Commands run without a request; pages pay the request stack once.
    return [
        (
            name,
            value,
            reference,
            reference + (request_cost if "page" in name or "search" in name else 0),
        )
        for name, value, reference in results
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="messages to seed")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measure")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database")
    args = parser.parse_args(argv)
    if not args.reuse:
        fresh_database(DB_NAME)
    setup_django()
    import logging

    logging.disable(logging.INFO)  # request and login logs would drown the table
    try:
        if args.reuse:
            ctx = reuse()
        else:
            ctx = seed(args.scale, random.Random(14))
            print(
                f"seeded {args.scale:,} messages in {ctx['seed_messages_s']:.1f} s and "
                f"{ctx['answers']:,} survey answers in {ctx['seed_answers_s']:.1f} s (COPY)"
            )
        measured = measure(ctx, args.repeat)
        print(
            f"{'measure':40} {'median':>8} {'hand SQL':>9} {'ratio':>7} "
            f"{'+request':>9} {'ratio':>7}  target ≤ 2×"
        )
        for name, value, reference, with_request in measured:
            ratio = value / reference if reference else float("inf")
            fair = value / with_request if with_request else float("inf")
            verdict = "met" if fair <= 2 else "MISSED"
            print(
                f"{name:40} {value:7.3f}s {reference:8.3f}s {ratio:6.1f}× "
                f"{with_request:8.3f}s {fair:6.1f}×  {verdict}"
            )
        for name, database, python, queries, hand_queries in ctx["parts"]:
            print(
                f"{name}: {database:.3f}s in the database ({queries} queries; the hand SQL "
                f"{hand_queries}), {python:.3f}s in Python (the request's stack, forms, rows, "
                "template)"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    return 0


def reuse() -> dict:
    from django.contrib.auth import get_user_model

    from engagements.organisation.models import Prefecture
    from engagements.surveys.models import Answer, Campaign

    prefecture = Prefecture.objects.get(slug="bench")
    return {
        "prefecture": prefecture,
        "user": get_user_model().objects.get(username="bench-lead"),
        "campaign": Campaign.objects.filter(prefecture=prefecture).order_by("-starts_on")[0],
        "year": date.today().year - 1,
        "answers": Answer.objects.count(),
    }


if __name__ == "__main__":
    sys.exit(main())
