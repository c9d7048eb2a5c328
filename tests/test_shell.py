"""The shell's hooks: lower pages render what upper apps registered, and nothing without them."""

from types import SimpleNamespace

import pytest

from engagements.shell import addresses, hooks


def test_every_declared_action_source_is_found_by_its_label():
    for label in [
        "correspondence.message",
        "correspondence.topic",
        "surveys.campaign",
        "surveys.question",
        "surveys.checkresult",
        "surveys.mysterycheck",
        "committee.decision",
        "committee.suggestion",
        "quality.finding",
        "quality.experience",
        "indicators.anything",
    ]:
        assert hooks.action_source(label) is not None, label
    assert hooks.action_source("organisation.site") is None


def test_hooks_without_providers_give_nothing(monkeypatch):
    monkeypatch.setattr(hooks, "_slots", {})
    monkeypatch.setattr(hooks, "_action_links", [])
    monkeypatch.setattr(hooks, "_linked_actions", [])
    monkeypatch.setattr(hooks, "_next_audit", [])
    monkeypatch.setattr(hooks, "_section_links", {})
    prefecture = SimpleNamespace(slug="alpha")
    assert hooks.page_slot("public-form-help", None, prefecture, fields="") == ""
    assert hooks.action_link(SimpleNamespace(prefecture=prefecture)) == ""
    assert hooks.linked_actions([SimpleNamespace(pk=1)]) == {}
    assert hooks.next_audit_date(prefecture) is None
    assert hooks.section_links("surveys", prefecture) == []


def test_the_earliest_registered_audit_wins(monkeypatch):
    from datetime import date

    monkeypatch.setattr(hooks, "_next_audit", [])
    hooks.register_next_audit(lambda p: date(2026, 6, 1))
    hooks.register_next_audit(lambda p: None)
    hooks.register_next_audit(lambda p: date(2026, 3, 1))
    assert hooks.next_audit_date(object()) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("key", "path"),
    [("agents_home", "/agents/"), ("agents_prefecture", "/agents/alpha/")],
)
def test_shell_addresses_are_served_by_the_registered_pages(key, path):
    request = SimpleNamespace(prefecture=SimpleNamespace(slug="alpha"))
    assert addresses.Addresses(request)[key] == path


def test_an_unregistered_address_is_empty():
    assert addresses.address("nowhere") == ""
    assert addresses.address("agents_prefecture") == ""  # needs a prefecture


@pytest.mark.parametrize("language", ["fr", "en", "uk"])
def test_reverse_plain_gives_what_reverse_gives(language):
    """The URL around a slug is remembered per name, language and script prefix: the same
    URL as reverse() in each language, under each prefix, with or without an argument."""
    from django.test.utils import override_script_prefix
    from django.urls import reverse
    from django.utils import translation

    names = ["correspondence:agents-list", "organisation:agents-prefecture"]
    for prefix in ["/", "/qualite/", "/"]:
        with override_script_prefix(prefix):
            with translation.override("fr"):
                french = {(n, s): reverse(n, args=[s]) for n in names for s in ["alpha", "b-2"]}
            with translation.override(language):
                for (name, slug), url in french.items():
                    assert addresses.reverse_plain(name, slug) == reverse(name, args=[slug])
                    assert addresses.reverse_plain(name, slug, language="fr") == url
                assert addresses.reverse_plain("organisation:agents-home") == reverse(
                    "organisation:agents-home"
                )


def test_reverse_plain_reverses_what_it_cannot_build_around():
    from django.urls import NoReverseMatch

    # An argument reverse quotes, one the pattern refuses, a name nobody serves.
    assert addresses.reverse_plain("surveys:invitation", "a b") == "/avis-rdv/a%20b/"
    with pytest.raises(NoReverseMatch):
        addresses.reverse_plain("organisation:agents-prefecture", "a/b")
    with pytest.raises(NoReverseMatch):
        addresses.reverse_plain("nowhere:nothing", "alpha")


def test_reverse_plain_follows_a_changed_url_conf(settings):
    import types

    from django.urls import include, path

    assert addresses.reverse_plain("organisation:agents-prefecture", "alpha") == "/agents/alpha/"
    elsewhere = types.ModuleType("elsewhere")
    patterns = [path("<slug:prefecture>/", lambda request: None, name="agents-prefecture")]
    elsewhere.urlpatterns = [path("ailleurs/", include((patterns, "organisation")))]
    settings.ROOT_URLCONF = elsewhere
    assert addresses.reverse_plain("organisation:agents-prefecture", "alpha") == "/ailleurs/alpha/"
