"""Contracts of issue 22 checked from outside: import_labels / labels_report,
import_assessment_results / assessment_report, import_trainings / training_report.

Every expected figure below is computed by hand in the comments."""

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from engagements.quality.diagnostic import rate
from engagements.quality.models import Assessment, CriterionResult, Label, TrainingSession
from tests.factories import ServiceFactory, SiteFactory
from tests.quality.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

REFERENTIALS = Path(__file__).resolve().parents[2] / "engagements/quality/referentials"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write(tmp_path, name: str, body: str, encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return str(path)


# --- Labels ---------------------------------------------------------------------------------

LABELS = (
    "site;module;label;obtained_on;valid_until;audit_body;last_audit_on;next_audit_on\n"
    # chef-lieu, module 1: Qual-e-pref expired on 09/01/2026, renewed as SP+ on 05/01/2026.
    "chef-lieu;1;qualepref;10/01/2023;09/01/2026;AFNOR Certification;05/01/2023;\n"
    "chef-lieu;1;sp_plus;05/01/2026;04/01/2029;Bureau Veritas;15/12/2025;01/12/2027\n"
    # module 2: ends 20/12/2026, 173 days after 30/06/2026 (1+31+31+30+31+30+19) → expiring.
    "chef-lieu;2;qualepref;2023-09-01;2026-12-20;AFNOR Certification;;\n"
    # module 3: ends 27/12/2026, exactly 180 days after 30/06/2026 → expiring.
    "chef-lieu;3;qualipref2;2023-12-28;2026-12-27;;;\n"
    # module 4: ends 28/12/2026, 181 days → valid.
    "chef-lieu;4;qualipref2;2023-12-29;2026-12-28;;;2026-11-15\n"
    # sous-pref, module 1: Marianne expired in 2023; a renewal obtained after --at is ignored.
    "sous-pref;1;marianne;2020-01-01;2023-01-01;;;\n"
    "sous-pref;1;qualepref;2026-09-01;2029-08-31;;;\n"
)


@pytest.fixture
def labelled(prefecture, site, other_site, tmp_path):
    SiteFactory(prefecture=prefecture, slug="maison-etat", name="Maison de l'État")
    SiteFactory(prefecture=prefecture, slug="ferme", name="Site fermé", is_active=False)
    out = run("import_labels", "--prefecture", "alpha", write(tmp_path, "l.csv", LABELS, "cp1252"))
    assert "créés : 7" in out
    return tmp_path


def labels_report(at: str) -> dict:
    return json.loads(run("labels_report", "--prefecture", "alpha", "--at", at, "--format", "json"))


def test_labels_report_gives_each_site_and_module_its_latest_label_with_its_status(labelled):
    report = labels_report("2026-06-30")
    assert report["at"] == "2026-06-30"
    assert report["sites"] == [
        {
            "site": "chef-lieu",
            "modules": [
                {
                    "module": 1,
                    "label": "sp_plus",
                    "obtained_on": "2026-01-05",
                    "valid_until": "2029-01-04",
                    "status": "valid",
                    "next_audit_on": "2027-12-01",
                },
                {
                    "module": 2,
                    "label": "qualepref",
                    "obtained_on": "2023-09-01",
                    "valid_until": "2026-12-20",
                    "status": "expiring",
                    "next_audit_on": None,
                },
                {
                    "module": 3,
                    "label": "qualipref2",
                    "obtained_on": "2023-12-28",
                    "valid_until": "2026-12-27",
                    "status": "expiring",
                    "next_audit_on": None,
                },
                {
                    "module": 4,
                    "label": "qualipref2",
                    "obtained_on": "2023-12-29",
                    "valid_until": "2026-12-28",
                    "status": "valid",
                    "next_audit_on": "2026-11-15",
                },
            ],
        },
        {
            "site": "sous-pref",
            "modules": [
                {
                    "module": 1,
                    "label": "marianne",
                    "obtained_on": "2020-01-01",
                    "valid_until": "2023-01-01",
                    "status": "expired",
                    "next_audit_on": None,
                }
            ],
        },
    ]
    # Pairs: valid m1 + m4, expiring m2 + m3, expired sous-pref m1. Without a valid or
    # expiring module-1 label: sous-pref, maison-etat and the closed site ("the prefecture's
    # sites": every one).
    assert report["counts"] == {"valid": 2, "expiring": 2, "expired": 1, "unlabelled_sites": 3}


def test_labels_report_on_a_label_s_last_day_and_the_day_after(labelled):
    # On 2026-12-20 module 2 is expiring (0 days left); on 2026-12-21 it is expired.
    on_last_day = labels_report("2026-12-20")["sites"][0]["modules"][1]
    assert (on_last_day["module"], on_last_day["status"]) == (2, "expiring")
    after = labels_report("2026-12-21")["sites"][0]["modules"][1]
    assert (after["module"], after["status"]) == (2, "expired")
    # Once the renewal of 2026-09-01 counts, sous-pref is labelled on module 1 again.
    later = labels_report("2026-09-01")
    assert later["sites"][1]["modules"][0]["label"] == "qualepref"
    assert later["counts"]["unlabelled_sites"] == 2


def test_labels_report_before_any_label_lists_no_site(labelled):
    report = labels_report("2019-12-31")
    assert report["sites"] == []
    assert report["counts"] == {"valid": 0, "expiring": 0, "expired": 0, "unlabelled_sites": 4}


def test_reimporting_labels_changes_nothing_and_a_renewal_is_a_new_row(labelled):
    before = list(Label.objects.order_by("pk").values())
    out = run("import_labels", "--prefecture", "alpha", str(labelled / "l.csv"))
    assert "créés : 0, corrigés : 0, inchangés : 7" in out
    assert list(Label.objects.order_by("pk").values()) == before
    renewal = (
        "site,module,label,obtained_on,valid_until,audit_body,last_audit_on,next_audit_on\n"
        "chef-lieu,2,sp_plus,15/11/2026,14/11/2029,AFNOR Certification,01/11/2026,\n"
    )
    run("import_labels", "--prefecture", "alpha", write(labelled, "r.csv", renewal))
    assert Label.objects.filter(site__slug="chef-lieu", module=2).count() == 2
    assert labels_report("2026-12-01")["sites"][0]["modules"][1]["label"] == "sp_plus"


def test_a_labels_file_without_the_audit_columns_keeps_the_audits(labelled):
    """Re-imported from a file with the five required columns only, every label lost its
    certification body and its audits (the next audit's date drives the renewal alert)."""
    short = "site;module;label;obtained_on;valid_until\nchef-lieu;1;sp_plus;05/01/2026;04/01/2030\n"
    out = run("import_labels", "--prefecture", "alpha", write(labelled, "s.csv", short))
    assert "corrigés : 1" in out
    label = Label.objects.get(site__slug="chef-lieu", module=1, label="sp_plus")
    assert (label.valid_until, label.audit_body, label.next_audit_on) == (
        date(2030, 1, 4),
        "Bureau Veritas",
        date(2027, 12, 1),
    )


def test_import_labels_names_the_lines_and_writes_nothing(prefecture, site, tmp_path):
    body = (
        "site,module,label,obtained_on,valid_until\n"
        "chef-lieu,1,qualepref,2024-01-15,2027-01-14\n"
        "nowhere,9,gold,2024-13-01,2027-01-14\n"
        "chef-lieu,2,qualepref,2024-01-15,2023-01-14\n"
        "chef-lieu,1,qualepref,15/01/2024,2027-01-15\n"
    )
    with pytest.raises(CommandError) as error:
        run("import_labels", "--prefecture", "alpha", write(tmp_path, "bad.csv", body))
    text = str(error.value)
    for expected in (
        "ligne 3, colonne « site »",
        "ligne 3, colonne « module »",
        "ligne 3, colonne « label »",
        "ligne 3, colonne « obtained_on »",
        "ligne 4, colonne « valid_until »",
        "ligne 5 : même site, module, label et date d'obtention que la ligne 2",
    ):
        assert expected in text
    assert not Label.objects.exists()


def test_import_labels_refuses_a_site_of_another_prefecture(
    prefecture, site, other_prefecture_service, tmp_path
):
    body = (
        "site,module,label,obtained_on,valid_until\nbeta-site,1,qualepref,2024-01-15,2027-01-14\n"
    )
    with pytest.raises(CommandError, match="ligne 2, colonne « site »"):
        run("import_labels", "--prefecture", "alpha", write(tmp_path, "x.csv", body))
    assert not Label.objects.exists()


# --- Self-assessment per criterion ------------------------------------------------------------

RESULTS = (
    "site,commitment,criterion,result\n"
    # chef-lieu: SP+1 → 1, 0.5 (sans objet left out); SP+4 → 0, 0.5.
    "chef-lieu,SP+1,Accueil courtois,oui\n"
    "chef-lieu,SP+1,Droit à l'erreur expliqué,partiel\n"
    "chef-lieu,SP+1,Charte affichée en langue étrangère,sans_objet\n"
    "chef-lieu,SP+4,Accusé de réception sous 7 jours,non\n"
    "chef-lieu,SP+4,Délai annoncé,partiel\n"
    # sous-pref: SP+1 → 0; SP+4 → 1, 1, 1, 0; SP+6 has no scored criterion (absent).
    "sous-pref,SP+1,Accueil courtois,non\n"
    "sous-pref,SP+4,Accusé de réception sous 7 jours,oui\n"
    "sous-pref,SP+4,Délai annoncé,oui\n"
    "sous-pref,SP+4,État du dossier donné,oui\n"
    "sous-pref,SP+4,Courrier sous 15 jours,non\n"
    "sous-pref,SP+6,Affiche des résultats,Sans objet\n"
)


@pytest.fixture
def sp_plus(db):
    run("import_referential", str(REFERENTIALS / "services-publics-plus-2023.yaml"))
    return "services-publics-plus"


def assessment_report(year=2026) -> dict:
    return json.loads(
        run(
            "assessment_report",
            "--prefecture",
            "alpha",
            "--referential",
            "services-publics-plus",
            "--year",
            str(year),
            "--format",
            "json",
        )  # fmt: skip
    )


def import_results(path, year=2026) -> str:
    return run(
        "import_assessment_results", "--prefecture", "alpha", "--referential",
        "services-publics-plus", "--year", str(year), path,
    )  # fmt: skip


def test_assessment_report_scores_each_commitment_site_and_the_whole(
    sp_plus, site, other_site, tmp_path
):
    import_results(write(tmp_path, "r.csv", RESULTS))
    report = assessment_report()
    # SP+1: 1 + 0.5 + 0 over 3 = 50.0; SP+4: 0 + 0.5 + 1 + 1 + 1 + 0 = 3.5 over 6 = 58.3.
    assert report["by_commitment"] == {"SP+1": 50.0, "SP+4": 58.3}
    # chef-lieu: 2 over 4 = 50.0; sous-pref: 3 over 5 = 60.0.
    assert report["by_site"] == {"chef-lieu": 50.0, "sous-pref": 60.0}
    # Over every scored criterion: 5 over 9 = 55.56 → 55.6 (the mean of the sites' rates
    # would be 55.0).
    assert report["average"] == 55.6
    assert list(report) == ["average", "by_commitment", "by_site"]


def test_rates_round_half_up(sp_plus, site, tmp_path):
    # 9 "oui" and 7 "non": 100 × 9 / 16 = 56.25 → 56.3 (round() would give 56.2).
    lines = [f"chef-lieu,SP+2,Critère {n},{'oui' if n < 9 else 'non'}" for n in range(16)]
    import_results(
        write(tmp_path, "r.csv", "site,commitment,criterion,result\n" + "\n".join(lines))
    )
    assert assessment_report() == {
        "average": 56.3,
        "by_commitment": {"SP+2": 56.3},
        "by_site": {"chef-lieu": 56.3},
    }
    assert rate([]) is None


def test_reimport_replaces_that_year_s_assessment_and_the_same_file_changes_nothing(
    sp_plus, site, other_site, tmp_path
):
    path = write(tmp_path, "r.csv", RESULTS)
    import_results(path)
    before = list(CriterionResult.objects.order_by("pk").values())
    assert "créées : 0 ; critères créés : 0, modifiés : 0, retirés : 0" in import_results(path)
    assert list(CriterionResult.objects.order_by("pk").values()) == before
    assert Assessment.objects.count() == 2
    # A new file for chef-lieu only replaces its criteria; sous-pref keeps its own.
    again = "site,commitment,criterion,result\nchef-lieu,SP+1,Accueil courtois,non\n"
    out = import_results(write(tmp_path, "again.csv", again))
    assert "modifiés : 1, retirés : 4" in out
    report = assessment_report()
    # chef-lieu: 0 over 1; sous-pref unchanged: 3 over 5; whole: 3 over 6 = 50.0.
    assert report["by_site"] == {"chef-lieu": 0.0, "sous-pref": 60.0}
    assert report["average"] == 50.0
    # Another year is another assessment, kept apart.
    import_results(path, year=2025)
    assert assessment_report(2025)["average"] == 55.6
    assert assessment_report()["average"] == 50.0
    assert assessment_report(2024) == {"average": None, "by_commitment": {}, "by_site": {}}


def test_a_per_commitment_self_assessment_is_scored_as_well(sp_plus, site):
    from engagements.quality.models import Commitment, CommitmentResult, Referential

    referential = Referential.objects.get(code=sp_plus)
    assessment = AssessmentFactory(
        site=site, referential=referential, kind="self_evaluation", planned_on="2026-04-01"
    )
    # An external audit of the same year is not a self-assessment: not counted.
    audit = AssessmentFactory(site=site, referential=referential, planned_on="2026-05-01")
    CommitmentResult.objects.create(
        assessment=audit,
        commitment=Commitment.objects.get(module__referential=referential, ref="SP+1"),
        result="not_compliant",
    )
    for ref, result in [("SP+1", "compliant"), ("SP+2", "partly"), ("SP+3", "not_applicable")]:
        CommitmentResult.objects.create(
            assessment=assessment,
            commitment=Commitment.objects.get(module__referential=referential, ref=ref),
            result=result,
        )
    # 1 and 0.5 over 2 = 75.0.
    assert assessment_report() == {
        "average": 75.0,
        "by_commitment": {"SP+1": 100.0, "SP+2": 50.0},
        "by_site": {"chef-lieu": 75.0},
    }


def test_import_assessment_results_names_the_lines_and_writes_nothing(sp_plus, site, tmp_path):
    body = (
        "site,commitment,criterion,result\n"
        "chef-lieu,SP+1,Accueil courtois,oui\n"
        "chef-lieu,SP+9,Accueil courtois,peut-être\n"
        "chef-lieu,SP+1,accueil courtois,non\n"
    )
    with pytest.raises(CommandError) as error:
        import_results(write(tmp_path, "bad.csv", body))
    text = str(error.value)
    assert "ligne 3, colonne « commitment »" in text
    assert "ligne 3, colonne « result »" in text
    assert "ligne 4, colonne « criterion » : critère déjà présent ligne 2" in text
    assert not Assessment.objects.exists() and not CriterionResult.objects.exists()
    with pytest.raises(CommandError, match="inconnu"):
        run(
            "import_assessment_results", "--prefecture", "alpha", "--referential", "nope",
            "--year", "2026", write(tmp_path, "ok.csv", RESULTS),
        )  # fmt: skip


# --- Trainings -------------------------------------------------------------------------------

TRAININGS = (
    "date;site;service;topic;title;hours;participants\n"
    # 3.5 h × 12 = 42.0 trainee hours
    "10/03/2026;chef-lieu;sejour;accueil;Accueil des usagers;3,5;12\n"
    # 1.25 h × 1 = 1.25
    "02/05/2026;chef-lieu;sejour;fraude;Fraude documentaire;1.25;1\n"
    # 2 h × 1 = 2
    "2026-02-01;sous-pref;accueil;handicap;Accueillir un usager sourd;2;1\n"
    # 2025: not counted in 2026, and naturalisation has no session in 2026.
    "2025-11-20;sous-pref;naturalisation;accueil;Accueil des usagers;3;4\n"
)


@pytest.fixture
def trained(service, other_service, tmp_path):
    ServiceFactory(site=service.site, slug="titres", name="Centre d'expertise des titres")
    ServiceFactory(
        site=other_service.site, slug="naturalisation", name="Bureau des naturalisations"
    )
    ServiceFactory(site=service.site, slug="ancien", name="Ancien bureau", is_active=False)
    path = write(tmp_path, "t.csv", TRAININGS, "cp1252")
    assert "créées : 4" in run("import_trainings", "--prefecture", "alpha", path)
    return path


def training_report(year=2026) -> dict:
    return json.loads(
        run("training_report", "--prefecture", "alpha", "--year", str(year), "--format", "json")
    )


def test_training_report_totals_per_year_and_topic(trained):
    assert training_report() == {
        "sessions": 3,
        "participants": 14,
        # 42 + 1.25 + 2 = 45.25 → 45.3 (half up; round() would give 45.2)
        "trainee_hours": 45.3,
        "by_topic": {
            "accueil": {"sessions": 1, "participants": 12, "trainee_hours": 42.0},
            "handicap": {"sessions": 1, "participants": 1, "trainee_hours": 2.0},
            # 1.25 → 1.3
            "fraude": {"sessions": 1, "participants": 1, "trainee_hours": 1.3},
        },
        # Every service of the prefecture, the inactive one too, sorted.
        "services_without": ["chef-lieu/ancien", "chef-lieu/titres", "sous-pref/naturalisation"],
    }
    assert training_report(2025)["trainee_hours"] == 12.0  # 3 h × 4


def test_reimporting_trainings_changes_nothing(trained):
    before = list(TrainingSession.objects.order_by("pk").values())
    assert "créées : 0, déjà enregistrées : 4" in run(
        "import_trainings", "--prefecture", "alpha", trained
    )
    assert list(TrainingSession.objects.order_by("pk").values()) == before


def test_import_trainings_reads_site_and_service_in_any_case_and_accents(service, tmp_path):
    """ "SÉJOUR" was no service of the site (slugs compared in lower case only)."""
    body = (
        "date;site;service;topic;title;hours;participants\n"
        "2026-03-10;Chef-Lieu;SÉJOUR;accueil;Accueil;3,5;12\n"
        "2026-03-11;chef-lieu;etrangers;accueil;Accueil;3,5;12\n"
    )
    with pytest.raises(CommandError) as error:
        run("import_trainings", "--prefecture", "alpha", write(tmp_path, "bad.csv", body))
    assert str(error.value).splitlines()[1:] == [
        "ligne 3, colonne « service » : le site chef-lieu n'a pas de service « etrangers » ; "
        "valeurs possibles : sejour"
    ]
    run(
        "import_trainings",
        "--prefecture",
        "alpha",
        write(tmp_path, "ok.csv", body.rsplit("2026-03-11", 1)[0]),
    )
    assert TrainingSession.objects.get().service == service


def test_import_trainings_names_the_lines_and_writes_nothing(service, other_service, tmp_path):
    body = (
        "date,site,service,topic,title,hours,participants\n"
        "2026-03-10,chef-lieu,sejour,accueil,Accueil,3.5,12\n"
        "2026-03-10,chef-lieu,accueil,cuisine,Accueil,0,0\n"
        "2026-03-11,chef-lieu,sejour,accueil,,1.255,2\n"
    )
    with pytest.raises(CommandError) as error:
        run("import_trainings", "--prefecture", "alpha", write(tmp_path, "bad.csv", body))
    text = str(error.value)
    for expected in (
        "ligne 3, colonne « service » : le site chef-lieu n'a pas de service « accueil »",
        "ligne 3, colonne « topic »",
        "ligne 3, colonne « hours »",
        "ligne 3, colonne « participants »",
        "ligne 4, colonne « title »",
        "ligne 4, colonne « hours » : deux décimales au plus",
    ):
        assert expected in text
    assert not TrainingSession.objects.exists()


def test_the_same_training_twice_the_same_day_is_two_sessions_and_reimport_adds_none(
    service, tmp_path
):
    body = (
        "date,site,service,topic,title,hours,participants\n"
        "2026-03-10,chef-lieu,sejour,accueil,Accueil,3,8\n"  # morning group
        "2026-03-10,chef-lieu,sejour,accueil,Accueil,3,8\n"  # afternoon group
    )
    path = write(tmp_path, "t.csv", body)
    assert "créées : 2" in run("import_trainings", "--prefecture", "alpha", path)
    assert "créées : 0, déjà enregistrées : 2" in run(
        "import_trainings", "--prefecture", "alpha", path
    )
    # 2 × 3 h × 8 = 48 trainee hours
    assert training_report()["trainee_hours"] == 48.0
    # A third group the same day, in a later file: added once, however often imported.
    third = write(tmp_path, "t3.csv", body + "2026-03-10,chef-lieu,sejour,accueil,Accueil,3,8\n")
    assert "créées : 1" in run("import_trainings", "--prefecture", "alpha", third)
    assert "créées : 0" in run("import_trainings", "--prefecture", "alpha", third)
    assert TrainingSession.objects.count() == 3


def test_the_same_label_or_criterion_twice_is_refused_naming_both_lines(sp_plus, site):
    from engagements.csvio import CsvImportError
    from engagements.quality.diagnostic import import_assessment_results
    from engagements.quality.labels import import_labels

    line = "chef-lieu,1,qualepref,2024-01-15,2027-01-14,AFNOR,,\n"
    body = "site,module,label,obtained_on,valid_until,audit_body,last_audit_on,next_audit_on\n"
    with pytest.raises(CsvImportError) as refused:
        import_labels(site.prefecture, (body + line + line).encode())
    assert "ligne 2" in str(refused.value.lines) and "ligne 3" in str(refused.value.lines)
    assert Label.objects.count() == 0
    results = "site,commitment,criterion,result\n" + "chef-lieu,SP+1,Accueil courtois,oui\n" * 2
    with pytest.raises(CsvImportError) as refused:
        import_assessment_results(site.prefecture, "services-publics-plus", 2026, results.encode())
    assert "ligne 2" in str(refused.value.lines) and "ligne 3" in str(refused.value.lines)
    assert CriterionResult.objects.count() == 0
