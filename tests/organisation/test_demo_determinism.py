"""`seed_demo --seed N` gives the same demo twice: same records, same figures.

Two fresh SQLite databases are migrated and seeded in subprocesses, then compared through
what users see: counts per model and the figures of every app (correspondence report,
no-show rate, survey results)."""

import json
import os
import subprocess
import sys
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


def _seed_and_fingerprint(db_path: Path) -> dict:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{db_path}",
        "DJANGO_SETTINGS_MODULE": "engagements.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("ENGAGEMENTS_TESTING", None)
    manage = [sys.executable, str(ROOT / "manage.py")]
    for args in (["migrate", "-v0"], ["createcachetable"], ["seed_demo", "--seed", "7"]):
        subprocess.run([*manage, *args], env=env, cwd=ROOT, check=True, capture_output=True)
    out = subprocess.run(
        [sys.executable, "-c", FINGERPRINT],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


@pytest.mark.slow
def test_seed_demo_is_deterministic(tmp_path):
    first = _seed_and_fingerprint(tmp_path / "one.sqlite3")
    second = _seed_and_fingerprint(tmp_path / "two.sqlite3")
    assert first["counts"]["correspondence.Message"] > 300
    assert first == second
