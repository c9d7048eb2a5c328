"""Every agent URL of the register hides other prefectures' records (404), checks roles."""

import pytest
from django.urls import reverse

from tests.correspondence import agent_urls
from tests.correspondence.factories import MessageFactory
from tests.organisation.test_cross_prefecture import _agent_url_names, _is_record_key


@pytest.mark.django_db
def test_every_register_url_has_a_case_and_hides_records(
    prefecture, site, service, outsider, client_for
):
    cases = agent_urls.cases(prefecture, site, service)
    ours = {n for n in _agent_url_names() if n.startswith("correspondence:")}
    assert ours == set(cases)
    client = client_for(outsider)
    own_slug = outsider.roles.get().prefecture.slug
    for name, kwargs in sorted(cases.items()):
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 404, f"{method.upper()} {url}"
        if any(_is_record_key(key) for key in kwargs):
            own = reverse(name, kwargs={"prefecture": own_slug, **kwargs})
            assert client.get(own).status_code in (404, 405), own
            assert client.post(own).status_code == 404, own


@pytest.mark.django_db
def test_agent_of_another_site_cannot_open_a_message(service, agent_other_site, client_for):
    message = MessageFactory(service=service)
    url = reverse("correspondence:agents-detail", args=[message.prefecture.slug, message.pk])
    assert client_for(agent_other_site).get(url).status_code == 404


@pytest.mark.django_db
def test_committee_member_sees_no_register_but_the_library(
    prefecture, committee_member, client_for
):
    client = client_for(committee_member)
    assert (
        client.get(reverse("correspondence:agents-list", args=[prefecture.slug])).status_code == 403
    )
    assert (
        client.get(reverse("correspondence:agents-templates", args=[prefecture.slug])).status_code
        == 200
    )
