"""After the contact form, the page names the address the acknowledgement and the answer
go to (to the browser that sent the message only), so that a typo is seen at once."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.correspondence.test_views import contact_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("prefix", "said", "wrong"),
    [
        ("", "puis la réponse, sont envoyés à lea@example.tset.", "Adresse erronée ?"),
        ("/en", "then the answer, are sent to lea@example.tset.", "Wrong address?"),
    ],
)
def test_the_confirmation_names_the_address_to_its_sender_only(
    prefecture, service, client, prefix, said, wrong
):
    service.phone = "03 87 11 22 33"
    service.save()
    url = prefix + reverse("correspondence:contact", args=[prefecture.slug])
    response = client.post(url, contact_data(service, email="lea@example.tset"))
    assert response.status_code == 302
    page = client.get(response.url).content.decode().replace("&#x27;", "'")
    assert said in page and wrong in page and "03 87 11 22 33" in page
    # The same link opened elsewhere (shared, forwarded) does not show the address.
    assert "lea@example.tset" not in Client().get(response.url).content.decode()
