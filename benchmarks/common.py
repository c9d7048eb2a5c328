"""What every benchmark shares: its own PostgreSQL database, made fresh for each run.

With BENCH_TEMPLATE set (the smoke run of `.ci/run`, `make bench-smoke`), a benchmark's
database is a copy of that already migrated database (CREATE DATABASE … TEMPLATE, a file
copy): the migrations run once for every benchmark instead of once each.

Each benchmark's database is named from BENCH_DB_PREFIX (default `eng_bench`) and the
benchmark (`eng_bench_figures`…): two runs at once on one server (a CI run beside a
developer's) need two prefixes, or one drops the other's database mid-run. The smoke run
takes a prefix of its own for each run.
"""

from __future__ import annotations

import os

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def database_name(kind: str = "") -> str:
    """The database of the benchmark `kind` (the prefix alone for an empty kind)."""
    prefix = os.environ.get("BENCH_DB_PREFIX", "eng_bench")
    return f"{prefix}_{kind}" if kind else prefix


def setup_django(db_name: str) -> None:
    """Django on the benchmark's database, timed as in production: DEBUG off (cached
    templates, no query log), a random secret key, mails kept in memory."""
    import secrets

    os.environ["DATABASE_URL"] = f"{PG}/{db_name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.settings")
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("EMAIL_URL", "locmem://")
    import django

    django.setup()


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def fresh_database(name: str) -> None:
    """Drop and create the benchmark's database (from BENCH_TEMPLATE when set)."""
    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    template = os.environ.get("BENCH_TEMPLATE")
    admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))


def smoke() -> bool:
    """The tiny run of `make bench-smoke`: it checks that the benchmark still works, it
    asserts no timing."""
    return os.environ.get("BENCH_SMOKE") == "1"


def migrate() -> None:
    """Migrate the benchmark's database and create its cache table, unless it is a copy of
    the template (made the same way)."""
    if os.environ.get("BENCH_TEMPLATE"):
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the shared cache (as a release does)


def bench_prefecture(**fields):
    """The benchmark's prefecture (`bench`), with its address; `fields` add to it."""
    from engagements.organisation.models import Prefecture

    return Prefecture.objects.create(
        slug="bench",
        name="Préfecture du banc d'essai",
        department_code="99",
        department_name="Banc",
        street="1 place",
        postal_code="99000",
        city="Banc",
        phone="01 00 00 00 00",
        **fields,
    )


def bench_site(prefecture, slug: str = "site", name: str = "Site", kind: str = "prefecture"):
    """A site of the benchmark's prefecture, at the same address."""
    from engagements.organisation.models import Site

    return Site.objects.create(
        prefecture=prefecture,
        slug=slug,
        name=name,
        kind=kind,
        street="1",
        postal_code="99000",
        city="Banc",
    )


def correspondence_report(prefecture_slug: str, year: int, at) -> dict:
    """`correspondence_report --format json` of one prefecture's year, as its reader gets it
    (the command each benchmark times against its hand SQL)."""
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "correspondence_report",
        "--prefecture",
        prefecture_slug,
        "--year",
        str(year),
        "--at",
        at.isoformat(),
        "--format",
        "json",
        stdout=out,
    )
    return json.loads(out.getvalue())
