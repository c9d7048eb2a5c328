"""Deterministic demo data: `python manage.py seed_demo [--seed N]`.

Each app of ours with a `demo.py` exposing `seed(ctx)` is called in INSTALLED_APPS order,
organisation first, inside one transaction. Running it again keeps the existing data.
"""

import random
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module, util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from engagements.db import analyze_all
from engagements.organisation.demo import DEMO_PASSWORD, DEMO_USERS
from engagements.organisation.models import Prefecture


@dataclass
class DemoContext:
    rng: random.Random
    today: date
    extra: dict = field(default_factory=dict)


def seed_apps(seed: int = 2026, only: tuple[str, ...] | None = None) -> list:
    """Run the apps' demo seeds in one transaction (INSTALLED_APPS order, organisation
    first) and return the app configs seeded. `only` (app labels) limits it to those apps
    and the organisation they stand on: a test of one app's demo needs no other's."""
    ctx = DemoContext(rng=random.Random(seed), today=timezone.localdate())
    seeded = []
    with transaction.atomic():
        analyze_all()  # every table the demo fills, once committed
        for app_config in apps.get_app_configs():
            name = f"{app_config.name}.demo"
            if not app_config.name.startswith("engagements.") or not util.find_spec(name):
                continue
            if only is not None and app_config.label not in {"organisation", *only}:
                continue
            # Each app draws from its own generator, so one app's demo does not change
            # when another app's draws more or fewer numbers.
            ctx.rng = random.Random(f"{seed}:{app_config.label}")
            import_module(name).seed(ctx)
            seeded.append(app_config)
    return seeded


class Command(BaseCommand):
    help = "Charge les données de démonstration (personnes inventées)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="graine du hasard")

    def handle(self, *args, seed: int, **options):
        if Prefecture.objects.filter(slug="demo").exists():
            self.stdout.write("Données de démonstration déjà présentes : rien à faire.")
        else:
            for app_config in seed_apps(seed):
                self.stdout.write(f"  {app_config.verbose_name} : ok")
            self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(f"\nComptes de démonstration (mot de passe : {DEMO_PASSWORD})")
        for username, first, last, kind, title, _scope in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {first} {last} — {kind.label} ({title})")
