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
