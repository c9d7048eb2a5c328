"""French counts take the singular for 0 and 1: never "1 réponses" nor "0 réponses"
(issue 19, item 12), in templates (`pluriel`) and in counted translations (ngettext)."""

import subprocess
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent / "engagements"


@pytest.mark.parametrize(("n", "expected"), [(0, "0 réponse"), (1, "1 réponse"), (2, "2 réponses")])
def test_the_pluriel_filter(n, expected):
    template = Template("{% load shell %}{{ n }} réponse{{ n|pluriel }}")
    assert template.render(Context({"n": n})) == expected


def test_no_template_uses_the_english_pluralize():
    found = subprocess.run(
        ["grep", "-rl", "|pluralize", str(ROOT), "--include=*.html", "--include=*.txt"],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert found == []


def test_counted_translations_take_the_french_singular_for_zero():
    with translation.override("fr"):
        assert (
            translation.ngettext(
                "%(counter)s réponse pour « %(query)s »",
                "%(counter)s réponses pour « %(query)s »",
                0,
            )
            == "%(counter)s réponse pour « %(query)s »"
        )
    with translation.override("en"):
        assert translation.ngettext(
            "%(counter)s réponse pour « %(query)s »", "%(counter)s réponses pour « %(query)s »", 0
        ).startswith("%(counter)s answers")


@pytest.mark.django_db
def test_the_faq_says_0_reponse(client, prefecture):
    html = client.get(reverse("faq:prefecture", args=[prefecture.slug]), {"q": "zzzz"})
    assert "0 réponse pour" in html.content.decode()
