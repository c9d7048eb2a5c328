"""The national volume on one PostgreSQL database: `make bench`.

    python -m benchmarks.national [--scale 1.0] [--prefectures 100] [--repeat 3] [--keep]
                                  [--reuse] [--database eng_bench_national]

Creates its own database (eng_bench_national, after BENCH_DB_PREFIX; 127.0.0.1:5432,
user postgres), migrates,
and generates with set-based SQL (`INSERT … SELECT … FROM generate_series`, no ORM loop
over the big tables) what 100 prefectures hold after several years:

- 10,000,000 correspondence messages × `--scale`, spread unevenly over the prefectures (a
  big one holds about twenty times a small one), over the last four years and this one,
  over each prefecture's sites and services, six channels, three kinds; about 3 % closed as
  spam, most answered after 0–30 days (so some late against their channel's deadline,
  counted on the stored working-day calendar), the newest still open; with their history
  (a "created" event each, an "answered" one for each answer) and the search vector the
  trigger computes;
- 2,000,000 bookings × `--scale` (five procedures per prefecture, slots of two seats over
  four years: attended, late, no-shows, cancellations, future confirmed ones);
- 1,000,000 survey answers × `--scale` (a yearly campaign per prefecture and year, five
  answers per response);
- each prefecture's labels (module 1 on most sites, some expiring or expired) and its
  latest published yearly figures, as the national overview reads them;
- the stored indicator values of the measured prefecture (the nightly job's run).

The secondary indexes of the big tables are dropped during the load and built again after
(as `pg_restore` does), then `ANALYZE` runs (engagements.db). It then measures, in the same
run and process, each against a hand-written SQL query computing the same figures:

- `correspondence_report --year` of the biggest prefecture;
- its figures page (`correspondence:agents-figures`, two years × six breakdowns);
- the national administrator's overview of every prefecture (`quality:national-labels`)
  and its CSV (`quality:national-labels-csv`), with their number of queries;
- the indicators dashboard of the biggest prefecture (`indicators:agents-dashboard`);

and prints the database size per million messages (each big table's
`pg_total_relation_size`, and `pg_database_size`). Pages go through the Django test
client; their reference adds the cost of a one-query request (/healthz) through the same
stack, timed as in production (DEBUG off, cached templates). Drops the database at the end
unless --keep (`--reuse` measures a kept one).
Environment: BENCH_PG (postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import sys
import time
from datetime import date, timedelta

from benchmarks import common
from benchmarks.common import admin, correspondence_report, database_name, fresh_database, migrate

DB_NAME = database_name("national")
FULL_MESSAGES = 10_000_000
FULL_BOOKINGS = 2_000_000
FULL_ANSWERS = 1_000_000
YEARS_BACK = 4  # messages from 1 January four years ago to today
PROCEDURES = ("Titre de séjour", "Permis de conduire", "Naturalisation", "Carte grise", "Accueil")
WORDS = (
    "titre séjour rendez-vous permis conduire carte grise naturalisation dossier attente "
    "réponse délai accueil guichet renouvellement récépissé demande pièce courrier étranger "
    "passeport identité préfecture instruction convocation"
).split()
# The big tables: their secondary indexes are dropped for the load and built again after.
BIG_TABLES = (
    "correspondence_message",
    "correspondence_messageevent",
    "appointments_slot",
    "appointments_booking",
    "surveys_response",
    "surveys_answer",
)


def setup_django() -> None:
    common.setup_django(DB_NAME)


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", flush=True)


def execute(sql: str, params=None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _insert_select(model, overrides: dict[str, str], source: str) -> str:
    """`INSERT INTO table (every column but id) SELECT … FROM source`: each column from
    `overrides` (SQL over the source's columns), else its default, NULL or ''."""
    from django.db.models import NOT_PROVIDED

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in overrides:
            continue
        columns.append(field.column)
        if field.column in overrides:
            values.append(overrides[field.column])
        elif field.null:
            values.append("NULL")
        elif field.default is not NOT_PROVIDED and not callable(field.default):
            value = field.default
            if isinstance(value, bool):
                values.append("true" if value else "false")
            elif isinstance(value, int):
                values.append(str(value))
            else:
                values.append("'" + str(value).replace("'", "''") + "'")
        elif field.get_internal_type() == "DateTimeField":
            values.append("now()")
        elif field.get_internal_type() == "JSONField":
            values.append("'{}'::jsonb")
        else:
            values.append("''")
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source}"
    )


def weights(count: int) -> list[float]:
    """Each prefecture's share of the national volume: uneven, as departments are (the
    biggest about twenty times the smallest), summing to 1."""
    raw = [1 / (rank + 3) ** 0.9 for rank in range(count)]
    total = sum(raw)
    return [w / total for w in raw]


def _drop_secondary_indexes() -> list[str]:
    """Drop the big tables' indexes that back no constraint; return their definitions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [list(BIG_TABLES)],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def seed(scale: float, count: int, rng: random.Random) -> dict:
    """Generate the national volume; return what the measures need."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    execute("SELECT setseed(0.24)")  # the same random spreads at every run
    from engagements.appointments.models import Booking, Procedure, Slot
    from engagements.calendar import stored
    from engagements.correspondence.models import Message, MessageEvent, Topic
    from engagements.indicators.models import Indicator, Publication, PublishedValue
    from engagements.organisation.enums import RoleKind
    from engagements.organisation.models import Prefecture, Role, Service, Site
    from engagements.quality.models import Label
    from engagements.surveys.defaults import create_questionnaire
    from engagements.surveys.models import Answer, Campaign, Question, Response

    timings: dict[str, float] = {}
    began = time.perf_counter()
    migrate()
    today = date.today()
    first = date(today.year - YEARS_BACK, 1, 1)
    share = weights(count)
    messages_total = max(count, round(FULL_MESSAGES * scale))
    bookings_total = max(count * 2 * len(PROCEDURES), round(FULL_BOOKINGS * scale))
    answers_total = max(count * 5, round(FULL_ANSWERS * scale))

    # The structure: ORM for a few thousand rows, as a referential import would write it.
    prefectures = Prefecture.objects.bulk_create(
        Prefecture(
            slug=f"p{n:03d}",
            name=f"Préfecture {n:03d}",
            department_code=f"{n:03d}",
            department_name=f"Département {n:03d}",
            street="1 place de la République",
            postal_code=f"{n % 95 + 1:02d}000",
            city=f"Chef-lieu {n:03d}",
            phone="01 00 00 00 00",
            website=f"https://p{n:03d}.test",
        )
        for n in range(count)
    )
    site_rows, services, topics = [], [], []
    for n, prefecture in enumerate(prefectures):
        for i in range(2 + n % 4 + (3 if n < 10 else 0)):  # 2 to 8 sites, more in big ones
            site_rows.append(
                Site(
                    prefecture=prefecture,
                    slug=f"site-{i}",
                    name="Préfecture" if i == 0 else f"Sous-préfecture {i}",
                    kind="prefecture" if i == 0 else "sub_prefecture",
                    street="1 rue",
                    postal_code="00000",
                    city=f"Ville {i}",
                    position=i,
                )
            )
    sites = Site.objects.bulk_create(site_rows)
    for site in sites:
        for j in range(4 if site.kind == "prefecture" else 2):
            services.append(Service(site=site, slug=f"s{site.pk}-{j}", name=f"Bureau {j}"))
    services = Service.objects.bulk_create(services)
    for prefecture in prefectures:
        topics += [Topic(prefecture=prefecture, name=f"Thème {i}") for i in range(12)]
    Topic.objects.bulk_create(topics)
    for prefecture in prefectures:
        stored.ensure_calendars(prefecture, first, date(today.year + 1, 12, 31))
    User = get_user_model()
    admin_user = User.objects.create_user("bench-national", password=None)
    Role.objects.create(user=admin_user, kind=RoleKind.NATIONAL_ADMIN, prefecture=None)
    lead = User.objects.create_user("bench-lead", password=None)
    biggest = prefectures[0]
    Role.objects.create(user=lead, kind=RoleKind.QUALITY_LEAD, prefecture=biggest)
    timings["structure"] = time.perf_counter() - began
    log(f"structure: {count} prefectures, {len(sites)} sites, {len(services)} services")

    # Lookup tables for the set-based statements: each prefecture's services numbered, its
    # topics numbered, and the due date of (prefecture, day received, deadline) from the
    # stored calendar (the first day whose working-day number is the received day's + N).
    execute(
        """
        CREATE TEMP TABLE bench_service AS
        SELECT s.prefecture_id, v.site_id, v.id AS service_id,
          (row_number() OVER (PARTITION BY s.prefecture_id ORDER BY v.id) - 1)::int AS k,
          count(*) OVER (PARTITION BY s.prefecture_id)::int AS n
        FROM organisation_service v JOIN organisation_site s ON s.id = v.site_id;
        CREATE INDEX ON bench_service (prefecture_id, k);
        CREATE TEMP TABLE bench_topic AS
        SELECT prefecture_id, id AS topic_id,
          (row_number() OVER (PARTITION BY prefecture_id ORDER BY id) - 1)::int AS k
        FROM correspondence_topic;
        CREATE INDEX ON bench_topic (prefecture_id, k);
        """
    )
    deadlines = sorted({p.deadline_for(c) for p in prefectures for c in _channels()})
    execute(
        """
        CREATE TEMP TABLE bench_due AS
        WITH w AS (SELECT prefecture_id, day, number FROM calendar_workingday
                   WHERE site_id IS NULL),
        f AS (SELECT prefecture_id, number, min(day) AS day FROM w GROUP BY 1, 2)
        SELECT w.prefecture_id, w.day, d.deadline, f.day AS due_on
        FROM w CROSS JOIN unnest(%s::int[]) AS d(deadline)
        JOIN f ON f.prefecture_id = w.prefecture_id AND f.number = w.number + d.deadline;
        CREATE UNIQUE INDEX ON bench_due (prefecture_id, day, deadline);
        ANALYZE bench_service, bench_topic, bench_due;
        """,
        [deadlines],
    )
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
    dropped = _drop_secondary_indexes()

    # Messages, prefecture by prefecture (one statement each), and their history.
    began = time.perf_counter()
    words = "ARRAY[" + ", ".join("'" + w + "'" for w in WORDS) + "]"
    pick = f"({words})[1 + floor(random() * {len(WORDS)})::int]"
    span = (today - first).days + 1
    done = 0
    for n, prefecture in enumerate(prefectures):
        wanted = max(1, round(messages_total * share[n]))
        channel_deadline = " ".join(
            f"WHEN '{c}' THEN {prefecture.deadline_for(c)}" for c in _channels()
        )
        source = f"""(
          SELECT g.*, sv.site_id, sv.service_id, t.topic_id, d.due_on,
            CASE WHEN g.fate < 0.03 THEN 'closed'
                 WHEN g.fate < 0.97 AND g.answer_on <= CURRENT_DATE THEN 'answered'
                 WHEN g.fate >= 0.99 THEN 'assigned' ELSE 'new' END AS status
          FROM (
            SELECT c.*, c.received + floor(power(random(), 2) * 31)::int AS answer_on,
              CASE c.channel {channel_deadline} END AS deadline
            FROM (
              SELECT i, %(first)s::date + floor(random() * %(span)s)::int AS received,
                (ARRAY['email','email','email','email','email','letter','letter','box',
                       'web_form','sp_plus','sp_plus','social'])[1 + floor(random() * 12)::int]
                  AS channel,
                (ARRAY['information','information','complaint','suggestion'])
                  [1 + floor(random() * 4)::int] AS kind,
                random() AS fate, random() AS w,
                {pick} || ' ' || {pick} || ' ' || {pick} || ' ' || {pick} AS subject
              FROM generate_series(1, %(wanted)s) AS i
            ) c
          ) g
          JOIN bench_service sv ON sv.prefecture_id = %(prefecture)s
            AND sv.k = floor(power(g.w, 1.5) * sv.n)::int
          LEFT JOIN bench_topic t ON t.prefecture_id = %(prefecture)s AND t.k = g.i %% 13
          JOIN bench_due d ON d.prefecture_id = %(prefecture)s AND d.day = g.received
            AND d.deadline = g.deadline
        ) s"""
        overrides = {
            "prefecture_id": "%(prefecture)s",
            "year": "extract(year FROM received)::int",
            "reference": "extract(year FROM received)::int || '-' || lpad(i::text, 7, '0')",
            "site_id": "site_id",
            "service_id": "service_id",
            "channel": "channel",
            "kind": "kind",
            "topic_id": "topic_id",
            "sender_name": "'Usager ' || i",
            "sender_email": "'usager' || i || '@example.test'",
            "subject": "initcap(subject)",
            "body": "'Bonjour, ' || subject || '. Je vous remercie de votre réponse.'",
            "received_on": "received",
            "deadline_days": "deadline",
            "due_on": "due_on",
            "status": "status",
            "closed_reason": "CASE WHEN status = 'closed' THEN 'spam' ELSE '' END",
            "closed_on": "CASE WHEN status = 'closed' THEN received END",
            "answered_on": "CASE WHEN status = 'answered' THEN answer_on END",
            "created_at": "received + time '09:00'",
            "updated_at": "CASE WHEN status = 'answered' THEN answer_on ELSE received END"
            " + time '16:00'",
        }
        sql = _insert_select(Message, overrides, source)
        execute(
            sql,
            {"first": first, "span": span, "wanted": wanted, "prefecture": prefecture.pk},
        )
        done += wanted
        if n % 10 == 9 or n == count - 1:
            log(f"messages: {done:,} of {messages_total:,}, {time.perf_counter() - began:.0f} s")
    timings["messages"] = time.perf_counter() - began
    began = time.perf_counter()
    event = {
        "message_id": "id",
        "at": "received_on + time '09:00'",
        "kind": "'created'",
        "to_status": "'new'",
        "text": "''",
    }
    execute(_insert_select(MessageEvent, event, "correspondence_message"))
    answered = {
        **event,
        "at": "answered_on + time '16:00'",
        "kind": "'answered'",
        "from_status": "'assigned'",
        "to_status": "'answered'",
    }
    execute(
        _insert_select(MessageEvent, answered, "correspondence_message")
        + " WHERE answered_on IS NOT NULL"
    )
    timings["events"] = time.perf_counter() - began
    log(f"message events: {timings['events']:.0f} s")

    # Bookings: five procedures per prefecture, two seats per slot over four years.
    began = time.perf_counter()
    Procedure.objects.bulk_create(
        Procedure(
            prefecture=prefecture,
            site=service.site,
            service=service,
            name=name,
            capacity=2,
        )
        for prefecture in prefectures
        for name, service in zip(
            PROCEDURES,
            [s for s in services if s.site.prefecture_id == prefecture.pk][:5] * 5,
            strict=False,
        )
    )
    slot_start = date(today.year - 3, 1, 1)
    slot_start -= timedelta(days=slot_start.weekday())  # a Monday
    weekdays = ((date(today.year, 12, 31) - slot_start).days // 7) * 5
    for n, prefecture in enumerate(prefectures):
        slots = max(len(PROCEDURES), round(bookings_total * share[n] / 2))
        per_procedure = math.ceil(slots / len(PROCEDURES))
        per_day = max(1, math.ceil(per_procedure / weekdays))
        step = 480 // per_day
        source = f"""(
          SELECT nextval(pg_get_serial_sequence('appointments_slot', 'id')) AS id, p.id AS pid,
            %(start)s::date + ((k / {per_day}) / 5 * 7 + (k / {per_day}) %% 5)
              + time '08:00' + make_interval(mins => (k %% {per_day}) * {step}) AS starts
          FROM appointments_procedure p CROSS JOIN generate_series(0, %(per)s - 1) AS k
          WHERE p.prefecture_id = %(prefecture)s
        ) s"""
        slot = {
            "id": "id",
            "procedure_id": "pid",
            "starts_at": "starts",
            "ends_at": "starts + interval '15 minutes'",
            "capacity": "2",
            "booked": "CASE WHEN id %% 7 = 3 THEN 1 ELSE 2 END",
        }
        execute(
            _insert_select(Slot, slot, source),
            {"start": slot_start, "per": per_procedure, "prefecture": prefecture.pk},
        )
    booking = {
        "reference": "'N' || lpad((s.id * 2 + j)::text, 11, '0')",
        "token": "md5('t' || (s.id * 2 + j)) || md5('u' || (s.id * 2 + j))",
        "procedure_id": "s.procedure_id",
        "slot_id": "s.id",
        "status": """CASE WHEN j = 1 AND s.id %% 7 = 3 THEN
              (ARRAY['cancelled_user','cancelled_user','cancelled_service'])[1 + s.id %% 3]
            WHEN s.starts_at > now() THEN 'confirmed'
            ELSE (ARRAY['attended','attended','attended','attended','attended','attended',
                        'attended','attended','attended','attended','attended','attended',
                        'late','no_show','no_show'])[1 + floor(random() * 15)::int] END""",
        "channel": "(ARRAY['online','online','online','agent','partner','api'])"
        "[1 + (s.id + j) %% 6]",
        "first_name": "'Prénom'",
        "last_name": "'Nom ' || (s.id * 2 + j)",
        "email": "'rdv' || (s.id * 2 + j) || '@example.test'",
        "email_key": "'rdv' || (s.id * 2 + j) || '@example.test'",
        "email_hash": "md5('rdv' || (s.id * 2 + j))",
        "created_at": "s.starts_at - interval '12 days'",
        "confirmed_at": "s.starts_at - interval '12 days'",
        "answers": "'{}'::jsonb",
    }
    execute(
        _insert_select(
            Booking, booking, "appointments_slot s CROSS JOIN generate_series(0, 1) AS j"
        ).replace("%%", "%")
    )
    timings["bookings"] = time.perf_counter() - began
    log(f"bookings: {scalar('SELECT count(*) FROM appointments_booking'):,}, "
        f"{timings['bookings']:.0f} s")  # fmt: skip

    # Surveys: a yearly campaign per prefecture and year, five answers per response.
    began = time.perf_counter()
    campaigns = []
    for prefecture in prefectures:
        questionnaire = create_questionnaire(prefecture, "Enquête annuelle")
        main_site = next(s for s in sites if s.prefecture_id == prefecture.pk)
        for year in range(today.year - 2, today.year + 1):
            campaigns.append(
                Campaign(
                    prefecture=prefecture,
                    site=main_site,
                    questionnaire=questionnaire,
                    name=f"Enquête {year}",
                    starts_on=date(year, 1, 10),
                    ends_on=date(year, 11, 30),
                    token=f"c{prefecture.pk}y{year}",
                )
            )
    Campaign.objects.bulk_create(campaigns)
    for n, prefecture in enumerate(prefectures):
        responses = max(3, round(answers_total * share[n] / 5))
        source = """(
          SELECT c.id AS cid, c.starts_on + (i * 7919 %% 320) AS day, i, sv.service_id
          FROM generate_series(1, %(responses)s) AS i
          JOIN surveys_campaign c ON c.prefecture_id = %(prefecture)s
            AND extract(year FROM c.starts_on) = %(this_year)s - i %% 3
          JOIN bench_service sv ON sv.prefecture_id = %(prefecture)s AND sv.k = i %% sv.n
          WHERE c.starts_on + (i * 7919 %% 320) <= CURRENT_DATE
        ) s"""
        response = {
            "campaign_id": "cid",
            "service_id": "service_id",
            "channel": "(ARRAY['qr','paper','web','kiosk'])[1 + i %% 4]",
            "answered_on": "day",
        }
        execute(
            _insert_select(Response, response, source),
            {"responses": responses, "prefecture": prefecture.pk, "this_year": today.year},
        )
    scored = "q.kind IN ('scale', 'stars', 'yes_no')"
    execute(
        f"""
        INSERT INTO surveys_answer (response_id, question_id, value)
        SELECT r.id, q.id, 1 + floor(random() * CASE q.kind WHEN 'stars' THEN 5
          WHEN 'yes_no' THEN 2 ELSE 4 END)::int
        FROM surveys_response r JOIN surveys_campaign c ON c.id = r.campaign_id
        CROSS JOIN LATERAL (SELECT q.id, q.kind FROM surveys_question q
          WHERE q.questionnaire_id = c.questionnaire_id AND {scored}
          ORDER BY q.position, q.id LIMIT 5) q
        """
    )
    timings["answers"] = time.perf_counter() - began
    log(f"survey answers: {Answer.objects.count():,}, {timings['answers']:.0f} s")
    assert Question.objects.exists()

    # Labels and published figures: what the national overview shows of each prefecture.
    began = time.perf_counter()
    labels = []
    for site in sites:
        fate = rng.random()
        if fate < 0.25:
            continue  # never labelled
        obtained = today - timedelta(days=rng.randrange(30, 1500))
        labels.append(
            Label(
                prefecture_id=site.prefecture_id,
                site=site,
                module=1,
                label="sp_plus",
                obtained_on=obtained,
                valid_until=obtained + timedelta(days=3 * 365),
                audit_body="Certificateur",
                next_audit_on=obtained + timedelta(days=365 * (1 + rng.randrange(2))),
            )
        )
        if fate > 0.7:
            labels.append(
                Label(
                    prefecture_id=site.prefecture_id,
                    site=site,
                    module=2,
                    label="sp_plus",
                    obtained_on=obtained,
                    valid_until=obtained + timedelta(days=3 * 365),
                    audit_body="Certificateur",
                )
            )
    Label.objects.bulk_create(labels)
    catalogue = list(Indicator.objects.filter(prefecture__isnull=True).order_by("position"))
    year = today.year - 1
    publications = Publication.objects.bulk_create(
        Publication(
            prefecture=prefecture,
            period_kind="year",
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            published_by=lead,
        )
        for prefecture in prefectures
    )
    PublishedValue.objects.bulk_create(
        PublishedValue(
            publication=publication,
            code=indicator.code,
            name_fr=indicator.name_fr,
            unit=indicator.unit,
            frequency=indicator.frequency,
            value=round(rng.uniform(40, 100), 2),
            numerator=rng.randrange(100, 10_000),
            denominator=rng.randrange(10_000, 20_000),
            target=indicator.default_target,
            met=None if indicator.default_target is None else rng.random() < 0.6,
            updated_at=f"{today.isoformat()} 08:00:00+00",
            position=position,
        )
        for publication in publications
        for position, indicator in enumerate(catalogue)
    )
    timings["labels_publications"] = time.perf_counter() - began

    # The big tables' indexes again, then the planner's statistics (engagements.db).
    began = time.perf_counter()
    for definition in dropped:
        execute(definition)
    timings["indexes"] = time.perf_counter() - began
    log(f"{len(dropped)} secondary indexes built in {timings['indexes']:.0f} s")
    began = time.perf_counter()
    from engagements.db import analyze_all

    analyze_all()  # outside a transaction: at once
    timings["analyze"] = time.perf_counter() - began
    log(f"ANALYZE: {timings['analyze']:.0f} s")

    # The nightly values job of the measured prefecture (the dashboard reads them).
    began = time.perf_counter()
    from engagements.indicators import services as indicator_services
    from engagements.indicators.periods import Period

    shown = Period.year(today.year)
    months = [m for m in shown.months() if m.start <= today]
    indicator_services.recompute_values(biggest, [shown, shown.previous_year(), *months])
    timings["values_job"] = time.perf_counter() - began
    log(f"values job of the biggest prefecture: {timings['values_job']:.0f} s")
    return {
        "prefecture": biggest,
        "lead": lead,
        "national": admin_user,
        "timings": timings,
    }


def _channels() -> list[str]:
    from engagements.organisation.enums import Channel

    return list(Channel.values)


def reuse() -> dict:
    from django.contrib.auth import get_user_model

    from engagements.organisation.models import Prefecture

    User = get_user_model()
    return {
        "prefecture": Prefecture.objects.get(slug="p000"),
        "lead": User.objects.get(username="bench-lead"),
        "national": User.objects.get(username="bench-national"),
        "timings": {},
    }


# The national overview's figures by hand, in one statement: each prefecture's active
# sites, those holding a valid module-1 label, its current labels (expiring ones), expired
# ones and the first end of validity; the (site, service) pairs whose yearly survey got
# answers this year (what its obligations read of the largest tables they read: responses
# and answers); its latest publication's
# values with a target and those met.
HAND_NATIONAL = """
WITH latest AS (
  SELECT DISTINCT ON (l.site_id, l.module) l.site_id, l.module, l.valid_until
  FROM quality_label l WHERE l.obtained_on <= %(today)s
  ORDER BY l.site_id, l.module, l.obtained_on DESC, l.valid_until DESC, l.id DESC
), per_site AS (
  SELECT s.prefecture_id, s.id,
    coalesce(bool_or(x.module = 1 AND x.valid_until >= %(today)s), false) AS module_one,
    count(x.module) FILTER (WHERE x.valid_until >= %(today)s) AS current,
    count(x.module) FILTER (WHERE x.valid_until >= %(today)s
                             AND x.valid_until <= %(today)s + 180) AS expiring,
    count(x.module) FILTER (WHERE x.valid_until < %(today)s) AS expired,
    min(x.valid_until) FILTER (WHERE x.valid_until >= %(today)s) AS next_end
  FROM organisation_site s LEFT JOIN latest x ON x.site_id = s.id
  WHERE s.is_active GROUP BY s.prefecture_id, s.id
), surveyed AS (
  SELECT c.prefecture_id, count(DISTINCT (c.site_id, r.service_id)) AS services
  FROM surveys_response r JOIN surveys_campaign c ON c.id = r.campaign_id
  WHERE c.kind = 'campaign' AND c.ends_on BETWEEN %(first)s AND %(last)s
    AND EXISTS (SELECT 1 FROM surveys_answer a WHERE a.response_id = r.id)
  GROUP BY c.prefecture_id
), publication AS (
  SELECT DISTINCT ON (p.prefecture_id) p.prefecture_id, p.id
  FROM indicators_publication p
  WHERE NOT EXISTS (SELECT 1 FROM indicators_withdrawal w WHERE w.publication_id = p.id)
  ORDER BY p.prefecture_id, p.period_end DESC, p.version DESC
), published AS (
  SELECT v.publication_id, count(*) FILTER (WHERE v.target IS NOT NULL) AS with_target,
    count(*) FILTER (WHERE v.target IS NOT NULL AND v.met) AS met
  FROM indicators_publishedvalue v WHERE v.site_id IS NULL GROUP BY v.publication_id
)
SELECT f.name, count(ps.id), count(ps.id) FILTER (WHERE ps.module_one),
  coalesce(sum(ps.current), 0), coalesce(sum(ps.expiring), 0), coalesce(sum(ps.expired), 0),
  min(ps.next_end), min(sv.services), min(pv.with_target), min(pv.met)
FROM organisation_prefecture f
LEFT JOIN per_site ps ON ps.prefecture_id = f.id
LEFT JOIN surveyed sv ON sv.prefecture_id = f.id
LEFT JOIN publication pub ON pub.prefecture_id = f.id
LEFT JOIN published pv ON pv.publication_id = pub.id
GROUP BY f.id, f.name ORDER BY f.name
"""


def same_overview(csv_text: str, hand_rows) -> bool:
    """The overview's CSV shows, for every prefecture, what the hand SQL computes: active
    sites, labelled sites, current labels, first end, expiring, expired, targets met."""
    import csv

    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff")), delimiter=";"))[1:]
    shown = []
    for row in rows:
        met = with_target = None
        if row[8]:
            met, with_target = (int(x) for x in row[8].split("atteints ")[1].split(" sur "))
        labels = len(row[3].split(" ; ")) if row[3] else 0
        shown.append((row[0], int(row[1]), int(row[2]), labels, row[4], int(row[5]),
                      int(row[6]), with_target, met))  # fmt: skip
    hand = []
    for name, sites, labelled, current, expiring, expired, end, _, with_target, met in hand_rows:
        end_text = end.strftime("%d/%m/%Y") if end else ""
        hand.append((name, sites, labelled, current, end_text, expiring, expired, with_target, met))
    return shown == hand


def measure(ctx: dict, repeat: int) -> list[tuple[str, float, float, float]]:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from benchmarks.figures import HAND_PAGE, HAND_REPORT, hand_sql, timed
    from benchmarks.indicators_dashboard import _hand_sql as dashboard_hand_sql

    prefecture = ctx["prefecture"]
    today = date.today()
    year = today.year - 1
    at = date(today.year, 3, 31) if today >= date(today.year, 3, 31) else today
    period = {
        "prefecture": prefecture.pk,
        "at": at,
        "first": date(year, 1, 1),
        "last": date(year, 12, 31),
    }
    lead = Client(HTTP_HOST="127.0.0.1")
    lead.force_login(ctx["lead"])
    national = Client(HTTP_HOST="127.0.0.1")
    national.force_login(ctx["national"])
    results = []

    def minimal():
        assert lead.get("/healthz").status_code == 200

    request_cost = timed(minimal, repeat)

    def report():
        return correspondence_report(prefecture.slug, year, at)

    answered, on_time, late, pending, excluded, _average = hand_sql(HAND_REPORT, period)()[0]
    shown = report()
    same = (shown["answered"], shown["on_time"], shown["late"], shown["pending"]) == (
        answered,
        on_time,
        late,
        pending,
    ) and shown["excluded"] == excluded
    received = scalar(
        "SELECT count(*) FROM correspondence_message WHERE prefecture_id = %s "
        "AND received_on BETWEEN %s AND %s",
        [prefecture.pk, period["first"], period["last"]],
    )
    log(f"report of {prefecture.slug} for {year} ({received:,} messages): {json.dumps(shown)}")
    log(f"hand SQL gives the same figures: {same}")
    if not same:
        raise SystemExit("the report and its hand SQL disagree")
    results.append(
        (
            f"correspondence_report --year ({received:,} msgs)",
            timed(report, repeat),
            timed(hand_sql(HAND_REPORT, period), repeat),
        )
    )

    figures_url = reverse("correspondence:agents-figures", args=[prefecture.slug])

    def page():
        response = lead.get(figures_url, {"year": year, "at": at.isoformat()})
        assert response.status_code == 200, response.status_code

    previous = {**period, "first": date(year - 1, 1, 1), "last": date(year - 1, 12, 31)}
    both_years = (hand_sql(HAND_PAGE, period), hand_sql(HAND_PAGE, previous))
    reference = timed(lambda: [run() for run in both_years], repeat)
    with override_settings(FIGURES_CACHE_SECONDS=0):  # computed at each request
        computed = timed(page, repeat)
    results.append(("figures page (2 years × 6 breakdowns)", computed, reference))
    # As served: the figures kept FIGURES_CACHE_SECONDS (60 s) in the shared cache.
    results.append(("figures page, from the 60 s cache", timed(page, repeat), reference))

    prefectures = scalar("SELECT count(*) FROM organisation_prefecture")
    national_period = {
        "today": today,
        "first": date(today.year, 1, 1),
        "last": date(today.year, 12, 31),
    }
    for name, url in (
        ("national overview page", reverse("quality:national-labels")),
        ("national overview CSV", reverse("quality:national-labels-csv")),
    ):

        def overview(url=url):
            response = national.get(url)
            assert response.status_code == 200, response.status_code
            return response

        with CaptureQueriesContext(connection) as queries:
            overview()
        results.append(
            (
                f"{name} ({prefectures} pref., {len(queries)} queries)",
                timed(overview, repeat),
                timed(hand_sql(HAND_NATIONAL, national_period), repeat),
            )
        )
    hand_rows = hand_sql(HAND_NATIONAL, national_period)()
    overview_text = national.get(reverse("quality:national-labels-csv")).content.decode()
    same = same_overview(overview_text, hand_rows)
    labelled = sum(1 for row in hand_rows if row[2])
    log(f"national overview: {labelled} of {len(hand_rows)} prefectures labelled; the CSV "
        f"shows what the hand SQL computes: {same}")  # fmt: skip
    if not same:
        raise SystemExit("the national overview and its hand SQL disagree")

    dashboard_url = reverse("indicators:agents-dashboard", args=[prefecture.slug])

    def dashboard():
        response = lead.get(dashboard_url)
        assert response.status_code == 200, response.status_code

    results.append(
        ("indicators dashboard", timed(dashboard, repeat), dashboard_hand_sql(prefecture.pk))
    )
    return [
        (
            name,
            value,
            reference,
            reference + (request_cost if "page" in name or "CSV" in name or "dash" in name else 0),
        )
        for name, value, reference in results
    ]


def sizes() -> tuple[int, list[tuple[str, int]], int]:
    """Messages, each big table's total size (with its indexes and TOAST), the database's."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
            ORDER BY 2 DESC LIMIT 8
            """
        )
        tables = cursor.fetchall()
        cursor.execute("SELECT pg_database_size(current_database())")
        database = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM correspondence_message")
        messages = cursor.fetchone()[0]
    return messages, tables, database


def main(argv: list[str] | None = None) -> int:
    global DB_NAME
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="share of the national volume (1.0: 10 M messages)"
    )
    parser.add_argument("--prefectures", type=int, default=100, help="prefectures")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measure")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database")
    parser.add_argument("--database", default=DB_NAME, help=f"its database ({DB_NAME})")
    args = parser.parse_args(argv)
    DB_NAME = args.database
    if not args.reuse:
        fresh_database(DB_NAME)
    setup_django()
    import logging

    logging.disable(logging.WARNING)  # request logs and calendar warnings would drown it
    status = 0
    try:
        if args.reuse:
            ctx = reuse()
        else:
            began = time.perf_counter()
            ctx = seed(args.scale, args.prefectures, random.Random(24))
            total = time.perf_counter() - began
            parts = ", ".join(f"{k} {v:.0f} s" for k, v in ctx["timings"].items())
            log(f"generated in {total:.0f} s ({parts})")
        messages, tables, database = sizes()
        per_million = 1_000_000 / messages if messages else 0
        print(f"database: {database / 2**30:.2f} GiB for {messages:,} messages, "
              f"{database * per_million / 2**30:.2f} GiB per million messages")  # fmt: skip
        for name, size in tables:
            print(
                f"  {name:34} {size / 2**30:7.2f} GiB  {size * per_million / 2**20:8.0f} MiB/M msgs"
            )
        measured = measure(ctx, args.repeat)
        print(
            f"{'measure':52} {'median':>8} {'hand SQL':>9} {'ratio':>7} "
            f"{'+request':>9} {'ratio':>7}"
        )
        for name, value, reference, with_request in measured:
            ratio = value / reference if reference else float("inf")
            fair = value / with_request if with_request else float("inf")
            print(
                f"{name:52} {value:7.3f}s {reference:8.3f}s {ratio:6.1f}× "
                f"{with_request:8.3f}s {fair:6.1f}×"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    return status


if __name__ == "__main__":
    sys.exit(main())
