"""Action references under concurrent creation (PostgreSQL): distinct and gapless, and a
rolled-back creation gives its number back."""

import pytest
from django.db import transaction

from engagements.quality import services
from engagements.quality.models import Action
from tests.correspondence.test_concurrency import run_in_threads
from tests.tooling import require_postgres

THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_actions_get_distinct_gapless_references(prefecture, site):
    require_postgres()
    services.ensure_statuses(prefecture)

    def create(index):
        return services.create_action(
            prefecture, site=site, year=2026, title=f"Action {index}"
        ).reference

    references, errors = run_in_threads(create, THREADS)
    assert errors == []
    assert sorted(references) == [f"PA-2026-{n:03d}" for n in range(1, THREADS + 1)]
    # A creation rolled back returns its number: the next one takes it.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_action(prefecture, site=site, year=2026, title="Annulée")
        raise RuntimeError
    nxt = services.create_action(prefecture, site=site, year=2026, title="Suivante")
    assert nxt.reference == f"PA-2026-{THREADS + 1:03d}"
    assert Action.objects.count() == THREADS + 1


@pytest.mark.django_db
def test_admin_pages_open(admin_client, prefecture):
    services.ensure_statuses(prefecture)
    client = admin_client
    for name in ("actionstatus", "referential", "module", "structuremapping"):
        assert client.get(f"/admin/quality/{name}/").status_code == 200, name
