"""Personas and shared fixtures (healthchecks' Alice/Bob/Charlie, our way).

- prefecture A: `site` with `service`, and `other_site` with `other_service`;
- `quality_lead`, `site_manager` (of `site`), `agent` (of `service`),
  `agent_other_site` (of `other_service`), `committee_member`, `auditor` in A;
- `outsider`: quality lead of another prefecture B; `national_admin`.
`client_for(user)` gives a logged-in test client.
"""

import pytest
from django.test import Client
from django.utils import translation

from engagements.organisation.enums import RoleKind
from tests.factories import PrefectureFactory, RoleFactory, ServiceFactory, SiteFactory

pytest_plugins = ["tests.browser", "tests.mail"]


@pytest.fixture(autouse=True)
def _default_language(monkeypatch):
    """Each test starts in French, and a test-client request leaves the test's language as
    it found it: the client runs the request in the test's thread, where LocaleMiddleware
    activates the page's language and never resets it, so after a request to an /en/ page
    `reverse()` would give English addresses for the rest of the test."""
    request = Client.request

    def request_in_own_language(self, **kwargs):
        language = translation.get_language()
        try:
            return request(self, **kwargs)
        finally:
            translation.activate(language)

    monkeypatch.setattr(Client, "request", request_in_own_language)
    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Files written by a test (attachments, evidence, quarantined mails) go to its own
    folder: nothing collides with an earlier run's files, nothing lands in var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def prefecture(db):
    return PrefectureFactory(slug="alpha", name="Préfecture d'Alpha")


@pytest.fixture
def token(prefecture):
    """A partner API token of `prefecture` (name "FS"), as `create_api_token` prints it; the
    process's token cache emptied first."""
    import io

    from django.core.management import call_command

    from engagements.appointments import tokens

    tokens.forget()
    out = io.StringIO()
    call_command("create_api_token", "--prefecture", prefecture.slug, "--name", "FS", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.fixture
def site(prefecture):
    return SiteFactory(prefecture=prefecture, slug="chef-lieu", name="Préfecture — Chef-Lieu")


@pytest.fixture
def service(site):
    return ServiceFactory(site=site, slug="sejour", name="Bureau du séjour")


@pytest.fixture
def other_site(prefecture):
    return SiteFactory(
        prefecture=prefecture, slug="sous-pref", sub_prefecture=True, name="Sous-préfecture du Nord"
    )


@pytest.fixture
def other_service(other_site):
    return ServiceFactory(site=other_site, slug="accueil", name="Accueil du Nord")


@pytest.fixture
def other_prefecture(db):
    return PrefectureFactory(slug="beta", name="Préfecture de Bêta")


@pytest.fixture
def other_prefecture_service(other_prefecture):
    site = SiteFactory(prefecture=other_prefecture, slug="beta-site")
    return ServiceFactory(site=site, slug="beta-service")


@pytest.fixture
def quality_lead(prefecture):
    return RoleFactory(
        kind=RoleKind.QUALITY_LEAD,
        prefecture=prefecture,
        user__first_name="Quentin",
        user__last_name="Qualité",
    ).user


@pytest.fixture
def site_manager(prefecture, site):
    return RoleFactory(kind=RoleKind.SITE_MANAGER, prefecture=prefecture, sites=[site]).user


@pytest.fixture
def agent(prefecture, service):
    return RoleFactory(
        kind=RoleKind.AGENT,
        prefecture=prefecture,
        services=[service],
        user__first_name="Agathe",
        user__last_name="Agent",
    ).user


@pytest.fixture
def agent_other_site(prefecture, other_service):
    return RoleFactory(kind=RoleKind.AGENT, prefecture=prefecture, services=[other_service]).user


@pytest.fixture
def committee_member(prefecture):
    return RoleFactory(kind=RoleKind.COMMITTEE_MEMBER, prefecture=prefecture).user


@pytest.fixture
def auditor(prefecture):
    return RoleFactory(kind=RoleKind.AUDITOR, prefecture=prefecture).user


@pytest.fixture
def outsider(other_prefecture):
    return RoleFactory(kind=RoleKind.QUALITY_LEAD, prefecture=other_prefecture).user


@pytest.fixture
def national_admin(db):
    return RoleFactory(kind=RoleKind.NATIONAL_ADMIN, prefecture=None).user


@pytest.fixture
def client_for(db):
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
