"""A mystery check planned in one's own prefecture stays a mystery to the checked service:
its agents and its site manager do not see it among the checks to perform, nor open it;
an agent of another service performs it."""

import pytest
from django.urls import reverse

from tests.surveys.factories import MysteryCheckFactory


@pytest.mark.django_db
def test_the_checked_service_does_not_see_its_check_coming(
    prefecture, service, agent, site_manager, agent_other_site, quality_lead, client_for
):
    check = MysteryCheckFactory(service=service, checker_prefecture=prefecture)
    todo = reverse("surveys:agents-checks-todo", args=[prefecture.slug])
    perform = reverse("surveys:agents-check-perform", args=[prefecture.slug, check.pk])
    for checked in (agent, site_manager):
        client = client_for(checked)
        assert list(client.get(todo).context["checks"]) == []
        assert client.get(perform).status_code == 404
    for checker in (agent_other_site, quality_lead):
        client = client_for(checker)
        assert list(client.get(todo).context["checks"]) == [check]
        assert client.get(perform).status_code == 200


@pytest.mark.django_db
def test_the_checked_site_s_manager_reads_its_checks_once_done(
    prefecture, service, site_manager, quality_lead, client_for
):
    # The checks page listed the planned check and its day to the checked site's manager.
    from engagements.surveys.enums import CheckStatus

    planned = MysteryCheckFactory(service=service, checker_prefecture=prefecture)
    done = MysteryCheckFactory(
        service=service, checker_prefecture=prefecture, status=CheckStatus.DONE
    )
    checks = reverse("surveys:agents-checks", args=[prefecture.slug])
    detail = reverse("surveys:agents-check", args=[prefecture.slug, planned.pk])
    manager = client_for(site_manager)
    assert list(manager.get(checks).context["checks"]) == [done]
    assert manager.get(detail).status_code == 404
    lead = client_for(quality_lead)
    assert set(lead.get(checks).context["checks"]) == {planned, done}
    assert lead.get(detail).status_code == 200
