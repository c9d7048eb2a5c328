"""Every SMS about a booking fits one GSM-7 message (160 septets): a reminder of 178
characters, or one with a "ç" or in Ukrainian, was billed two or three messages. Arabic,
which has no GSM writing, fits two UCS-2 parts (test_sms_arabic.py)."""

from datetime import datetime

import pytest
from django.utils import timezone

from engagements import sms
from engagements.appointments import notifications
from engagements.appointments.models import Booking, Procedure
from engagements.organisation.models import Site
from tests.appointments.factories import BookingFactory

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime(2026, 12, 10, 10, 0))
LONG_SITE_URL = "https://rendez-vous.prefecture-des-hauts-de-lys.interieur.gouv.fr"


def _booking(**values):
    booking = BookingFactory(slot__starts_at=START, **values)
    booking.needs_day_before_confirmation = True
    return booking


def _all_sms(booking) -> list[str]:
    booking.needs_day_before_confirmation = False
    texts = [notifications.queue_reminder_sms(booking).body]
    booking.needs_day_before_confirmation = True
    texts.append(notifications.queue_reminder_sms(booking).body)
    booking.email = ""
    texts.append(notifications.queue_confirmation_sms(booking).body)
    texts += [
        notifications.queue_change_notice(booking, kind).body for kind in notifications.CHANGE_SMS
    ]
    return texts


@pytest.mark.parametrize("language", ["fr", "en", "es", "pt", "uk", "ar"])
def test_the_longest_names_the_models_allow_still_fit_one_sms_with_the_whole_link(
    settings, language
):
    settings.SITE_URL = LONG_SITE_URL
    site_max = Site._meta.get_field("name").max_length
    reference_max = Booking._meta.get_field("reference").max_length
    booking = _booking(
        language=language,
        reference="R" * reference_max,
        slot__procedure__service__site__name=(
            "Sous-préfecture de Saint-Étienne-lès-Remiremont " * 5
        )[:site_max],
        slot__procedure__name="x" * Procedure._meta.get_field("name").max_length,
    )
    link = notifications.absolute("appointments:short", booking.short_code, language=language)
    for text in _all_sms(booking):
        if language == "ar" and not sms.is_gsm(text):  # else it fell back to French
            assert sms.ucs2_length(text) <= sms.UCS2_LENGTH and sms.sms_parts(text) == 2, text
        else:
            assert sms.is_gsm(text) and sms.gsm_length(text) <= sms.SMS_LENGTH, text
        assert text.endswith(" " + link), text
        assert "10/12 10:00" in text, text  # the date, written short, is never left out


def test_a_short_reminder_is_sent_whole_with_its_accents_written_in_gsm(settings):
    settings.SITE_URL = "https://rdv.test"
    booking = _booking(slot__procedure__service__site__name="Préfecture — Besançon")
    booking.needs_day_before_confirmation = False
    text = notifications.queue_reminder_sms(booking).body
    link = notifications.absolute("appointments:short", booking.short_code)
    assert text == (
        f"Rappel : rendez-vous jeudi 10 décembre 2026, 10:00, Préfecture - Besancon "
        f"({booking.reference}). Annuler : {link}"
    )


def test_ukrainian_is_written_in_latin_letters(settings):
    settings.SITE_URL = "https://rdv.test"
    ukrainian = _booking(language="uk")
    ukrainian.needs_day_before_confirmation = False
    text = notifications.queue_reminder_sms(ukrainian).body
    assert text.startswith("Nahaduvannia: ") and sms.is_gsm(text)
    assert sms.sms_parts(text) == 1


def test_one_sms_shortens_in_the_stated_order_and_never_cuts_the_link():
    template = "RDV %(when)s, %(site)s (%(ref)s). Annuler : %(url)s"
    url = "https://rdv.test/v/" + "x" * 40
    values = {"when": "jeudi 10 décembre 2026, 10:00", "site": "Site", "ref": "AB12", "url": url}
    shorter = (("when", "10/12 10:00"), ("ref", ""))
    assert sms.one_sms(template, values, shorter=shorter, cut="site") == (
        f"RDV jeudi 10 décembre 2026, 10:00, Site (AB12). Annuler : {url}"
    )
    long_site = dict(values, site="Préfecture " * 8)
    text = sms.one_sms(template, long_site, shorter=shorter, cut="site")
    assert text.startswith("RDV 10/12 10:00, Préfecture Préfecture") and "AB12" not in text
    assert "...." not in text and text.endswith(". Annuler : " + url)
    assert sms.gsm_length(text) <= 160
    # The extension table's characters take two septets: 80 euro signs fill a message.
    assert sms.gsm_length("€" * 80) == 160
    assert sms.one_sms("€" * 81 + " " + url).endswith(" " + url)
    assert sms.gsm_length(sms.one_sms("€" * 81 + " " + url)) <= 160
    assert sms.gsm_text("Œuvre, façade, août, São") == "Oeuvre, facade, aout, Sao"
