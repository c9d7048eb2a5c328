"""Every tile and "à faire" item of the agents' home leads to a page the role may see
(issue 19, item 11), for every role."""

import re
from datetime import date
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from engagements.organisation.enums import RoleKind
from tests.committee.factories import CommitteeFactory, MeetingFactory, SeatFactory, at
from tests.correspondence.factories import MessageFactory
from tests.factories import RoleFactory
from tests.quality.factories import ActionFactory, PlanFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a class="fr-link" href="([^"]+)"|<h3 class="fr-tile__title"><a href="([^"]+)"')


def _user_for(kind, prefecture, site, service):
    if kind == RoleKind.NATIONAL_ADMIN:
        return RoleFactory(kind=kind, prefecture=None).user
    if kind == RoleKind.SITE_MANAGER:
        return RoleFactory(kind=kind, prefecture=prefecture, sites=[site]).user
    if kind == RoleKind.AGENT:
        return RoleFactory(kind=kind, prefecture=prefecture, services=[service]).user
    user = RoleFactory(kind=kind, prefecture=prefecture).user
    if kind == RoleKind.COMMITTEE_MEMBER:
        SeatFactory(committee=CommitteeFactory(prefecture=prefecture), user=user)
    return user


@pytest.mark.parametrize("kind", list(RoleKind))
@time_machine.travel("2026-03-16 10:00 +01:00", tick=False)
def test_every_home_tile_and_item_opens_for_the_role(kind, prefecture, site, service, client_for):
    # Enough records for the home items to show: a late message, an overdue action,
    # a meeting coming.
    MessageFactory(service=service, received_on=date(2026, 2, 2))
    ActionFactory(plan=PlanFactory(site=site), due_on=date(2026, 3, 1))
    MeetingFactory(
        committee=CommitteeFactory(prefecture=prefecture), starts_at=at(date(2026, 3, 20))
    )
    client = client_for(_user_for(kind, prefecture, site, service))
    home = client.get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    assert home.status_code == 200
    links = {a or b for a, b in LINK.findall(home.content.decode())}
    assert links or kind == RoleKind.COMMITTEE_MEMBER, kind
    refused = [(url, client.get(url.replace("&amp;", "&")).status_code) for url in sorted(links)]
    assert [(url, code) for url, code in refused if code != 200] == [], kind


SECTION = re.compile(r'<h2 class="fr-h4" id="section-\d+">([^<]+)</h2>(.*?)</section>', re.S)
TILE = re.compile(r'<h3 class="fr-tile__title"><a href="[^"]+">([^<]+)</a></h3>')


def test_home_tiles_are_grouped_by_app_as_the_menu(prefecture, site, client_for):
    """Thirty-odd tiles in one wall were hard to scan: the home shows them under their app's
    heading, in the menu's order, the links of no app last."""
    user = _user_for(RoleKind.QUALITY_LEAD, prefecture, site, None)
    home = client_for(user).get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    sections = {label: TILE.findall(body) for label, body in SECTION.findall(home.content.decode())}
    assert list(sections)[:3] == ["Courriers", "Rendez-vous", "Avis des usagers"]
    assert list(sections)[-1] == "Autres pages"
    assert sections["Courriers"] == ["Registre", "Modèles de réponse", "Chiffres des courriers"]
    assert sections["Autres pages"] == ["Organisation", "Imports"]
    assert "Tableau de bord" in sections["Indicateurs"]


def test_a_lone_visible_link_keeps_its_app_heading(prefecture, service, site, client_for):
    # An agent sees one page of the quality app: the menu shows it as a lone entry, the home
    # under its app's heading.
    user = _user_for(RoleKind.AGENT, prefecture, site, service)
    home = client_for(user).get(reverse("organisation:agents-prefecture", args=[prefecture.slug]))
    sections = {
        label: [unescape(tile) for tile in TILE.findall(body)]
        for label, body in SECTION.findall(home.content.decode())
    }
    assert sections["Qualité"] == ["Plans d'action"]
    assert "Membres et collèges" not in sum(sections.values(), [])
