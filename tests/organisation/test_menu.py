"""The agents' menu: one entry per app, grouped, filtered by capability, current page marked."""

from django.urls import reverse

from engagements.shell.pages import _menu


def test_links_of_an_app_form_one_group_in_order():
    links = [
        {"label": "Registre", "group": "Courriers", "url": "/agents/p/courriers/"},
        {"label": "Chiffres", "group": "Courriers", "url": "/agents/p/courriers/chiffres/"},
        {"label": "Vue", "group": "Rendez-vous", "url": "/agents/p/rendez-vous/"},
        {"label": "Organisation", "group": "", "url": "/agents/p/organisation/"},
    ]
    menu = _menu(links, "/agents/p/courriers/chiffres/")
    assert [entry["label"] for entry in menu] == ["Courriers", "Vue", "Organisation"]
    courriers = menu[0]
    assert [c["label"] for c in courriers["children"]] == ["Registre", "Chiffres"]
    assert [c["current"] for c in courriers["children"]] == [False, True]  # aria-current
    assert courriers["active"] is True
    assert menu[1]["children"] == [] and menu[1]["url"] == "/agents/p/rendez-vous/"
    assert menu[2]["active"] is False


def test_menu_shows_what_the_role_allows(client_for, agent, committee_member, prefecture):
    home = reverse("organisation:agents-prefecture", args=[prefecture.slug])
    agent_html = client_for(agent).get(home).content.decode()
    assert 'class="fr-nav__btn"' in agent_html and ">Courriers</button>" in agent_html
    assert "Accueil du jour" in agent_html
    member_html = client_for(committee_member).get(home).content.decode()
    assert "Accueil du jour" not in member_html  # needs the "work" capability
    assert "Modèles de réponse" in member_html  # committee members review templates


def _menu_urls(html: str) -> list[str]:
    import re

    return re.findall(r'class="fr-nav__link" href="([^"]*)"', html)


def test_menu_urls_follow_the_language_and_the_script_prefix(client_for, quality_lead, prefecture):
    """The menu's URLs are resolved once per language and script prefix: each request still
    gets those of its own prefix, in French (the agents' space has no other language),
    whatever the previous one asked."""
    from django.test.utils import override_script_prefix

    client = client_for(quality_lead)
    home = reverse("organisation:agents-prefecture", args=[prefecture.slug])
    french = _menu_urls(client.get(home).content.decode())
    assert len(french) > 10 and all(url.startswith("/agents/alpha/") for url in french)
    assert reverse("correspondence:agents-list", args=["alpha"]) in french
    # The agents' space is French only: its English address leads to the French page.
    assert client.get("/en" + home)["Location"] == home
    assert _menu_urls(client.get(home).content.decode()) == french
    with override_script_prefix("/qualite/"):
        prefixed = _menu_urls(client.get(home).content.decode())
    assert prefixed == ["/qualite" + url for url in french]
    assert _menu_urls(client.get(home).content.decode()) == french


def test_a_role_taken_away_leaves_the_menu_at_the_next_request(
    client_for, quality_lead, prefecture
):
    """Only URLs are remembered: the links a user may see are checked at each request."""
    from engagements.organisation.enums import RoleKind
    from engagements.organisation.models import Role

    client = client_for(quality_lead)
    home = reverse("organisation:agents-prefecture", args=[prefecture.slug])
    imports = reverse("organisation:agents-imports", args=[prefecture.slug])
    assert imports in _menu_urls(client.get(home).content.decode())
    Role.objects.filter(user=quality_lead).update(kind=RoleKind.AUDITOR)
    urls = _menu_urls(client.get(home).content.decode())
    assert urls and imports not in urls  # "import" is no longer his
