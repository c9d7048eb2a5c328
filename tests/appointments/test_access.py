"""Every appointments agent URL is hidden from other prefectures (the shared test, narrowed
to this app so it runs while other apps are being written), plus scope within a prefecture."""

import pytest
from django.urls import reverse

from tests.appointments import agent_urls
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.organisation.test_cross_prefecture import _agent_url_names, _is_record_key


def test_every_agent_url_is_hidden_from_other_prefectures(
    prefecture, site, service, outsider, client_for
):
    cases = agent_urls.cases(prefecture, site, service)
    ours = {name for name in _agent_url_names() if name.startswith("appointments:")}
    assert ours - set(cases) == set()
    client = client_for(outsider)
    own_slug = outsider.roles.get().prefecture.slug
    for name, kwargs in sorted(cases.items()):
        url = reverse(name, kwargs={"prefecture": prefecture.slug, **kwargs})
        for method in ("get", "post"):
            assert getattr(client, method)(url).status_code == 404, f"{method} {url}"
        if any(_is_record_key(key) for key in kwargs):
            own = reverse(name, kwargs={"prefecture": own_slug, **kwargs})
            assert client.get(own).status_code in {404, 405}, own
            assert client.post(own).status_code == 404, own


def test_agent_of_another_site_does_not_see_the_booking(
    service, agent, agent_other_site, client_for, prefecture
):
    booking = BookingFactory(slot=SlotFactory(procedure=ProcedureFactory(service=service)))
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    assert client_for(agent).get(url).status_code == 200
    assert client_for(agent_other_site).get(url).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(prefecture, client):
    response = client.get(reverse("appointments:agents-day", args=[prefecture.slug]))
    assert response.status_code == 302
