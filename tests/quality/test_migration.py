"""The surveys app's follow-up actions become quality actions, with their history."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from engagements.surveys.models import CheckResult
from tests.surveys.factories import MysteryCheckFactory

BEFORE = [("surveys", "0001_initial"), ("quality", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_follow_up_actions_move_to_quality(prefecture, service, quality_lead):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    FollowUp = old.get_model("surveys", "FollowUpAction")
    check = MysteryCheckFactory(service=service, status="done")
    criteria = list(check.grid.criteria.all())
    failed = CheckResult.objects.create(check_run=check, criterion=criteria[0], passed=False)
    FollowUp.objects.create(
        prefecture_id=prefecture.pk,
        service_id=service.pk,
        result_id=failed.pk,
        title="Former l'accueil téléphonique",
        status="done",
        created_by_id=quality_lead.pk,
        created_at=datetime(2025, 10, 3, 9, 0, tzinfo=UTC),
    )
    FollowUp.objects.create(
        prefecture_id=prefecture.pk,
        service_id=service.pk,
        title="Revoir la signalétique",
        created_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from engagements.quality.models import Action

    done, open_ = Action.objects.order_by("opened_on")
    assert (done.reference, done.plan.year, done.plan.site) == ("PA-2025-001", 2025, service.site)
    assert done.status.base == "done" and done.source_kind == "mystery_check"
    assert done.source == failed and criteria[0].label in done.source_label
    assert [u.kind for u in done.updates.all()] == ["created", "status"]
    assert done.updates.first().author == quality_lead
    assert (open_.reference, open_.status.base, open_.source_id) == ("PA-2026-001", "planned", None)
    assert "surveys_followupaction" not in connection.introspection.table_names()
