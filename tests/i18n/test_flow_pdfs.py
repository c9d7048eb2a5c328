"""The booking summary and the attendance certificate in the person's language: Arabic
(right to left, Noto Sans Arabic) and Ukrainian (Cyrillic, Noto Sans) come out as text,
with the vendored fonts embedded; page 1 kept as a PNG (var/screenshots/pdf-*.png)."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.appointments.enums import BookingStatus
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.test_pdfs import SCREENSHOTS, read_pdf

pytestmark = pytest.mark.django_db

# Words without the lam-alef ligature, which pdftotext gives back in another order.
EXPECTED = {
    "ar": {"summary": ["ملخص", "الموعد", "المرجع"], "certificate": ["شهادة حضور", "الموقع"]},
    "uk": {"summary": ["Підсумок запису", "Номер"], "certificate": ["Довідка про візит", "Місце"]},
    "es": {"summary": ["Resumen de la cita"], "certificate": ["Justificante de visita"]},
    "pt": {"summary": ["Resumo da marcação"], "certificate": ["Comprovativo de presença"]},
}
FONT = {"ar": "Noto-Sans-Arabic", "uk": "Noto-Sans"}


def _fonts(name: str) -> str:
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) missing")
    path = SCREENSHOTS / f"pdf-{name}.pdf"
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout


def _pages(name: str) -> int:
    path = SCREENSHOTS / f"pdf-{name}.pdf"
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_summary_and_certificate_in_the_persons_language(
    language, prefecture, service, agent, client_for
):
    procedure = ProcedureFactory(service=service, documents="Passeport")
    start = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    booking = BookingFactory(
        slot=SlotFactory(procedure=procedure, starts_at=start), language=language
    )
    summary = client_for(agent).get(reverse("appointments:pdf", args=[booking.token]))
    text = read_pdf(summary.content, f"booking-summary-{language}")
    # pdftotext may split a reference at a kerning gap ("2CVQ JBYC"): compare without spaces.
    assert booking.reference in text.replace(" ", "") and "Passeport" in text
    for words in EXPECTED[language]["summary"]:
        assert words in text, words
    assert "Récapitulatif" not in text and "Démarche" not in text
    if language in FONT:
        assert FONT[language] in _fonts(f"booking-summary-{language}")

    booking.status = BookingStatus.ATTENDED
    booking.checked_in_at = start - timedelta(minutes=5)
    booking.checked_in_by = agent
    booking.save()
    certificate = client_for(agent).get(
        reverse("appointments:agents-certificate", args=[prefecture.slug, booking.pk])
    )
    name = f"certificate-{language}"
    text = read_pdf(certificate.content, name)
    # The French certificate, then its translation for information.
    assert "Attestation de passage" in text and "22:55" in text
    for words in EXPECTED[language]["certificate"]:
        assert words in text, words
    assert _pages(name) == 1
    if language in FONT:
        assert FONT[language] in _fonts(name)


def test_arabic_documents_are_right_to_left(service, agent):
    from django.template.loader import render_to_string

    from engagements.appointments.booking_files import certificate_context

    booking = BookingFactory(
        slot=SlotFactory(procedure=ProcedureFactory(service=service)), language="ar"
    )
    summary = render_to_string(
        "appointments/pdf/summary.html",
        {
            "booking": booking,
            "procedure": booking.procedure,
            "label": "x",
            "site": booking.procedure.site,
            "starts_at": timezone.localtime(booking.slot.starts_at),
            "qr": "",
            "documents": [],
            "pdf_brand": {},
        },
    )
    assert '<html lang="ar" dir="rtl">' in summary
    certificate = render_to_string(
        "appointments/pdf/certificate.html", {**certificate_context(booking), "pdf_brand": {}}
    )
    assert '<section class="translation" lang="ar" dir="rtl">' in certificate
    ukrainian = render_to_string(
        "appointments/pdf/certificate.html",
        {**certificate_context(BookingFactory(language="uk")), "pdf_brand": {}},
    )
    assert 'lang="uk" dir="ltr"' in ukrainian


def test_calendar_entry_in_the_persons_language(service):
    from engagements.appointments.booking_files import ics_for

    booking = BookingFactory(
        slot=SlotFactory(procedure=ProcedureFactory(service=service, documents="Passeport")),
        language="es",
    )
    description = ics_for(booking).decode().replace("\r\n ", "")
    assert "Referencia:" in description and "Documentos que debe traer:" in description
    assert "/es/rendez-vous/gerer/" in description


@pytest.mark.parametrize(
    ("language", "reference", "to_bring"),
    [
        ("en", "Reference: ", "Documents to bring:"),
        ("fr", "Référence : ", "Documents à apporter :"),
    ],
)
def test_calendar_entry_in_english_and_french_reads_like_the_mail(
    service, language, reference, to_bring
):
    """English had its own words written in the code, with the French space before the
    colon ("Reference :")."""
    from engagements.appointments.booking_files import ics_for

    booking = BookingFactory(
        slot=SlotFactory(procedure=ProcedureFactory(service=service, documents="Passeport")),
        language=language,
    )
    description = ics_for(booking).decode().replace("\r\n ", "")
    assert f"DESCRIPTION:{reference}{booking.reference}" in description
    assert f"\\n{to_bring}\\n- " in description
