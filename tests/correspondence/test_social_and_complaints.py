"""Issue 23.5 (social networks as a channel) and 23.6 (a deadline for complaints as such)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from engagements.calendar.workdays import due_for
from engagements.correspondence import queries
from engagements.correspondence.models import Message, RegisterSettings
from engagements.correspondence.services import update_classification
from engagements.correspondence.services.imports import import_messages
from engagements.indicators import grouped
from engagements.indicators.periods import Period

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 3, 2)


@time_machine.travel(date(2026, 3, 4), tick=False)
def test_a_social_network_message_is_registered_with_its_account_and_deadline(
    prefecture, service, agent, client_for
):
    prefecture.deadline_social = 2
    prefecture.save()
    RegisterSettings.objects.create(
        prefecture=prefecture, social_accounts="Facebook — @prefet\nX — @prefet_alpha\n"
    )
    client = client_for(agent)
    url = reverse("correspondence:agents-new", args=[prefecture.slug])
    form = {
        "channel": "social",
        "service": service.pk,
        "kind": "complaint",
        "received_on": "2026-03-02",
        "sender_name": "Léa Martin",
        "subject": "Pas de réponse au téléphone",
    }
    page = client.post(url, form).content.decode()
    assert "Choisissez le compte qui a reçu le message." in page  # no way to answer needed
    assert 'value="Pas de réponse au téléphone"' in page  # what was typed is kept
    response = client.post(url, {**form, "social_account": "X — @prefet_alpha"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.channel, message.social_account) == ("social", "X — @prefet_alpha")
    assert (message.deadline_days, message.due_on) == (2, date(2026, 3, 4))
    detail = client.get(reverse("correspondence:agents-detail", args=[prefecture.slug, message.pk]))
    assert "Réseaux sociaux — X — @prefet_alpha" in detail.content.decode()


def test_social_network_messages_by_csv_are_counted_per_channel(prefecture, service):
    data = (
        "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason,"
        "social_account\n"
        f"R1,{service.site.slug},{service.slug},reseaux_sociaux,information,,2026-03-02,"
        "2026-03-05,,Facebook — @prefet\n"
        f"R2,{service.site.slug},{service.slug},reseaux_sociaux,reclamation,,2026-03-02,"
        "2026-03-20,,\n"
        f"R3,{service.site.slug},{service.slug},courriel,information,,2026-03-02,2026-03-03,,"
        "ignoré hors réseau social\n"
    )
    import_messages(prefecture, data)
    social = Message.objects.filter(channel="social").order_by("external_reference")
    assert [m.social_account for m in social] == ["Facebook — @prefet", ""]
    assert Message.objects.get(external_reference="R3").social_account == ""
    # The register re-imported from a file without the optional column keeps the accounts.
    without = "\n".join(line.rsplit(",", 1)[0] for line in data.strip().splitlines()) + "\n"
    assert import_messages(prefecture, without).unchanged == 3
    assert Message.objects.get(external_reference="R1").social_account == "Facebook — @prefet"
    by_channel = {
        row["key"]: row
        for row in queries.breakdown(
            queries.year_messages(prefecture, 2026), at=date(2026, 4, 30), by="channel"
        )
    }
    assert (by_channel["social"]["answered"], by_channel["social"]["on_time"]) == (2, 1)
    assert by_channel["social"]["rate_on_time"] == 50.0
    year = Period.parse("2026")
    values = grouped.compute_values(
        prefecture, [year], at=date(2026, 4, 30), structures=[(None, None)]
    )
    figure = values[(year, (None, None), "channel:social")]["correspondence_on_time_rate"]
    assert (figure.value, figure.numerator, figure.denominator) == (50.0, 1, 2)


def test_complaint_deadline_is_off_by_default(prefecture, site):
    assert prefecture.deadline_complaint is None
    for kind in ("complaint", "information", None):
        assert due_for(prefecture, site, "letter", MONDAY, kind=kind).deadline_days == 10
    assert "réclamations" not in queries.deadline_measured(prefecture)
    # Each channel in lower case, but the platform's name keeps its capitals.
    assert "courriel 5, courrier 10" in queries.deadline_measured(prefecture)
    assert "plateforme Services Publics + 5" in queries.deadline_measured(prefecture)


def test_a_complaint_is_due_on_the_earlier_of_its_channel_and_its_kind(
    prefecture, site, service, agent, quality_lead, client_for
):
    prefecture.deadline_complaint = 7
    prefecture.save()
    # Letter (10) complaint: 7 working days; e-mail (5) complaint: the channel's 5 stays.
    assert due_for(prefecture, site, "letter", MONDAY, kind="complaint").due_on == date(2026, 3, 11)
    assert due_for(prefecture, site, "email", MONDAY, kind="complaint").deadline_days == 5
    assert due_for(prefecture, site, "letter", MONDAY, kind="information").deadline_days == 10
    from engagements.correspondence.services import create_message

    message = create_message(
        prefecture,
        site=site,
        service=service,
        channel="letter",
        kind="complaint",
        received_on=MONDAY,
        sender_address="1 rue Haute",
        actor=agent,
    )
    assert (message.deadline_days, message.due_on) == (7, date(2026, 3, 11))
    # Reclassified as a request for information: the channel's deadline again, and back.
    message = update_classification(
        message, actor=agent, kind="information", topic=None, service=None
    )
    assert (message.deadline_days, message.due_on) == (10, date(2026, 3, 16))
    message = update_classification(
        message, actor=agent, kind="complaint", topic=None, service=None
    )
    message.refresh_from_db()
    assert message.deadline_days == 7
    # The figures say which deadline they measure.
    sentence = queries.deadline_measured(prefecture)
    assert "pour les réclamations, 7 jours ouvrés quel que soit le canal" in sentence
    page = client_for(quality_lead).get(
        reverse("correspondence:agents-figures", args=[prefecture.slug]), {"year": 2026}
    )
    assert "pour les réclamations, 7 jours ouvrés" in page.content.decode()


def test_the_prefecture_lists_its_social_network_accounts(prefecture, quality_lead, client_for):
    response = client_for(quality_lead).post(
        reverse("correspondence:agents-settings", args=[prefecture.slug]),
        {
            "retention_years": 2,
            "observation_days": 15,
            "duplicate_window": 10,
            "social_accounts": "Facebook — @prefet\n\n Instagram — @prefet_alpha \n",
        },
    )
    assert response.status_code == 302
    accounts = RegisterSettings.for_prefecture(prefecture).social_account_list
    assert accounts == ["Facebook — @prefet", "Instagram — @prefet_alpha"]
