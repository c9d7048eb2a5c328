"""A person who booked in Arabic gets her SMS in Arabic: Arabic has no GSM-7 writing, so
the text goes in UCS-2, in at most two parts (2 × 67 characters), shortened as a French
SMS is; only a text that still does not fit (a very long link) goes in French. She was
sent every SMS in French, which she may read little."""

import json
import re
from datetime import datetime

import polib
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from engagements import sms
from engagements.appointments import notifications, services
from engagements.appointments.models import Booking
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 12, 10, 10, 0)  # a Thursday
DAY_BEFORE = datetime(2026, 12, 9, 10, 5)
ARABIC_LETTER = re.compile("[\u0621-\u064a]")

SMS_MESSAGES = [
    notifications.REMINDER_SMS,
    notifications.REMINDER_TO_CONFIRM_SMS,
    notifications.SHORT_REMINDER_TO_CONFIRM_SMS,
    notifications.CONFIRMED_SMS,
    notifications.SHORT_CONFIRMED_SMS,
    *notifications.CHANGE_SMS.values(),
    *notifications.SHORT_SMS.values(),
]


def _sent(tmp_path) -> str:
    [line] = (tmp_path / "sms.log").read_text().splitlines()
    return json.loads(line)["text"]


def _path(text: str) -> str:
    url = next(word for word in text.split() if word.startswith("http"))
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _in_two_ucs2_parts(text: str) -> bool:
    return not sms.is_gsm(text) and sms.ucs2_length(text) <= 134 and sms.sms_parts(text) <= 2


def test_every_sms_message_has_its_arabic_text_with_the_same_placeholders():
    entries = {
        entry.msgid: entry
        for entry in polib.pofile("engagements/appointments/locale/ar/LC_MESSAGES/django.po")
    }
    for message in SMS_MESSAGES:
        entry = entries[message]
        assert "fuzzy" not in entry.flags and ARABIC_LETTER.search(entry.msgstr), message
        placeholders = sorted(re.findall(r"%\(\w+\)s", message))
        assert sorted(re.findall(r"%\(\w+\)s", entry.msgstr)) == placeholders
        with translation.override("ar"):
            assert translation.gettext(message) == entry.msgstr  # compiled


def test_the_reminder_of_an_arabic_booking_is_in_arabic_in_two_parts_with_its_link(
    settings, tmp_path, client, django_capture_on_commit_callbacks
):
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    settings.SITE_URL = "https://rdv.test"
    booking = BookingFactory(
        slot__starts_at=timezone.make_aware(START),
        slot__procedure__service__site__name="Préfecture — Lysville",
        language="ar",
    )
    with time_machine.travel(timezone.make_aware(DAY_BEFORE), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders()["sms"] == 1
    text = _sent(tmp_path)
    link = notifications.absolute("appointments:short", booking.short_code, language="ar")
    assert text == (
        f"تذكير: موعد الخميس 10 ديسمبر 2026، 10:00، Préfecture - Lysville "
        f"({booking.reference}). للإلغاء: {link}"
    )
    assert _in_two_ucs2_parts(text) and sms.sms_parts(text) == 2
    # The link opens her booking's page in Arabic.
    response = client.get(_path(text), follow=True)
    assert response.redirect_chain[-1][0].startswith("/ar/")
    assert booking.reference in response.content.decode()


def test_an_arabic_reminder_is_shortened_as_a_french_one_before_anything_is_left_out(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    """Under the no-show policy the reminder asks for a confirmation: the whole wording
    takes more than two parts, so the date loses its year and the shorter wording is used;
    the site and the reference stay."""
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    settings.SITE_URL = "https://rdv.test"
    booking = BookingFactory(
        slot__starts_at=timezone.make_aware(START),
        slot__procedure__service__site__name="Sous-préfecture de Sainte-Aure",
        language="ar",
        needs_day_before_confirmation=True,
    )
    with time_machine.travel(timezone.make_aware(DAY_BEFORE), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders()["sms"] == 1
    text = _sent(tmp_path)
    link = notifications.absolute("appointments:short", booking.short_code, language="ar")
    assert text.startswith("موعد ") and "أكّده" in text and "2026" not in text
    assert "Sous-préfecture de Sainte-Aure" in text and booking.reference in text
    assert text.endswith(" " + link) and _in_two_ucs2_parts(text)


@time_machine.travel(timezone.make_aware(datetime(2026, 12, 8, 10, 0)), tick=False)
def test_a_desk_booking_in_arabic_is_confirmed_by_sms_in_arabic(
    settings, tmp_path, client_for, agent, prefecture, service,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    settings.SITE_URL = "https://rdv.test"
    procedure = ProcedureFactory(service=service, capacity=1)
    slot = SlotFactory(procedure=procedure, starts_at=timezone.make_aware(START))
    url = reverse("appointments:agents-book", args=[prefecture.slug, procedure.pk, slot.pk])
    data = {"first_name": "Samira", "last_name": "Haddad", "email": "", "channel": "agent"}
    with django_capture_on_commit_callbacks(execute=True):
        client_for(agent).post(url, data | {"phone": "06 11 22 33 55", "language": "ar"})
    booking = Booking.objects.get()
    text = _sent(tmp_path)
    link = notifications.absolute("appointments:short", booking.short_code, language="ar")
    # The whole wording takes 141 characters: the date loses its year, then the shorter
    # wording is used.
    assert text == (
        f"تم التأكيد: الخميس 10 ديسمبر، 10:00، Préfecture - Chef-Lieu ({booking.reference}). "
        f"إلغاء، تغيير: {link}"
    )
    assert _in_two_ucs2_parts(text)
    # On the booking's page the Arabic text is isolated (<bdi>): written right to left, it
    # scrambled the French around it ("SMS « … » à 06…").
    url = reverse("appointments:agents-booking", args=[prefecture.slug, booking.pk])
    html = client_for(agent).get(url).content.decode()
    assert f"SMS « <bdi>{text}</bdi> » à 06 11 22 33 55" in html


def test_an_arabic_sms_too_long_for_two_parts_goes_in_french_in_one_message(settings):
    """A long site address leaves too little room: once the date is in figures, the
    reference dropped and the site's name cut to nothing, the Arabic confirmation
    request still takes three parts; it goes in French, in one GSM message, with the
    link whole (still to the Arabic page)."""
    settings.SITE_URL = "https://rendez-vous.prefecture-des-hauts-de-lys-et-de-la-vallee.gouv.fr"
    booking = BookingFactory(
        slot__starts_at=timezone.make_aware(START),
        slot__procedure__service__site__name="Sous-préfecture de Sainte-Aure",
        language="ar",
        needs_day_before_confirmation=True,
    )
    link = notifications.absolute("appointments:short", booking.short_code, language="ar")
    with translation.override("ar"), pytest.raises(sms.DoesNotFit):  # the premise
        sms.one_sms(
            translation.gettext(notifications.SHORT_REMINDER_TO_CONFIRM_SMS),
            {"when": "10/12 10:00", "site": "", "ref": "", "url": link},
        )
    text = notifications.queue_reminder_sms(booking).body
    assert text.startswith("Rendez-vous 10/12 10:00") and "Confirmez-le" in text
    assert sms.is_gsm(text) and sms.sms_parts(text) == 1
    assert text.endswith(" " + link) and "/ar/" in link


def test_one_sms_shortens_an_arabic_text_in_the_stated_order_and_never_cuts_the_link():
    template = "تذكير: موعد %(when)s، %(site)s (%(ref)s). للإلغاء: %(url)s"
    url = "https://rdv.test/ar/rendez-vous/v/" + "x" * 12 + "/"
    values = {"when": "الخميس 10 ديسمبر 2026، 10:00", "site": "Site", "ref": "AB12", "url": url}
    shorter = (("when", "10/12 10:00"), ("ref", ""))
    text = sms.one_sms(template, values, shorter=shorter, cut="site")
    assert text == f"تذكير: موعد الخميس 10 ديسمبر 2026، 10:00، Site (AB12). للإلغاء: {url}"
    # A long site: the date in figures, the reference dropped, then the site's name cut.
    long_site = dict(values, site="Préfecture — Lysville " * 4)
    text = sms.one_sms(template, long_site, shorter=shorter, cut="site")
    assert text.startswith("تذكير: موعد 10/12 10:00، Préfecture - Lysville")
    assert "AB12" not in text and "..." in text and text.endswith(". للإلغاء: " + url)
    assert sms.ucs2_length(text) <= 134
    # Nothing left to shorten and still too long: the caller writes it in another language.
    with pytest.raises(sms.DoesNotFit):
        sms.one_sms(template, dict(values, url=url + "y" * 100), shorter=shorter, cut="site")
    # The dropped site takes its Arabic comma with it.
    text = sms.one_sms(template, dict(values, site="", ref=""))
    assert text == f"تذكير: موعد الخميس 10 ديسمبر 2026، 10:00. للإلغاء: {url}"


def test_sms_parts_counts_what_a_text_is_billed_as():
    assert sms.sms_parts("a" * 160) == 1 and sms.sms_parts("a" * 161) == 2
    assert sms.sms_parts("a" * 306) == 2 and sms.sms_parts("a" * 307) == 3
    assert sms.sms_parts("€" * 80) == 1 and sms.sms_parts("€" * 81) == 2
    assert sms.sms_parts("م" * 70) == 1 and sms.sms_parts("م" * 71) == 2
    assert sms.sms_parts("م" * 134) == 2 and sms.sms_parts("م" * 135) == 3
    # A character outside the basic plane takes two UCS-2 characters.
    assert sms.ucs2_length("م🙂") == 3 and sms.sms_parts("م" * 69 + "🙂") == 2


def test_the_outbox_sends_a_long_arabic_text_whole_rather_than_cut(prefecture):
    """A caller that did not shorten its Arabic text: the outbox sends it whole, in as many
    parts as it takes (cutting it could cut its link), with plain typography."""
    from engagements.outbox import services as outbox

    text = "«\u00a0" + "موعد " * 40 + "\u00a0» https://rdv.test/ar/"
    delivery = outbox.queue_sms("0611", text, prefecture=prefecture)
    assert delivery.body == sms.plain_typography(text) and sms.sms_parts(delivery.body) == 4
    short = "تذكير: موعد غدًا — https://rdv.test/ar/"
    assert outbox.queue_sms("0611", short, prefecture=prefecture).body == (
        "تذكير: موعد غدًا - https://rdv.test/ar/"
    )
