"""Entry points of the scheduled jobs (dotted paths registered in apps.py)."""

from django.utils import timezone


def recompute_values() -> int:
    """Every night: the values of this year and last year, per structure × period, from the
    records of each app, so dashboards read pre-aggregated rows."""
    from engagements.organisation.models import Prefecture

    from .services import default_periods
    from .services import recompute_values as recompute

    today = timezone.localdate()
    return sum(recompute(p, default_periods(today), at=today) for p in Prefecture.objects.all())


def run_recompute(run_pk: int) -> int:
    """A recompute asked for (records written, the dashboard's button): its periods."""
    from .recompute import run

    return run(run_pk)
