"""The référent qualité runs the organisation from the agents' space, with history."""

from datetime import time

import pytest
from django.urls import reverse

from engagements.organisation.enums import HoursChannel, Indicator, RoleKind
from engagements.organisation.models import Closure, OpeningHours, Site
from tests.factories import RoleFactory


def url(name, prefecture, *args):
    return reverse(f"organisation:{name}", args=[prefecture.slug, *args])


def test_agent_home_shows_his_sites_and_services(
    client_for, agent, prefecture, service, other_service
):
    response = client_for(agent).get(url("agents-prefecture", prefecture))
    assert response.status_code == 200
    html = response.content.decode()
    assert service.name in html and other_service.name not in html


def test_agents_root_redirects_to_the_only_prefecture(client_for, agent, prefecture):
    response = client_for(agent).get(reverse("organisation:agents-home"))
    assert response.status_code == 302
    assert response["Location"] == url("agents-prefecture", prefecture)


def test_national_admins_start_page_leads_to_their_national_pages(
    client_for, national_admin, quality_lead, prefecture, other_prefecture
):
    """Their pages are outside any prefecture: the start page is where they find them."""
    overview = reverse("quality:national-labels")
    page = client_for(national_admin).get(reverse("organisation:agents-home"))
    html = page.content.decode()
    assert page.status_code == 200 and f'href="{overview}"' in html
    assert url("agents-prefecture", prefecture) in html
    assert url("agents-prefecture", other_prefecture) in html
    # Anybody else: no such link (the overview itself answers 404 to them).
    RoleFactory(kind=RoleKind.QUALITY_LEAD, prefecture=other_prefecture, user=quality_lead)
    other = client_for(quality_lead).get(reverse("organisation:agents-home"))
    assert other.status_code == 200 and overview not in other.content.decode()


def test_agent_can_read_but_not_change_the_organisation(client_for, agent, prefecture, site):
    client = client_for(agent)
    assert client.get(url("agents-settings", prefecture)).status_code == 200
    assert client.get(url("agents-edit-site", prefecture, site.pk)).status_code == 403
    response = client.post(url("agents-edit-site", prefecture, site.pk), {"name": "Piraté"})
    assert response.status_code == 403
    site.refresh_from_db()
    assert site.name != "Piraté"


def test_quality_lead_creates_a_site_and_history_says_who(client_for, quality_lead, prefecture):
    client = client_for(quality_lead)
    response = client.post(
        url("agents-new-site", prefecture),
        {
            "name": "Point France services de Vallon",
            "slug": "vallon",
            "kind": "partner_point",
            "street": "4 place du Marché",
            "postal_code": "96400",
            "city": "Vallon",
            "labelled_modules": ["1"],
            "position": "5",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = Site.objects.get(prefecture=prefecture, slug="vallon")
    assert created.labelled_modules == [1]
    record = created.history.get()
    assert record.history_user == quality_lead and record.history_type == "+"
    history_page = client.get(url("agents-history", prefecture)).content.decode()
    assert "Point France services de Vallon" in history_page
    assert "Quentin Qualité" in history_page


def test_the_organisation_history_is_the_staff_s_not_the_committee_s(
    client_for, committee_member, auditor, agent, quality_lead, prefecture, site
):
    """The history names the agents who changed what: the users' committee reads the
    organisation (sites, hours) but neither opens its history nor is offered the link."""
    client_for(quality_lead).post(
        url("agents-edit-site", prefecture, site.pk),
        {
            "name": "Sous-préfecture renommée",
            "slug": site.slug,
            "kind": site.kind,
            "street": "1 rue de la Paix",
            "postal_code": "96000",
            "city": "Lysville",
            "position": "1",
            "is_active": "on",
        },
    )
    assert site.history.filter(history_user=quality_lead).exists()
    history = url("agents-history", prefecture)
    member = client_for(committee_member)
    assert member.get(history).status_code == 403
    settings_page = member.get(url("agents-settings", prefecture))
    assert settings_page.status_code == 200
    assert history not in settings_page.content.decode()
    for allowed in (quality_lead, agent, auditor):
        page = client_for(allowed).get(history)
        assert page.status_code == 200
        assert "Quentin Qualité" in page.content.decode()
        settings_page = client_for(allowed).get(url("agents-settings", prefecture))
        assert history in settings_page.content.decode()


def test_invalid_site_keeps_what_was_typed(client_for, quality_lead, prefecture, site):
    response = client_for(quality_lead).post(
        url("agents-new-site", prefecture),
        {
            "name": "Nouveau site",
            "slug": site.slug,
            "kind": "prefecture",
            "street": "",
            "postal_code": "96000",
            "city": "Lysville",
            "position": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Nouveau site"' in html
    assert "Ce champ est obligatoire" in html
    assert 'aria-invalid="true"' in html
    assert not Site.objects.filter(name="Nouveau site").exists()


def test_hours_with_a_midday_break_and_validation(client_for, quality_lead, prefecture, site):
    client = client_for(quality_lead)
    hours_url = url("agents-edit-hours", prefecture, site.pk, HoursChannel.RECEPTION)
    data = {
        f"d{d}-{f}": ""
        for d in range(7)
        for f in ("opens_at", "closes_at", "reopens_at", "closes_again_at")
    }
    data.update(
        {
            "d0-opens_at": "08:45",
            "d0-closes_at": "12:00",
            "d0-reopens_at": "13:30",
            "d0-closes_again_at": "16:00",
            "d2-opens_at": "09:00",
            "d2-closes_at": "12:00",
        }
    )
    # Tuesday with a reopening but no afternoon closing: refused, nothing written.
    bad = {**data, "d1-opens_at": "09:00", "d1-closes_at": "12:00", "d1-reopens_at": "14:00"}
    response = client.post(hours_url, bad)
    assert response.status_code == 200
    assert "Mardi : indiquez la reprise et la fermeture" in response.content.decode()
    assert 'value="08:45"' in response.content.decode()
    assert not OpeningHours.objects.filter(site=site).exists()
    assert client.post(hours_url, data).status_code == 302
    rows = {h.weekday: h for h in OpeningHours.objects.filter(site=site)}
    assert set(rows) == {0, 2}
    assert rows[0].ranges == [(time(8, 45), time(12)), (time(13, 30), time(16))]
    assert rows[2].ranges == [(time(9), time(12))]
    # Closing Wednesday removes its row.
    data.update({"d2-opens_at": "", "d2-closes_at": ""})
    client.post(hours_url, data)
    assert set(OpeningHours.objects.filter(site=site).values_list("weekday", flat=True)) == {0}


def test_closures_add_refuse_duplicate_and_delete(client_for, quality_lead, prefecture, site):
    client = client_for(quality_lead)
    add = url("agents-add-closure", prefecture)
    client.post(add, {"date": "2030-05-10", "label": "Pont", "site": ""})
    response = client.post(add, {"date": "2030-05-10", "label": "Encore", "site": ""}, follow=True)
    assert "Une fermeture existe déjà" in response.content.decode()
    client.post(add, {"date": "2030-05-10", "label": "Travaux", "site": site.pk})
    assert Closure.objects.filter(prefecture=prefecture).count() == 2
    closure = Closure.objects.get(site__isnull=True)
    client.post(url("agents-delete-closure", prefecture, closure.pk))
    assert list(Closure.objects.values_list("label", flat=True)) == ["Travaux"]
    assert Closure.history.filter(history_type="-", label="Pont").exists()


def test_targets_and_deadlines(client_for, quality_lead, prefecture):
    client = client_for(quality_lead)
    # Indicators without a default target (issue 19, item 8) are left blank: no target.
    targets = {ind.value: prefecture.target_for(2027, ind) for ind in Indicator}
    form = {code: "" if value is None else str(value) for code, value in targets.items()}
    form[Indicator.CORRESPONDENCE_RATE] = "80"
    assert client.post(url("agents-edit-targets", prefecture, 2027), form).status_code == 302
    assert prefecture.target_for(2027, Indicator.CORRESPONDENCE_RATE) == 80
    assert prefecture.target_for(2026, Indicator.CORRESPONDENCE_RATE) == 75  # default
    response = client.post(
        url("agents-edit-prefecture", prefecture),
        {
            "name": prefecture.name,
            "street": prefecture.street,
            "postal_code": prefecture.postal_code,
            "city": prefecture.city,
            "phone": prefecture.phone,
            "email": prefecture.email,
            "website": prefecture.website,
            "holiday_subdivision": "57",
            "deadline_email": "5",
            "deadline_letter": "15",
            "deadline_box": "10",
            "deadline_web_form": "5",
            "deadline_sp_plus": "5",
        },
    )
    assert response.status_code == 302
    prefecture.refresh_from_db()
    assert prefecture.deadline_for("letter") == 15 and prefecture.holiday_subdivision == "57"
    change = prefecture.history.first()
    assert change.history_user == quality_lead
    page = client.get(url("agents-edit-prefecture", prefecture)).content.decode()
    assert "Historique des modifications" in page and "Quentin Qualité" in page
    assert "délai courrier (jours ouvrés) : 10 → 15" in page
    bad = client.post(url("agents-edit-prefecture", prefecture), {"deadline_email": "0"})
    assert bad.status_code == 200


@pytest.mark.django_db
def test_password_login_can_be_switched_off(client, settings, agent):
    settings.PASSWORD_LOGIN_ENABLED = False
    response = client.post(
        reverse("organisation:agents-login"),
        {"username": agent.username, "password": "secret-password"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_settings_page_query_count(
    client_for, quality_lead, prefecture, django_assert_max_num_queries
):
    from tests.factories import ServiceFactory, SiteFactory

    client = client_for(quality_lead)
    SiteFactory(prefecture=prefecture, with_hours=True)
    client.get(url("agents-settings", prefecture))  # warm the session
    with django_assert_max_num_queries(12) as one_site:
        assert client.get(url("agents-settings", prefecture)).status_code == 200
    for _ in range(6):
        site = SiteFactory(prefecture=prefecture, with_hours=True)
        ServiceFactory.create_batch(3, site=site)
    with django_assert_max_num_queries(len(one_site.captured_queries)):
        assert client.get(url("agents-settings", prefecture)).status_code == 200


def test_telephone_platforms_with_their_own_hours(client_for, quality_lead, prefecture, site):
    from engagements.organisation.models import PlatformHours, TelephonePlatform

    client = client_for(quality_lead)
    form = {"kind": "foreigners", "name": "Ligne des étrangers", "slug": "etrangers"}
    refused = client.post(url("agents-new-platform", prefecture, site.pk), form)
    assert refused.status_code == 200 and not TelephonePlatform.objects.exists()  # no queue
    assert 'value="Ligne des étrangers"' in refused.content.decode()
    response = client.post(
        url("agents-new-platform", prefecture, site.pk),
        {**form, "queue": "etrangers", "position": 0},
    )
    assert response.status_code == 302
    platform = TelephonePlatform.objects.get()
    assert (platform.site, platform.queue) == (site, "etrangers")
    hours = {
        f"d{d}-{f}": ""
        for d in range(7)
        for f in ("opens_at", "closes_at", "reopens_at", "closes_again_at")
    }
    hours.update({"d1-opens_at": "14:00", "d1-closes_at": "16:00"})
    assert (
        client.post(url("agents-platform-hours", prefecture, platform.pk), hours).status_code == 302
    )
    row = PlatformHours.objects.get()
    assert (row.weekday, row.ranges) == (1, [(time(14), time(16))])
    assert not OpeningHours.objects.exists()  # the site's own hours are untouched
    page = client.get(url("agents-settings", prefecture)).content.decode()
    assert "Ligne des étrangers" in page and "Mardi 14:00–16:00" in page
