"""Notre démarche qualité (issue 23, item 2): the public page per prefecture (FR and EN)
with the scope per site and service, each labelled module's commitments as published (only
text marked public), the eight SP+ commitments, the labels with their dates and the links;
and the commitments poster (A4/A3), read back with pdftotext."""

import html
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from engagements import plain_language
from engagements.quality import approach
from engagements.quality.referential import ReferentialError, import_referential
from engagements.quality.service_scopes import set_service_scope
from tests.browser import SCREENSHOTS
from tests.factories import ServiceFactory, SiteFactory
from tests.quality.cycle_factories import LabelFactory
from tests.tooling import pdf_text, require_tool

pytestmark = pytest.mark.django_db
REFERENTIALS = Path(__file__).resolve().parents[2] / "engagements/quality/referentials"
LABELLING = """
code: label-test
name: "Référentiel de test"
version: "1"
modules:
  - number: 1
    title: "Relation générale"
    commitments:
      - ref: "1.1"
        title: "Nous vous disons comment nous joindre"
        description: "Horaires à jour partout."
        public: true
      - ref: "1.2"
        title: "Grille interne de contrôle des appels"
        description: "Texte de travail, jamais publié."
  - number: 2
    title: "Titres"
    commitments:
      - ref: "2.1"
        title: "Nous vous informons de l'avancement de votre titre"
        public: true
  - number: 3
    title: "Étrangers"
    commitments:
      - ref: "3.1"
        title: "Engagement d'un module sans label"
        public: true
"""


@pytest.fixture
def labelled(prefecture, site, service):
    import_referential(LABELLING)
    import_referential((REFERENTIALS / "services-publics-plus-2023.yaml").read_bytes())
    LabelFactory(site=site, module=1, obtained_on=date(2024, 1, 15), valid_until=date(2027, 1, 14))
    LabelFactory(
        site=site,
        module=2,
        label="sp_plus",
        obtained_on=date(2025, 6, 2),
        valid_until=date(2028, 6, 1),
    )
    LabelFactory(site=site, module=3, expired=True)  # an expired label is not shown
    titles = ServiceFactory(site=site, name="Centre d'expertise des titres")
    set_service_scope(prefecture, service, [1])
    set_service_scope(prefecture, titles, [1, 2])
    other = SiteFactory(prefecture=prefecture, name="Sous-préfecture de Bêta")
    return other


def test_public_flag_is_read_from_the_file_and_refuses_typos():
    referential, _ = import_referential(LABELLING)
    published = referential.modules.get(number=1).commitments.filter(is_public=True)
    assert list(published.values_list("ref", flat=True)) == ["1.1"]
    with pytest.raises(ReferentialError, match="true ou false"):
        import_referential(LABELLING.replace("public: true", 'public: "oui"', 1))


def test_the_shipped_files_mark_the_eight_sp_plus_commitments_public():
    referential, _ = import_referential(
        (REFERENTIALS / "services-publics-plus-2023.yaml").read_bytes()
    )
    assert [c.ref for c in approach.services_publics_plus()] == [f"SP+{n}" for n in range(1, 9)]
    assert referential.modules.get().commitments.filter(is_public=False).count() == 0


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_the_page_shows_scope_commitments_labels_and_links(
    prefecture, site, service, labelled, client, django_assert_num_queries
):
    url = reverse("quality:public-approach", args=[prefecture.slug])
    # The prefecture, its sites, their services, labels, scopes (naming their referential),
    # the services' scopes, the labelled modules with their public commitments, the SP+
    # commitments: nine queries (twelve before: the referential was read again after the
    # scopes, then the scopes again, and the SP+ version apart from its commitments).
    with django_assert_num_queries(9):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    # The labels with their dates; never an expired one.
    assert "Qual-e-pref" in page and "15 janvier 2024" in page and "14 janvier 2027" in page
    assert "Services Publics +" in page and "2 juin 2025" in page
    assert "2023" not in page.split('id="labels"')[1].split("</section>")[0]
    # The scope: modules per site and per service.
    assert "Centre d&#x27;expertise des titres" in page
    assert "Module 2 — Délivrance de titres (hors étrangers)" in page
    # Each labelled module's commitments, only the public text.
    assert "Nous vous disons comment nous joindre" in page and "Horaires à jour partout." in page
    assert "Nous vous informons de l&#x27;avancement de votre titre" in page
    assert "Grille interne" not in page and "jamais publié" not in page
    assert "Engagement d&#x27;un module sans label" not in page  # module 3's label expired
    # The eight SP+ commitments.
    for title in (
        "Respect mutuel et droit à l&#x27;erreur",
        "Limiter notre impact environnemental",
    ):
        assert title in page
    # Links to the results, the committee, "nous l'avons fait" and the posters.
    for name in ("indicators:public-results", "committee:public", "quality:public-done"):
        assert f'href="{reverse(name, args=[prefecture.slug])}"' in page
    for size in ("a4", "a3"):
        assert reverse("quality:public-approach-poster", args=[prefecture.slug, size]) in page
    # A site without label nor scope is not listed.
    assert "Sous-préfecture de Bêta" not in page
    # Reached from the public prefecture page.
    home = client.get(reverse("organisation:prefecture", args=[prefecture.slug])).content.decode()
    assert f'href="{url}"' in home


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_the_page_speaks_english_and_keeps_the_official_text_marked_french(
    prefecture, labelled, client
):
    page = client.get("/en" + reverse("quality:public-approach", args=[prefecture.slug]))
    text = page.content.decode()
    assert "Our quality approach" in text and "How we work" in text
    assert "Module 1 — General relations with users" in text
    assert '<ol class="eng-commitments" lang="fr">' in text
    assert "Nous vous disons comment nous joindre" in text


def test_an_unpublished_prefecture_has_no_page(prefecture, client):
    prefecture.is_published = False
    prefecture.save(update_fields=["is_published"])
    assert client.get(reverse("quality:public-approach", args=[prefecture.slug])).status_code == 404


@time_machine.travel(date(2026, 3, 2), tick=False)
@pytest.mark.parametrize("size", ["a4", "a3"])
def test_the_commitments_poster_reads_back(prefecture, labelled, client, size):
    pdfinfo = require_tool("pdfinfo", "poppler-utils")
    response = client.get(reverse("quality:public-approach-poster", args=[prefecture.slug, size]))
    assert response["Content-Type"] == "application/pdf"
    assert f"affiche-engagements-{prefecture.slug}-{size}.pdf" in response["Content-Disposition"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"quality-commitments-poster-{size}.pdf"
    path.write_bytes(response.content)
    info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True).stdout
    assert f"pts ({size.upper()})" in info
    assert "Pages:           1" in info  # one sheet on the wall
    text = " ".join(pdf_text(response.content).split())
    for expected in (
        "Nos engagements pour vous accueillir",
        prefecture.name,
        "Nous vous disons comment nous joindre",
        "Les huit engagements Services Publics +",
        "Respect mutuel et droit à l'erreur",
        "Limiter notre impact environnemental",
        "obtenu le 15/01/2024, valable jusqu'au 14/01/2027",
        "/demarche-qualite/",
    ):
        assert expected in text, expected
    assert "Grille interne" not in text
    assert (
        client.get(
            reverse("quality:public-approach-poster", args=[prefecture.slug, "a5"])
        ).status_code
        == 404
    )


@time_machine.travel(date(2026, 3, 2), tick=False)
def test_the_page_reads_plainly(prefecture, site, service, labelled, client):
    """Seed 004's "sans acronymes": the page's own words pass the plain-language checker
    (acronyms expanded at first use, no administrative jargon, sentences of 25 words at
    most), in French as the public reads it."""
    page = client.get(reverse("quality:public-approach", args=[prefecture.slug])).content
    main = re.search(r"<main.*?</main>", page.decode(), re.S).group(0)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", main))
    # One paragraph a line, as read: headings and list items end their sentence.
    text = "\n".join(
        line.strip() + ("" if line.strip()[-1:] in ".!?:" else ".")
        for line in text.splitlines()
        if line.strip()
    )
    report = plain_language.check(text, prefecture.plain_language_glossary)
    assert report.suggestions == []
