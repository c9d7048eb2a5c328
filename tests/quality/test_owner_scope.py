"""A task is given to someone who can open it: the pilot of an action and the owner of a
procedure sheet are offered, and accepted, among the people who see that site or service;
a site manager is not shown the people of other sites."""

import pytest
from django.urls import reverse

from engagements.faq.models import ProcedureSheet
from engagements.quality.models import Action
from tests.quality.factories import ActionFactory, PlanFactory


@pytest.mark.django_db
def test_an_action_s_pilot_sees_its_site(
    prefecture, site, other_site, site_manager, agent, agent_other_site, quality_lead, client_for
):
    client = client_for(site_manager)
    url = reverse("quality:agents-action-new", args=[prefecture.slug])
    owners = set(client.get(url).context["form"].fields["owner"].queryset)
    assert owners == {site_manager, agent, quality_lead}
    data = {"title": "Refaire la signalétique", "kind": "improvement", "site": site.pk}
    data.update(year=2026, owner=agent_other_site.pk)
    refused = client.post(url, data)
    assert refused.status_code == 200 and "owner" in refused.context["form"].errors
    assert not Action.objects.exists()
    assert client.post(url, {**data, "owner": agent.pk}).status_code == 302
    assert Action.objects.get().owner == agent
    # The référent qualité is offered everyone, but gives another site's action to a
    # person of that site only.
    lead = client_for(quality_lead)
    assert agent_other_site in lead.get(url).context["form"].fields["owner"].queryset
    refused = lead.post(url, {**data, "site": other_site.pk, "owner": agent.pk})
    assert "owner" in refused.context["form"].errors


@pytest.mark.django_db
def test_an_action_keeps_its_pilot_when_edited(
    prefecture, site, agent, agent_other_site, quality_lead, client_for
):
    """A pilot named before (who has since changed service) stays chosen on the edit form."""
    action = ActionFactory(plan=PlanFactory(site=site), owner=agent_other_site)
    url = reverse("quality:agents-action-edit", args=[prefecture.slug, action.pk])
    form = client_for(quality_lead).get(url).context["form"]
    assert set(form.fields["owner"].queryset) == {agent, agent_other_site, quality_lead}


@pytest.mark.django_db
def test_a_procedure_sheet_s_owner_works_for_its_service(
    prefecture, service, site_manager, agent, agent_other_site, client_for
):
    client = client_for(site_manager)
    url = reverse("faq:agents-sheet-new", args=[prefecture.slug])
    owners = set(client.get(url).context["form"].fields["owner"].queryset)
    assert owners == {site_manager, agent}
    data = {"service": service.pk, "title": "Accueil", "body": "Orienter.", "tags": ""}
    refused = client.post(url, {**data, "owner": agent_other_site.pk, "review_on": ""})
    assert refused.status_code == 200 and "owner" in refused.context["form"].errors
    assert not ProcedureSheet.objects.exists()
    assert client.post(url, {**data, "owner": agent.pk, "review_on": ""}).status_code == 302
