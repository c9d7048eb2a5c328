"""The action page's forms: a refused one comes back as typed, with its reason in French;
the progress is offered only where it can be typed."""

import pytest
from django.urls import reverse

from engagements.quality.models import ActionUpdate
from engagements.quality.services import (
    change_status,
    create_action,
    status_for_code,
)

pytestmark = pytest.mark.django_db


def _page(client, action):
    return client.get(reverse("quality:agents-action", args=[action.prefecture.slug, action.pk]))


def test_a_refused_progress_point_keeps_what_was_typed(prefecture, site, quality_lead, client_for):
    """The page redirected with the error in a banner: the point typed was lost."""
    action = create_action(prefecture, site=site, year=2026, title="Afficher les horaires")
    client = client_for(quality_lead)
    url = reverse("quality:agents-action-update", args=[prefecture.slug, action.pk])
    updates = ActionUpdate.objects.count()
    typed = "Devis des panneaux reçu, commande en cours."
    for data, reason in (
        ({"update-progress": "150"}, "inférieure ou égale à 100"),
        ({"update-on": "2099-01-01"}, "ne peut pas être daté dans le futur"),
    ):
        response = client.post(url, {"update-text": typed, **data})
        assert response.status_code == 400
        html = response.content.decode()
        assert reason in html and f"{typed}</textarea>" in html
    assert ActionUpdate.objects.count() == updates
    done = client.post(url, {"update-text": typed, "update-progress": "30"})
    assert done.status_code == 302


def test_the_progress_is_not_offered_where_it_cannot_be_typed(
    prefecture, site, quality_lead, client_for
):
    """An abandoned action, or a parent whose progress comes from its sub-actions, showed an
    « Avancement (%) » field that every value was refused in."""
    client = client_for(quality_lead)
    open_action = create_action(prefecture, site=site, year=2026, title="Ouverte")
    assert 'name="update-progress"' in _page(client, open_action).content.decode()

    abandoned = create_action(prefecture, site=site, year=2026, title="Abandonnée")
    change_status(abandoned, status_for_code(prefecture, "abandoned"), actor=quality_lead)
    html = _page(client, abandoned).content.decode()
    assert 'name="update-progress"' not in html
    assert "L&#x27;action est « Abandonnée » : son avancement est verrouillé." in html

    parent = create_action(prefecture, site=site, year=2026, title="Parent")
    create_action(prefecture, site=site, year=2026, title="Sous-action", parent=parent)
    html = _page(client, parent).content.decode()
    assert 'name="update-progress"' not in html
    assert "L&#x27;avancement de cette action vient de ses sous-actions." in html
    # A note is still written on either.
    url = reverse("quality:agents-action-update", args=[prefecture.slug, parent.pk])
    assert client.post(url, {"update-text": "Réunion de lancement"}).status_code == 302


SURVEY = "Enquête de satisfaction « Accueil 2026 »"
CHECK = "Contrôle mystère (appel mystère) du 08/10/2026"


@pytest.mark.parametrize(
    ("kind", "label", "shown"),
    [
        # The record's label already says the kind: said once.
        ("survey", SURVEY, SURVEY),
        ("mystery_check", CHECK, CHECK),
        # It does not: the kind, then the label.
        ("audit", "Piste de progrès — 1.3", "Audit ou autoévaluation — Piste de progrès — 1.3"),
        ("internal", "", "Initiative du service"),
    ],
)
def test_the_action_s_origin_says_its_kind_once(
    kind, label, shown, prefecture, site, quality_lead, client_for
):
    action = create_action(
        prefecture, site=site, year=2026, title="Afficher les horaires", source_kind=kind
    )
    action.source_label = label
    action.save(update_fields=["source_label"])
    html = " ".join(_page(client_for(quality_lead), action).content.decode().split())
    assert f"<dt>Origine</dt><dd>{shown}</dd>" in html.replace("&#x27;", "'")
