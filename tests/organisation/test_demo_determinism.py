"""`seed_demo --seed N` gives the same demo twice: same records, same figures.

One SQLite database is migrated, two copies of it are seeded in subprocesses, then they are
compared through what users see: counts per model and the figures of every app
(correspondence report, no-show rate, survey results)."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FINGERPRINT = r"""
import json
import django
django.setup()
from django.apps import apps
from django.utils import timezone
from engagements.organisation.models import Prefecture
from engagements.correspondence import queries as cq
from engagements.appointments import queries as aq
from engagements.appointments.models import Booking
from engagements.surveys import queries as sq
from engagements.surveys.models import Campaign

demo = Prefecture.objects.get(slug="demo")
today = timezone.localdate()
counts = {
    m._meta.label: m.objects.count()
    for m in apps.get_models()
    if m._meta.app_label in {"organisation", "correspondence", "appointments", "surveys"}
}
print(json.dumps({
    "counts": counts,
    "correspondence": cq.figures(cq.year_messages(demo, today.year), at=today),
    "no_show": aq.no_show_rate(Booking.objects.all()),
    "surveys": {c.pk: sq.campaign_report(c) for c in Campaign.objects.order_by("pk")},
}, sort_keys=True, default=str))
"""


def _env(db_path: Path) -> dict:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "DJANGO_SETTINGS_MODULE": "engagements.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("ENGAGEMENTS_TESTING", None)
    return env


def _manage(db_path: Path, *args: str) -> None:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    subprocess.run(command, env=_env(db_path), cwd=ROOT, check=True, capture_output=True)


def _seed_and_fingerprint(migrated: Path, db_path: Path) -> dict:
    """A copy of the migrated database, seeded in its own process (its own hash seed)."""
    with closing(sqlite3.connect(migrated)) as connection:  # its WAL written back first
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(migrated, db_path)
    _manage(db_path, "seed_demo", "--seed", "7")
    out = subprocess.run(
        [sys.executable, "-c", FINGERPRINT],
        env=_env(db_path),
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


@pytest.mark.slow
def test_seed_demo_is_deterministic(tmp_path):
    migrated = tmp_path / "migrated.sqlite3"  # migrated once (most of a run's time), copied
    _manage(migrated, "migrate", "-v0")
    _manage(migrated, "createcachetable")
    first = _seed_and_fingerprint(migrated, tmp_path / "one.sqlite3")
    second = _seed_and_fingerprint(migrated, tmp_path / "two.sqlite3")
    assert first["counts"]["correspondence.Message"] > 300
    assert first == second
