"""A reference (DEM-2026-00042, RDV-…) is read aloud or copied from a phone: cut at its
hyphen across two lines, it is a wrong reference. Every page that shows one, to the public
or to agents, writes it through `words.reference` (a `.eng-ref` span, white-space: nowrap
in app.css and in the PDFs' pdf.css)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from engagements.correspondence.services import follow as follow_link
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.correspondence.factories import MessageFactory
from tests.tooling import pdf_text, require_tool

pytestmark = pytest.mark.django_db
STATIC = Path(settings.BASE_DIR) / "engagements" / "static" / "engagements"


def one_line(reference: str) -> str:
    return f'<span class="eng-ref">{reference}</span>'


def test_the_filter_writes_a_span_that_never_wraps():
    html = Template("{% load words %}{{ ref|reference }}").render(Context({"ref": "DEM-1<2"}))
    assert html == '<span class="eng-ref">DEM-1&lt;2</span>'
    assert Template("{% load words %}{{ ref|reference }}").render(Context({"ref": ""})) == ""
    assert ".eng-ref { white-space: nowrap; }" in (STATIC / "app.css").read_text()
    assert (
        ".eng-ref { white-space: nowrap; font-kerning: none; }" in (STATIC / "pdf.css").read_text()
    )


def test_public_pages_keep_the_reference_on_one_line(client, prefecture, service):
    message = MessageFactory(service=service)
    follow = reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    html = client.get(follow).content.decode()
    assert html.count(one_line(message.reference)) >= 2  # the heading and the summary
    booking = BookingFactory(slot__procedure__service=service)
    html = client.get(reverse("appointments:manage", args=[booking.token])).content.decode()
    assert one_line(booking.reference) in html
    # Never inside the page's title, which takes text only.
    assert "<title>" not in html.split(one_line(booking.reference))[0].rsplit("</title>", 1)[-1]


def test_agents_pages_keep_the_reference_on_one_line(prefecture, service, agent, client_for):
    message = MessageFactory(service=service)
    client = client_for(agent)
    listing = client.get(reverse("correspondence:agents-list", args=[prefecture.slug]))
    assert one_line(message.reference) in listing.content.decode()
    detail = client.get(reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]))
    assert f"<h1>Message {one_line(message.reference)}</h1>" in detail.content.decode()


def test_a_reference_reads_back_from_a_pdf_as_written(client_for, agent, service):
    # Kerned in the PDF font, "QJ" came out of the text layer as "Q J": a reference copied
    # from the printed list (or read by pdftotext, which made a test fail now and then, the
    # references being random) was not the reference. References are set without kerning.
    require_tool("/usr/bin/pdftotext", "poppler-utils")
    procedure = ProcedureFactory(service=service, capacity=3)
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    slot = SlotFactory(procedure=procedure, starts_at=start)
    references = ["QJY4TVL2", "AVATAR27", "LTYW4PJQ"]
    for reference in references:
        BookingFactory(slot=slot, reference=reference)
    prefecture = service.site.prefecture
    pdf = client_for(agent).get(reverse("appointments:agents-day-pdf", args=[prefecture.slug]))
    text = pdf_text(pdf.content)
    assert all(reference in text for reference in references), text
