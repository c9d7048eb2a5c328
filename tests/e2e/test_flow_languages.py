"""The public flows in Arabic, Spanish, Portuguese and Ukrainian in a real browser.

A person books an appointment in Arabic on a phone-size page laid out right to left and
receives the confirmation e-mail in Arabic (real SMTP on loopback); axe-core is clean on
the key pages of each flow (booking, contact form, survey, FAQ) in every language.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from engagements.appointments.enums import BookingStatus
from engagements.appointments.models import Booking
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.browser import assert_accessible, screenshot
from tests.factories import PrefectureFactory, ServiceFactory, SiteFactory
from tests.faq.factories import EntryFactory
from tests.surveys.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["ar", "es", "pt", "uk"]


@pytest.fixture
def places():
    prefecture = PrefectureFactory(slug="demo", name="Préfecture des Hauts-de-Lys")
    site = SiteFactory(prefecture=prefecture, slug="lysville", name="Préfecture — Lysville")
    service = ServiceFactory(site=site, name="Bureau du séjour des étrangers", slug="sejour")
    procedure = ProcedureFactory(
        service=service,
        name="Remise de titre de séjour",
        capacity=1,
        documents="Passeport\nConvocation",
    )
    base = (timezone.localtime() + timedelta(days=8)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    for i in range(4):
        SlotFactory(procedure=procedure, starts_at=base + timedelta(minutes=15 * i))
    return prefecture, service, procedure


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _is_rtl(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.dir === 'rtl'"
        " && getComputedStyle(document.body).direction === 'rtl'"
    )


def test_booking_in_arabic_on_a_phone_right_to_left(phone_page, places, smtp_mail):
    page = phone_page
    _, _, procedure = places
    # The language is chosen from the booking page (the selector is in the phone menu).
    page.goto("/rendez-vous/prefecture/demo/")
    page.get_by_role("button", name="Menu").click()
    page.locator("#menu-public .fr-translate__btn").click()
    page.locator("#menu-public a[hreflang=ar]").click()
    page.wait_for_url("**/ar/rendez-vous/prefecture/demo/")
    assert _is_rtl(page) and page.locator("html").get_attribute("lang") == "ar"
    assert "حجز موعد" in page.locator("h1").inner_text()
    assert_accessible(page)
    with page.expect_navigation():  # read the next page, not the one being left
        page.get_by_role("link", name=procedure.name).click()
    assert _is_rtl(page)
    page.locator("input[name=accept]").check(force=True)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/ar/rendez-vous/demarche/*/creneaux/")
    assert _is_rtl(page)
    assert_accessible(page)
    screenshot(page, "flow-ar-phone-week")
    # Right to left: the first day of the week is on the right of the second one.
    days = page.locator("a.appt-slot--free")
    first = days.first.bounding_box()
    assert first["x"] + first["width"] <= 390
    with page.expect_navigation():
        days.first.click()
    assert _is_rtl(page)
    page.locator("input[name=first_name]").fill("ليلى")
    page.locator("input[name=last_name]").fill("منصور")
    page.locator("input[name=email]").fill("leila.mansour@usager.test")
    # Labels sit on the right of the phone page, the fields span the width.
    label = page.locator("label[for=id_first_name]").bounding_box()
    field = page.locator("#id_first_name").bounding_box()
    assert label["x"] + label["width"] > field["x"] + field["width"] - 40
    # A function, not an expression: Playwright evaluates an expression again at each poll
    # with eval(), which the pages' Content-Security-Policy refuses once the first poll has
    # passed (a flaky failure whenever the proof of work is not done at the first look).
    page.wait_for_function(
        "() => document.querySelector('input[name=altcha]').value.length > 0", timeout=20_000
    )
    assert_accessible(page)
    screenshot(page, "flow-ar-phone-details")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/ar/rendez-vous/verifiez-vos-courriels/")
    assert "تفقّد بريدك الإلكتروني" in page.content()
    booking = Booking.objects.get()
    assert booking.language == "ar"

    [mail] = smtp_mail.to("leila.mansour@usager.test")
    assert mail.subject.strip().startswith("أكِّد موعدك")
    link = re.search(r"https?://\S+/ar/rendez-vous/confirmer/\S+/", mail.text()).group(0)
    page.goto(_path(link))
    assert _is_rtl(page)
    with page.expect_navigation():
        page.get_by_role("button", name="تأكيد").click()
    assert "موعدك مؤكَّد" in page.content()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert_accessible(page)
    screenshot(page, "flow-ar-phone-manage")
    confirmation = smtp_mail.to("leila.mansour@usager.test")[-1]
    assert confirmation.subject.strip().startswith("الموعد مؤكَّد")
    assert "الوثائق التي يجب إحضارها" in confirmation.text() and booking.token in (
        confirmation.text()
    )
    assert "Bonjour" not in confirmation.text()


@pytest.fixture
def flows(places):
    prefecture, service, procedure = places
    campaign = CampaignFactory(site=service.site, services=[service])
    EntryFactory(service=service, question="Comment renouveler mon titre de séjour ?")
    return prefecture, service, procedure, campaign


@pytest.mark.parametrize("language", LANGUAGES)
def test_key_pages_of_each_flow_are_accessible(page, flows, language):
    prefecture, service, procedure, campaign = flows
    slug = prefecture.slug
    pages = [
        f"/{language}/rendez-vous/prefecture/{slug}/",
        f"/{language}/rendez-vous/demarche/{procedure.pk}/",
        f"/{language}/prefectures/{slug}/nous-ecrire/",
        f"/{language}/avis/{slug}/",
        f"/{language}/s/{campaign.token}/{service.slug}/?canal=web",
        f"/{language}/borne/{campaign.token}/{service.slug}/",
        f"/{language}/faq/{slug}/",
    ]
    for path in pages:
        page.goto(path)
        html = page.locator("html")
        assert html.get_attribute("lang") == language, path
        assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), path
        assert_accessible(page)
    # The week and the details form, after accepting the terms.
    page.goto(f"/{language}/rendez-vous/demarche/{procedure.pk}/")
    page.locator("input[name=accept]").check(force=True)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"**/{language}/rendez-vous/demarche/*/creneaux/")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("a.appt-slot--free").first.click()
    assert_accessible(page)
    screenshot(page, f"flow-{language}-details")


@pytest.mark.parametrize("language", ["ar", "uk"])
def test_cancel_question_and_attendance_certificate_on_a_phone(phone_page, places, language):
    """The booking page's two later steps, on a phone: the question before cancelling (one
    tap cancelled) reached with the keyboard, and the attendance certificate offered once
    the desk has recorded the arrival; axe-core clean, right to left in Arabic."""
    page = phone_page
    _, _, procedure = places
    slot = procedure.slots.first()
    booking = BookingFactory(slot=slot, language=language)
    page.goto(f"/{language}/rendez-vous/gerer/{booking.token}/")
    page.locator(f"a[href$='/gerer/{booking.token}/annuler/confirmer/']").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/annuler/confirmer/")
    assert _is_rtl(page) == (language == "ar")
    assert_accessible(page)
    screenshot(page, f"appointments-cancel-question-{language}-phone")
    # "No, keep it": back, nothing changed.
    with page.expect_navigation():
        page.locator(f"main a[href$='/gerer/{booking.token}/']").click()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.ATTENDED, checked_in_at=timezone.now()
    )
    page.goto(f"/{language}/rendez-vous/gerer/{booking.token}/")
    link = page.locator(f"a[href$='/gerer/{booking.token}/attestation.pdf']")
    assert link.count() == 1
    assert_accessible(page)
    screenshot(page, f"appointments-attended-{language}-phone")
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
