"""A proof's file opens from its assessment's page, for those who see that assessment: a
site manager does not download another site's proofs by their number."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from engagements.quality.models import CommitmentResult, Evidence, EvidenceVersion
from tests.quality.factories import AssessmentFactory, CommitmentFactory, ReferentialFactory


def _proof(prefecture, site, title: str) -> EvidenceVersion:
    evidence = Evidence.objects.create(prefecture=prefecture, site=site, title=title)
    version = EvidenceVersion(evidence=evidence, number=1)
    version.file.save(f"{title}.txt", ContentFile(title.encode()), save=True)
    return version


@pytest.fixture
def assessment(prefecture, site):
    referential = ReferentialFactory()
    assessment = AssessmentFactory(site=site, referential=referential)
    commitment = CommitmentFactory(module__referential=referential)
    CommitmentResult.objects.create(assessment=assessment, commitment=commitment)
    return assessment


def _file_url(prefecture, version) -> str:
    return reverse("quality:agents-evidence-file", args=[prefecture.slug, version.pk])


@pytest.mark.django_db
def test_a_site_manager_opens_his_sites_proofs_only(
    prefecture, site, other_site, assessment, site_manager, quality_lead, client_for
):
    own = _proof(prefecture, site, "affiche")
    foreign = _proof(prefecture, other_site, "registre")
    reused = _proof(prefecture, other_site, "charte")  # reused for his site's assessment
    whole = _proof(prefecture, None, "procedure")  # the prefecture's own
    assessment.results.get().evidence.add(own.evidence, reused.evidence)
    client = client_for(site_manager)
    for version in (own, reused, whole):
        response = client.get(_file_url(prefecture, version))
        assert response.status_code == 200, version.evidence.title
        assert b"".join(response.streaming_content) == version.evidence.title.encode()
    assert client.get(_file_url(prefecture, foreign)).status_code == 404
    # The référent qualité reads every site's proofs.
    assert client_for(quality_lead).get(_file_url(prefecture, foreign)).status_code == 200


@pytest.mark.django_db
def test_the_assessment_page_links_each_proof_file(
    prefecture, site, assessment, site_manager, client_for
):
    version = _proof(prefecture, site, "affiche")
    assessment.results.get().evidence.add(version.evidence)
    page = client_for(site_manager).get(
        reverse("quality:agents-assessment", args=[prefecture.slug, assessment.pk])
    )
    assert f'href="{_file_url(prefecture, version)}"' in page.content.decode()
