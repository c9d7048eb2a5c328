"""docs/indicators.md "Surveys", pinned: scales, blanks, groups under 5, rounding; and the
survey_report / import_survey_answers / survey_campaigns commands."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from engagements.surveys.enums import Channel
from engagements.surveys.models import Comment, Response
from engagements.surveys.queries import campaign_results, classify, satisfaction
from tests.factories import ServiceFactory
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("scale", "satisfied", "neutral", "dissatisfied"),
    [(4, [3, 4], [], [1, 2]), (5, [4, 5], [3], [1, 2]), (2, [2], [], [1])],
)
def test_top_and_bottom_k_points(scale, satisfied, neutral, dissatisfied):
    for value in satisfied:
        assert classify(value, scale) == 1
    for value in neutral:
        assert classify(value, scale) == 0
    for value in dissatisfied:
        assert classify(value, scale) == -1


def test_rates_are_null_under_five_answers_and_rounded_to_one_decimal():
    assert satisfaction([4, 4, 4, 1], 4).rate is None
    assert satisfaction([4, 4, 4, 1], 4).net is None
    figure = satisfaction([5, 4, 3, 2, 1], 5)  # 2 satisfied, 1 neutral, 2 dissatisfied
    assert (figure.rate, figure.net) == (40.0, 0.0)
    figure = satisfaction([4, 4, 4, 4, 4, 4, 1], 4)  # 6/7
    assert (figure.rate, figure.net) == (85.7, 71.4)


IMPORT = """channel,service,courtoisie,attente,global,pmr,commentaire
paper,accueil,4,1,4,,Très bien
qr,accueil,3,2,3,,
web,accueil,2,,4,,
kiosk,sejour,1,3,2,2,
paper,sejour,4,4,,,
paper,sejour,3,2,3,,
qr,accueil,,1,4,,
paper,accueil,4,3,1,,
paper,sejour,4,,4,,
web,accueil,3,4,3,2,
"""


@pytest.fixture
def campaign(site):
    accueil = ServiceFactory(site=site, slug="accueil", name="Accueil")
    sejour = ServiceFactory(site=site, slug="sejour", name="Séjour")
    return CampaignFactory(site=site, services=[accueil, sejour])


def _import(campaign, tmp_path, text):
    path = tmp_path / "answers.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command(
        "import_survey_answers", "--campaign", str(campaign.pk), str(path), stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def _report(campaign) -> dict:
    out = StringIO()
    call_command("survey_report", "--campaign", str(campaign.pk), "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_survey_report_reproduces_hand_computed_rates_from_an_imported_file(campaign, tmp_path):
    out, _ = _import(campaign, tmp_path, IMPORT)
    assert "10 réponses importées" in out
    report = _report(campaign)
    # courtoisie: 4,3,2,1,4,3,·,4,4,3 → 9 answers (1 blank), 7 satisfied, 2 dissatisfied
    assert report["questions"]["courtoisie"] == {
        "criterion": "courtesy",
        "answers": 9,
        "satisfied": 7,
        "rate": 77.8,
        "net": 55.6,
    }
    # attente: 1,2,·,3,4,2,1,3,·,4 → 8 answers, 4 satisfied, 4 dissatisfied
    assert report["questions"]["attente"] == {
        "criterion": "waiting_time",
        "answers": 8,
        "satisfied": 4,
        "rate": 50.0,
        "net": 0.0,
    }
    # global: 4,3,4,2,·,3,4,1,4,3 → 9 answers, 7 satisfied, 2 dissatisfied
    assert report["questions"]["global"]["rate"] == 77.8
    assert report["questions"]["global"]["net"] == 55.6
    # pmr: two answers only → nothing published
    assert report["questions"]["pmr"] == {
        "criterion": "reduced_mobility",
        "answers": 2,
        "satisfied": 2,
        "rate": None,
        "net": None,
    }
    assert report["criteria"]["courtesy"]["rate"] == 77.8
    assert report["criteria"]["overall"]["answers"] == 9
    assert report["criteria"]["reduced_mobility"]["rate"] is None
    assert report["criteria"]["signage"] == {
        "criterion": "signage",
        "answers": 0,
        "satisfied": 0,
        "rate": None,
        "net": None,
    }
    # The comment waits for a review; channels were kept.
    assert Comment.objects.get().status == "pending"
    assert Response.objects.filter(channel=Channel.PAPER).count() == 5


def test_results_per_service_hide_a_group_under_five(campaign, tmp_path):
    _import(campaign, tmp_path, IMPORT)
    results = campaign_results(campaign)
    by_service = {row["label"]: row for row in results["services"]}
    courtesy = results["criteria_labels"].index("Courtoisie et disponibilité des agents")
    # Accueil: 4,3,2,4,3 (one blank) → 5 answers, 4 satisfied
    assert by_service["Accueil"]["cells"][courtesy]["rate"] == 80.0
    # Séjour: 1,4,3,4 → 4 answers: not enough to publish
    assert by_service["Séjour"]["cells"][courtesy]["answers"] == 4
    assert by_service["Séjour"]["cells"][courtesy]["rate"] is None
    channels = {row["code"]: row["responses"] for row in results["channels"]}
    assert channels == {"paper": 5, "qr": 2, "web": 2, "kiosk": 1}


def test_import_is_all_or_nothing_with_line_errors(campaign, tmp_path):
    bad = IMPORT.replace("qr,accueil,3,2,3,,", "fax,accueil,7,2,3,,").replace(
        "paper,sejour,4,4,,,", "paper,nowhere,4,4,,,"
    )
    with pytest.raises(CommandError, match="rien n'est chargé"):
        _import(campaign, tmp_path, bad)
    assert Response.objects.count() == 0
    err = StringIO()
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_survey_answers", "--campaign", str(campaign.pk), str(path), stderr=err)
    assert "ligne 3, colonne « channel » : canal « fax » inconnu" in err.getvalue()
    assert "ligne 3, colonne « courtoisie » : 7 est supérieur au maximum 4" in err.getvalue()
    assert "ligne 6, colonne « service » : service « nowhere » hors de la campagne" in (
        err.getvalue()
    )


def test_survey_import_reads_what_spreadsheets_save_around_the_answers(campaign, tmp_path):
    """Excel's empty columns right of the table (";;" ending each line) were refused as
    'questions inconnues : ' (a question without a code), and 'Accueil' was 'hors de la
    campagne' (the service read case-sensitively)."""
    text = "\n".join(line.replace(",", ";") + ";;" for line in IMPORT.strip().splitlines()).replace(
        "paper;accueil;4;1;4", "paper;ACCUEIL;4;1;4"
    )
    _import(campaign, tmp_path, text + "\n")
    assert Response.objects.count() == 10
    from engagements.surveys.services import import_answers

    report = import_answers(campaign, text.replace("paper;ACCUEIL", "paper;etat-civil"))
    assert report.errors == [
        "ligne 2, colonne « service » : service « etat-civil » hors de la campagne ; "
        "valeurs possibles : " + ", ".join(s.slug for s in campaign.services.all())
    ]


def test_the_same_answers_imported_twice_from_the_command_are_refused(campaign, tmp_path):
    """The lines of a file of answers have no key: the command imported the same file a
    second time and every answer was counted twice (the page only warned)."""
    import time_machine
    from django.utils import timezone

    with time_machine.travel("2026-12-03 14:05 +01:00", tick=False):
        _import(campaign, tmp_path, IMPORT)
    assert Response.objects.count() == 10
    # The same answers, saved again by a spreadsheet: semicolons, Windows-1252, other name.
    path = tmp_path / "reponses-copie.csv"
    path.write_bytes(IMPORT.replace(",", ";").encode("cp1252"))
    err = StringIO()
    with pytest.raises(CommandError, match="Import refusé"):
        call_command("import_survey_answers", "--campaign", str(campaign.pk), str(path), stderr=err)
    assert (
        "ces réponses ont déjà été importées dans cette campagne le 03/12/2026 à 14:05 "
        "(fichier « answers.csv ») : les importer à nouveau les compterait deux fois"
    ) in err.getvalue()
    assert Response.objects.count() == 10
    assert timezone.localtime(campaign.imports.get().imported_at).hour == 14


def test_a_cumulative_file_is_refused_and_its_new_lines_alone_are_imported(campaign, tmp_path):
    _import(campaign, tmp_path, IMPORT)
    more = "paper,accueil,1,1,1,,\nqr,sejour,2,2,2,,\n"
    path = tmp_path / "cumul.csv"
    path.write_text(IMPORT + more, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_survey_answers", "--campaign", str(campaign.pk), str(path), stderr=err)
    assert "les 10 premières lignes de ce fichier ont déjà été importées" in err.getvalue()
    assert "retirez-les du fichier pour n'importer que les suivantes" in err.getvalue()
    assert Response.objects.count() == 10
    header = IMPORT.splitlines()[0] + "\n"
    out, _ = _import(campaign, tmp_path, header + more)
    assert "2 réponses importées" in out
    # Other files are not refused: the same lines in another campaign, or fewer of them.
    other = CampaignFactory(site=campaign.site, services=list(campaign.services.all()))
    out, _ = _import(other, tmp_path, IMPORT)
    assert "10 réponses importées" in out
    out, _ = _import(campaign, tmp_path, "\n".join(IMPORT.splitlines()[:4]) + "\n")
    assert "3 réponses importées" in out
    assert Response.objects.count() == 25


def test_survey_import_reads_windows_1252_and_semicolons(campaign, tmp_path):
    path = tmp_path / "answers.csv"
    text = IMPORT.replace(",", ";").replace("Très bien", "Très bien, accueil soigné")
    path.write_bytes(text.encode("cp1252"))
    out = StringIO()
    call_command("import_survey_answers", "--campaign", str(campaign.pk), str(path), stdout=out)
    assert "10 réponses importées" in out.getvalue()
    assert Comment.objects.get().text == "Très bien, accueil soigné"


def test_survey_import_passes_the_table_of_broken_files(campaign):
    from engagements.surveys.services import import_answers
    from tests.csv_cases import assert_refuses_broken_files

    header = IMPORT.splitlines()[0]
    assert_refuses_broken_files(
        lambda data: import_answers(campaign, data),
        header=header,
        good_line="paper,accueil,4,1,4,,Très bien",
        text_column="service",
        digit_column="courtoisie",
        written=lambda: Response.objects.count(),
        duplicate_key=False,  # two paper coupons may carry the same answers
    )


def test_a_100000_character_comment_is_checked_for_personal_data_at_once():
    from engagements.surveys.services import PERSONAL_DATA_PATTERNS, detect_personal_data

    # Each detector may only start a match after a lookbehind: a search then tries each
    # run of characters once instead of once per position (the 135 s comment, issue 9).
    assert all(p.pattern.startswith("(?<") for p in PERSONAL_DATA_PATTERNS.values())
    for text in ("a" * 100_000, "a." * 50_000, "a@" * 50_000, "1 " * 50_000, "0" * 100_000):
        assert detect_personal_data(text) == []
    needle = "x" * 99_970 + " lea.martin@example.fr"
    assert detect_personal_data(needle) == ["email"]
    assert detect_personal_data("a" * 100_000 + "@example.fr") == ["email"]
    assert detect_personal_data("écrivez à lea@exemple.fr ou au 06 12 34 56 78") == [
        "email",
        "phone",
    ]


def test_survey_campaigns_lists_questions_with_scales(campaign, prefecture):
    out = StringIO()
    call_command("survey_campaigns", "--prefecture", prefecture.slug, stdout=out)
    data = json.loads(out.getvalue())["campaigns"]
    assert [c["id"] for c in data] == [campaign.pk]
    assert sorted(data[0]["services"]) == ["accueil", "sejour"]
    questions = {q["code"]: q for q in data[0]["questions"]}
    assert questions["courtoisie"] == {
        "code": "courtoisie",
        "type": "scale",
        "criterion": "courtesy",
        "scale": 4,
    }
    assert questions["commentaire"]["scale"] is None


def test_previous_campaign_is_compared(site, service, tmp_path):
    from tests.surveys.factories import AnswerFactory, ResponseFactory

    before = CampaignFactory(site=site, services=[service], finished=True)
    now = CampaignFactory(site=site, services=[service], questionnaire=before.questionnaire)
    question = before.questionnaire.questions.get(code="global")
    for campaign, values in ((before, [4, 4, 1, 1, 1]), (now, [4, 4, 4, 4, 1])):
        for value in values:
            response = ResponseFactory(campaign=campaign, service=service)
            AnswerFactory(response=response, question=question, value=value)
    overall = next(r for r in campaign_results(now)["criteria"] if r["code"] == "overall")
    assert (overall["rate"], overall["previous"], overall["delta"]) == (80.0, 40.0, 40.0)


def test_import_accepts_semicolons_from_a_french_spreadsheet(campaign, tmp_path):
    out, _ = _import(campaign, tmp_path, "\ufeff" + IMPORT.replace(",", ";"))
    assert "10 réponses importées" in out
    assert _report(campaign)["questions"]["courtoisie"]["rate"] == 77.8


def test_yearly_overall_by_site(site, other_site, service, other_service):
    from engagements.surveys.queries import yearly_overall_by_site
    from tests.surveys.factories import AnswerFactory, ResponseFactory

    rows = {}
    for s, svc, values in (
        (site, service, [4, 4, 4, 1, 3, 3]),
        (other_site, other_service, [4, 1]),
    ):
        campaign = CampaignFactory(site=s, services=[svc], finished=True)
        question = campaign.questionnaire.questions.get(code="global")
        for value in values:
            AnswerFactory(
                response=ResponseFactory(campaign=campaign, service=svc),
                question=question,
                value=value,
            )
        rows[s] = campaign.ends_on.year
    result = {r["site"]: r for r in yearly_overall_by_site(site.prefecture, rows[site])}
    assert (result[site]["answers"], result[site]["rate"]) == (6, 83.3)
    assert (result[other_site]["answers"], result[other_site]["rate"]) == (2, None)


def test_import_of_an_empty_file_is_refused(campaign, tmp_path):
    with pytest.raises(CommandError):
        _import(campaign, tmp_path, "")


def test_a_line_without_any_answer_is_refused(campaign, tmp_path):
    header = IMPORT.splitlines()[0]
    blank = ",".join(["qr", "accueil"] + [""] * (len(header.split(",")) - 2))
    path = tmp_path / "blank.csv"
    path.write_text(f"{header}\npaper,accueil,4,1,4,,Très bien\n{blank}\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="rien n'est chargé"):
        call_command("import_survey_answers", "--campaign", str(campaign.pk), str(path), stderr=err)
    assert "ligne 3 : aucune réponse sur la ligne" in err.getvalue()
    assert Response.objects.count() == 0


def test_the_public_api_gives_no_figure_of_a_group_under_five(campaign, tmp_path, client):
    _import(campaign, tmp_path, IMPORT)
    url = f"/api/v1/prefectures/{campaign.prefecture.slug}/surveys/{campaign.pk}/report"
    report = client.get(url).json()
    # pmr: two answers, both satisfied → neither the rate nor what gives it away.
    assert report["questions"]["pmr"] == {
        "criterion": "reduced_mobility",
        "answers": 2,
        "satisfied": None,
        "rate": None,
        "net": None,
    }
    assert report["criteria"]["reduced_mobility"]["satisfied"] is None
    # Published groups keep their counts.
    assert report["questions"]["courtoisie"]["satisfied"] == 7


def test_survey_report_text_names_criteria_in_french(campaign, tmp_path):
    _import(campaign, tmp_path, IMPORT)
    out = StringIO()
    call_command("survey_report", "--campaign", str(campaign.pk), "--format", "text", stdout=out)
    text = out.getvalue()
    assert "Par critère" in text and "criteria" not in text and "courtesy" not in text
    assert "Courtoisie et disponibilité des agents" in text
    line = next(x for x in text.splitlines() if "Courtoisie et disponibilité" in x)
    assert line.split()[-2:] == ["77,8", "%"] and "9 réponses" in line


def test_answers_typed_after_the_campaign_count_on_its_last_day(campaign, tmp_path):
    """Coupons come back from the urns after a campaign ends: typed in January, a 2025
    campaign's coupons counted in 2026 (they were dated the day they were typed)."""
    from datetime import date

    import time_machine

    from engagements.surveys.services import enter_coupon

    campaign.starts_on, campaign.ends_on = date(2025, 10, 1), date(2025, 12, 19)
    campaign.save()
    service = campaign.services.first()
    with time_machine.travel(date(2026, 1, 12), tick=False):
        coupon = enter_coupon(
            campaign, actor=None, service=service, serial=f"{campaign.pk}-0001", values={}
        )
        _import(campaign, tmp_path, IMPORT)
    with time_machine.travel(date(2025, 11, 3), tick=False):  # while it runs: that day
        running = enter_coupon(
            campaign, actor=None, service=service, serial=f"{campaign.pk}-0002", values={}
        )
    assert coupon.answered_on == date(2025, 12, 19)
    assert running.answered_on == date(2025, 11, 3)
    imported = Response.objects.filter(campaign=campaign, serial="")
    assert imported.count() == 10
    assert set(imported.values_list("answered_on", flat=True)) == {date(2025, 12, 19)}
