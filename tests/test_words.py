"""Words people read: roles with their article, services named with theirs, French decimal
input, booking history in French, versions of templates, no "(s)" plurals."""

from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from engagements.appointments.enums import BookingStatus
from engagements.appointments.services import record_attendance
from engagements.correspondence.enums import VersionStatus
from engagements.organisation.models import name_with_article
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.correspondence.factories import MessageFactory, TemplateFactory, VersionFactory
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def test_home_says_connected_as_an_agent(prefecture, agent, client_for):
    url = reverse("organisation:agents-prefecture", args=[prefecture.slug])
    html = unescape(client_for(agent).get(url).content.decode())
    assert "Vous êtes connecté en tant qu'agent." in html
    assert "en tant que Agent" not in html


def test_settings_title_and_targets_in_french(prefecture, quality_lead, client_for):
    client = client_for(quality_lead)
    page = client.get(reverse("organisation:agents-settings", args=[prefecture.slug]))
    html = unescape(page.content.decode())
    assert f"Organisation — {prefecture.name}" in html and "Organisation de " not in html
    url = reverse("organisation:agents-edit-targets", args=[prefecture.slug, 2026])
    form = client.get(url).content.decode()
    assert 'value="75.0"' not in form and 'value="75.00"' not in form
    assert 'value="75"' in form or 'value="92,5"' in form or "," in form
    fields = client.get(url).context["form"].fields
    data = {name: "92,5" for name in fields}
    assert client.post(url, data).status_code == 302


def test_services_are_named_with_their_article(site):
    assert name_with_article("Bureau du séjour") == "le bureau du séjour"
    assert name_with_article("Mission qualité") == "la mission qualité"
    assert name_with_article("Accueil général") == "l'accueil général"
    assert name_with_article("CERT titres") == "le service « CERT titres »"
    service = ServiceFactory(site=site, name="CERT", name_with_article="le centre d'expertise")
    assert service.with_article == "le centre d'expertise"


def test_acknowledgement_letter_says_handled_by_the_service(
    prefecture, service, quality_lead, client_for
):
    from engagements.correspondence import placeholders

    message = MessageFactory(service=service, letter=True)
    values = placeholders.values_for(message)
    assert values["service_article"] == "le bureau du séjour"


def test_booking_history_in_french(prefecture, service, agent, client_for):
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    booking = BookingFactory(
        slot=SlotFactory(procedure=ProcedureFactory(service=service), starts_at=start)
    )
    booking.logs.create(from_status="", to_status=BookingStatus.HELD)
    booking.logs.create(from_status=BookingStatus.HELD, to_status=BookingStatus.CONFIRMED)
    with time_machine.travel(start):
        record_attendance(
            booking, BookingStatus.ATTENDED, actor=agent, arrived_at=start - timedelta(minutes=5)
        )
    html = (
        client_for(agent)
        .get(reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk]))
        .content.decode()
    )
    assert "Confirmé → Venu" in html and "En attente de confirmation" in html
    assert "confirmed" not in html.split("<main")[-1].split("</main>")[0].replace(
        'value="confirmed"', ""
    )
    assert "· →" not in html


def test_template_versions_read_as_words(prefecture, quality_lead, client_for):
    template = TemplateFactory(prefecture=prefecture, name="Réponse")
    VersionFactory(template=template, number=2, status=VersionStatus.SUBMITTED)
    html = (
        client_for(quality_lead)
        .get(reverse("correspondence:agents-templates", args=[prefecture.slug]))
        .content.decode()
    )
    assert "version 2 : Soumis au CLU" in html and "v2 soumis au clu" not in html


def test_worklist_counts_without_bracket_plurals(prefecture, service, quality_lead, client_for):
    MessageFactory(service=service)
    html = (
        client_for(quality_lead)
        .get(reverse("correspondence:agents-list", args=[prefecture.slug]))
        .content.decode()
    )
    assert "1 non attribué<" in html and "(s)" not in html


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("le secrétaire général de la préfecture", "du secrétaire général de la préfecture"),
        ("Le préfet", "du préfet"),
        ("les co-présidents", "des co-présidents"),
        ("Anne Martin", "d'Anne Martin"),
        ("l'adjointe au maire", "de l'adjointe au maire"),
        ("Mme Martin", "de Mme Martin"),
        ("M. le sous-préfet", "de M. le sous-préfet"),
    ],
)
def test_de_before_a_typed_name_is_contracted(typed, expected):
    from engagements.words import de

    assert de(typed) == expected
