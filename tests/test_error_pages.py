import pytest

from tests.browser import assert_accessible


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "text"), [("/nulle-part/", "Page introuvable"), ("/en/nowhere/", "Page not found")]
)
def test_404_is_a_real_page_in_both_languages(client, settings, path, text):
    settings.DEBUG = False
    response = client.get(path)
    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.django_db
def test_403_explains_the_refusal(client_for, agent, prefecture, site, settings):
    settings.DEBUG = False
    response = client_for(agent).get(f"/agents/{prefecture.slug}/organisation/sites/{site.pk}/")
    assert response.status_code == 403
    assert "Votre rôle ne permet pas cette action." in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_404_page_is_accessible(page):
    page.goto("/en/nowhere/")
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert_accessible(page)
