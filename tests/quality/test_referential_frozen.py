"""Issue 20 row 1: an evaluated commitment's wording is frozen; YAML read strictly."""

from datetime import date
from pathlib import Path

import pytest

from engagements.quality.enums import AssessmentKind, ResultValue
from engagements.quality.evidence import create_assessment, record_result
from engagements.quality.models import Commitment, Referential
from engagements.quality.referential import (
    ReferentialError,
    import_referential,
    parse_referential,
    set_site_scope,
)

pytestmark = pytest.mark.django_db

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "engagements/quality/referentials/qualepref-exemple.yaml"
).read_text()
OLD_TITLE = "Nous vous disons comment nous joindre et quand"


@pytest.fixture
def evaluated(site):
    ref, _ = import_referential(EXAMPLE)
    set_site_scope(site, ref, [1])
    assessment = create_assessment(
        site=site,
        referential=ref,
        kind=AssessmentKind.EXTERNAL_INITIAL,
        planned_on=date(2026, 5, 4),
    )
    result = assessment.results.get(commitment__ref="1.1")
    record_result(result, value=ResultValue.COMPLIANT)
    return assessment


def test_reimporting_the_same_version_cannot_reword_an_evaluated_commitment(evaluated):
    reworded = EXAMPLE.replace(OLD_TITLE, "Libellé réécrit après l'audit").replace(
        "L'accueil sait vers quel service diriger chaque demande.", "Autre description"
    )
    with pytest.raises(ReferentialError) as exc:
        import_referential(reworded)
    message = str(exc.value)
    assert "1.1" in message and "1.2" in message and "nouvelle version" in message
    assert Commitment.objects.get(ref="1.1", module__number=1).title == OLD_TITLE
    # The same file again, or one only rewording commitments nobody evaluated, still imports.
    import_referential(EXAMPLE)
    unevaluated = EXAMPLE.replace(
        "Nous rendons l'attente plus confortable", "L'attente est plus confortable"
    )
    set_site_scope(evaluated.site, evaluated.referential, [1])
    evaluated.results.exclude(commitment__ref__in=["1.1", "1.2"]).delete()
    import_referential(unevaluated)
    assert Commitment.objects.get(ref="1.4").title == "L'attente est plus confortable"


def test_a_new_version_may_carry_the_new_wording(evaluated):
    reworded = EXAMPLE.replace(OLD_TITLE, "Nouveau libellé").replace(
        'version: "2026-exemple"', 'version: "2027-exemple"'
    )
    new, created = import_referential(reworded)
    assert created and Commitment.objects.get(module__referential=new, ref="1.1").title == (
        "Nouveau libellé"
    )
    old = evaluated.referential
    assert Commitment.objects.get(module__referential=old, ref="1.1").title == OLD_TITLE


def test_a_duplicated_yaml_key_is_refused_with_its_line():
    doc = (
        "code: x\nname: y\nversion: '1'\n"
        "modules:\n"
        "  - number: 1\n"
        "    title: A\n"
        "    commitments:\n"
        "      - ref: '1'\n"
        "        title: Premier libellé\n"
        "        title: Second libellé\n"
    )
    with pytest.raises(ReferentialError, match=r"ligne 10 : la clé « title » est en double"):
        parse_referential(doc)
    with pytest.raises(ReferentialError, match="ligne 4 : la clé « code »"):
        parse_referential("code: x\nname: y\nversion: '1'\ncode: z\nmodules: []\n")


def test_version_and_refs_are_read_as_text():
    doc = parse_referential(
        "code: x\nname: y\nversion: 1.10\n"
        "modules: [{number: 1, title: A, commitments: [{ref: 1.10, title: B}]}]\n"
    )
    assert doc["version"] == "1.10"
    assert doc["modules"][0]["commitments"][0]["ref"] == "1.10"
    referential, _ = import_referential(
        "code: x\nname: y\nversion: 1.10\n"
        "modules: [{number: 1, title: A, commitments: [{ref: '1', title: B}]}]\n"
    )
    assert Referential.objects.get(pk=referential.pk).version == "1.10"


def test_the_admin_cannot_reword_commitments(evaluated, admin_client):
    from django.urls import reverse

    module = evaluated.referential.modules.get(number=1)
    page = admin_client.get(reverse("admin:quality_module_change", args=[module.pk]))
    assert page.status_code == 200
    assert 'name="commitments-0-title"' not in page.content.decode()
    assert OLD_TITLE in page.content.decode()
    assert 'name="commitments-TOTAL_FORMS"' in page.content.decode()
