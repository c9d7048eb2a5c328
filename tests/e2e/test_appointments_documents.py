"""In a real browser: a person whose procedure asks for documents before the appointment
asks for more time with the keyboard only and sends a document from her booking's page;
the page's new part is checked with axe-core in French and English."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.appointments import services
from engagements.appointments.enums import Channel
from engagements.shell.content_language import long_date
from tests.appointments.factories import ProcedureFactory, SlotFactory
from tests.browser import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_person_asks_for_more_time_and_sends_a_document(page, service, tmp_path):
    procedure = ProcedureFactory(
        service=service, name="Remise de titre de séjour", documents_before=True
    )
    starts_at = (timezone.localtime() + timedelta(days=20)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    slot = SlotFactory(procedure=procedure, starts_at=starts_at)
    booking = services.book_slot(
        slot,
        services.Person(first_name="Amina", last_name="Diallo", email="amina@usager.test"),
        channel=Channel.AGENT,
    )
    wait = booking.documents_wait
    url = f"/rendez-vous/gerer/{booking.token}/"
    page.goto("/en" + url)
    section = page.locator(".appt-documents")
    assert "Documents to send before the appointment" in section.inner_text()
    assert_accessible(page)
    until = wait.ends_on + timedelta(days=3)
    page.get_by_label("New date").fill(until.isoformat())
    page.get_by_label("Why do you need more time?").fill("I am abroad")
    page.get_by_role("button", name="Ask for more time").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".fr-alert--success")
    assert long_date(until, language="en") in page.inner_text(".fr-alert--success")
    assert_accessible(page)
    page.goto(url)
    assert "Vous avez demandé un délai complémentaire" in page.inner_text(".appt-documents")
    scan = tmp_path / "passeport.pdf"
    scan.write_bytes(b"%PDF-1.4 passeport")
    page.set_input_files("#id_document", str(scan))
    page.get_by_role("button", name="Envoyer le document").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".fr-alert--success")
    assert "passeport.pdf" in page.inner_text(".appt-sent-documents")
    assert_accessible(page)
    screenshot(page, "appointments-manage-documents")
    wait.refresh_from_db()
    assert wait.ends_on == until and wait.received_on is not None
    assert booking.documents.count() == 1
