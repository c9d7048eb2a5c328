"""Issue 19 item 2: the "Imports" page. Each import kind goes through the web page: a
broken file shows its line errors and writes nothing, a good one is previewed (nothing
written yet) then confirmed (written once), and the history names who imported what.
Each kind is checked on the roles allowed to run it, and refused to the others."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape as html_unescape
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from engagements.committee.models import Seat
from engagements.correspondence.models import Message
from engagements.faq.models import Entry
from engagements.indicators.models import CallHour, FootfallCount, Indicator, Value, WebsiteUpdate
from engagements.organisation.models import ImportRun, ImportUpload
from engagements.quality.experiences import FIELDS
from engagements.quality.labels import LABEL_COLUMNS
from engagements.quality.models import (
    Action,
    CriterionResult,
    Experience,
    Label,
    Referential,
    TrainingSession,
)
from engagements.quality.services import ACTION_COLUMNS
from engagements.quality.trainings import TRAINING_COLUMNS
from engagements.shell.imports import import_kinds
from engagements.surveys.models import Response
from tests.factories import RoleFactory, UserFactory
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db

REFERENTIALS = Path(__file__).resolve().parents[2] / "engagements/quality/referentials"


def _sp_plus() -> None:
    call_command(
        "import_referential",
        str(REFERENTIALS / "services-publics-plus-2023.yaml"),
        stdout=StringIO(),
    )


def _own_indicator(prefecture) -> None:
    Indicator.objects.create(
        prefecture=prefecture, code="delai-cni", name_fr="Délai CNI", family="performance",
        unit="days", is_manual=True,
    )  # fmt: skip


def _campaign(prefecture, site, service) -> dict:
    return {"campaign": str(CampaignFactory(site=site, services=[service]).pk)}


@dataclass
class Case:
    header: str
    good: str
    bad: str  # the good line, then a broken one (line 3)
    column: str | None  # the column the error names
    written: object  # () -> int
    options: object = None  # (prefecture, site, service) -> dict
    file_name: str = "fichier.csv"
    bad_line: int = 3

    def file(self, *lines: str) -> bytes:
        return ("\n".join([self.header, *lines]) + "\n").encode()


EXPERIENCE = (
    "EXP-1042,Accueil rapide,Reçu sans attente,positif,2025-11-03,2025-11-05,"
    "Merci de votre retour,,Préfecture d'Alpha - Accueil"
)
ACTION = (
    "PA-2026-050,chef-lieu,2026,Afficher les horaires,improvement,sejour,,"
    "2026-01-10,2026-03-31,in_progress,40,,complaint"
)
LABEL = "chef-lieu,1,qualepref,2024-01-15,2027-01-14,AFNOR Certification,2024-01-10,2026-10-01"
TRAINING = "2026-03-10,chef-lieu,sejour,accueil,Accueil des usagers,3.5,12"

CASES: dict[str, Case] = {
    "correspondence": Case(
        "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason",
        "2026-000001,chef-lieu,sejour,courriel,information,Délai séjour,2026-04-30,2026-05-12,",
        "2026-000002,chef-lieu,sejour,fax,information,,2026-05-04,,",
        "channel",
        lambda: Message.objects.count(),
    ),
    "telephony": Case(
        "date,hour,offered,answered",
        "2025-11-03,9,10,9",
        "2025-11-03,10,1²,1",
        "offered",
        lambda: CallHour.objects.count(),
        options=lambda p, site, s: {"site": site.slug, "format": "hourly"},
    ),
    "footfall": Case(
        "date,hour,service,visitors",
        "2025-11-03,9,sejour,12",
        "2025-11-03,10,sejour,douze",
        "visitors",
        lambda: FootfallCount.objects.count(),
        options=lambda p, site, s: {"site": site.slug},
    ),
    "website-updates": Case(
        "reference,site,page,requested_on,published_on",
        "W1,chef-lieu,/demarches/titres,2025-11-07,2025-11-13",
        "W2,chef-lieu,/demarches/permis,2025-13-07,",
        "requested_on",
        lambda: WebsiteUpdate.objects.count(),
    ),
    "indicator-values": Case(
        "code,period,site,value,numerator,denominator,source",
        "delai-cni,2025-11,chef-lieu,12.5,,,ANTS",
        "delai-cni,2025-10,chef-lieu,douze,,,ANTS",
        "value",
        lambda: Value.objects.count(),
        options=lambda p, site, s: _own_indicator(p) or {},
    ),
    "survey-answers": Case(
        "channel,service,courtoisie",
        "paper,sejour,4",
        "fax,sejour,4",
        "channel",
        lambda: Response.objects.count(),
        options=_campaign,
    ),
    "committee-members": Case(
        "college,organisation,first_name,last_name,email,seat,mandate_start,mandate_end",
        "Associations,Association du Bocage,Léa,Fictive,lea.fictive@asso.test,titulaire,"
        "2024-01-01,",
        "Associations,Club des aînés,Paul,Fictif,,président,2024-01-01,",
        "seat",
        lambda: Seat.objects.count(),
    ),
    "faq": Case(
        "site,service,question,answer,tags,language",
        "chef-lieu,sejour,Comment renouveler mon titre ?,En ligne sur le site de l'ANEF.,séjour,fr",
        "chef-lieu,sejour,Où déposer mon dossier ?,Au guichet.,,klingon",
        "language",
        lambda: Entry.objects.count(),
    ),
    "actions": Case(
        ",".join(ACTION_COLUMNS),
        ACTION,
        ACTION.replace("PA-2026-050,chef-lieu,2026", "PA-2026-051,chef-lieu,202²"),
        "year",
        lambda: Action.objects.count(),
    ),
    "sp-experiences": Case(
        ",".join(FIELDS),
        EXPERIENCE,
        EXPERIENCE.replace("EXP-1042", "EXP-1043").replace("2025-11-03", "2025-02-30"),
        "date_de_publication",
        lambda: Experience.objects.count(),
    ),
    "labels": Case(
        ",".join(LABEL_COLUMNS),
        LABEL,
        LABEL.replace(",1,", ",²,").replace("2024-01-15", "2024-02-15"),
        "module",
        lambda: Label.objects.count(),
    ),
    "assessment-results": Case(
        "site,commitment,criterion,result",
        "chef-lieu,SP+1,Accueil courtois,oui",
        "chef-lieu,SP+1,Accueil rapide,peut-être",
        "result",
        lambda: CriterionResult.objects.count(),
        options=lambda p, site, s: (
            _sp_plus() or {"referential": "services-publics-plus", "year": "2026"}
        ),
    ),
    "trainings": Case(
        ",".join(TRAINING_COLUMNS),
        TRAINING,
        TRAINING.replace(",3.5,", ",trois,"),
        "hours",
        lambda: TrainingSession.objects.count(),
    ),
}


def test_every_registered_kind_has_a_round_trip_case():
    assert {k.code for k in import_kinds()} == set(CASES) | {"referential"}


def _error_rows(html: str) -> list[tuple[str, str, str]]:
    body = html.split("<caption>Erreurs du fichier</caption>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", body, re.S)
    return [(line, re.sub(r"<[^>]+>", "", column), message) for line, column, message in rows]


def _upload(client, url, data: bytes, name: str, options: dict):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url, {"file": SimpleUploadedFile(name, data), **options})


@pytest.mark.parametrize("code", sorted(CASES))
def test_preview_then_confirm_through_the_page(
    code, prefecture, site, service, quality_lead, client_for
):
    case = CASES[code]
    options = case.options(prefecture, site, service) if case.options else {}
    client = client_for(quality_lead)
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, code])
    assert client.get(url).status_code == 200
    before = case.written()

    # A broken line: the errors are named (line, column, French message); nothing written.
    refused = _upload(client, url, case.file(case.good, case.bad), "casse.csv", options)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "Fichier refusé : rien n'a été importé" in html
    errors = _error_rows(html)
    assert errors and errors[0][0] == str(case.bad_line), errors
    assert errors[0][1] == (case.column or "—"), errors
    assert errors[0][2].strip()
    assert case.written() == before
    assert not ImportUpload.objects.exists()
    run = ImportRun.objects.get()
    assert (run.result, run.kind, run.file_name, run.user) == (
        "refused",
        code,
        "casse.csv",
        quality_lead,
    )

    # A good file: previewed (counts, first rows), still nothing written, then confirmed.
    preview = _upload(client, url, case.file(case.good), case.file_name, options)
    assert preview.status_code == 200, preview.content.decode()[:3000]
    page = preview.content.decode()
    assert "Ce qui sera enregistré" in page
    assert "Premières lignes du fichier" in page
    assert case.written() == before
    upload = ImportUpload.objects.get()
    confirm = reverse("organisation:agents-import-confirm", args=[prefecture.slug, upload.token])
    assert confirm in page
    done = client.post(confirm)
    assert done.status_code == 302
    assert case.written() == before + 1
    assert not ImportUpload.objects.exists()
    run = ImportRun.objects.filter(result="done").get()
    assert (run.kind, run.file_name, run.rows, run.user) == (code, case.file_name, 1, quality_lead)

    # The preview announced exactly what the confirmation wrote.
    counts = re.findall(r"<th scope=\"row\">(.*?)</th><td>(\d+)</td>", html_unescape(page))
    assert run.summary.splitlines()[0] == ", ".join(f"{label} : {n}" for label, n in counts)

    # A second click on "Confirmer" imports nothing twice.
    assert client.post(confirm).status_code == 404
    assert case.written() == before + 1

    history = client.get(reverse("organisation:agents-imports", args=[prefecture.slug]))
    text = history.content.decode()
    assert case.file_name in text and "Importé" in text and "Refusé" in text


def test_referential_is_imported_by_the_national_administrator_only(
    prefecture, quality_lead, national_admin, client_for
):
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "referential"])
    assert client_for(quality_lead).get(url).status_code == 403
    client = client_for(national_admin)
    data = (REFERENTIALS / "services-publics-plus-2023.yaml").read_bytes()
    refused = _upload(client, url, b"code: [\n", "casse.yaml", {})
    assert refused.status_code == 422
    assert _error_rows(refused.content.decode())[0][:2] == ("1", "—")
    assert not Referential.objects.exists()
    preview = _upload(client, url, data, "sp.yaml", {})
    assert preview.status_code == 200
    assert not Referential.objects.exists()
    client.post(
        reverse(
            "organisation:agents-import-confirm",
            args=[prefecture.slug, ImportUpload.objects.get().token],
        )
    )
    assert Referential.objects.filter(code="services-publics-plus").exists()


def test_preview_sends_no_mail_and_confirm_invites_members(
    prefecture, quality_lead, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    """The committee import invites members with an address: not at the preview."""
    from engagements.outbox.models import Delivery

    case = CASES["committee-members"]
    client = client_for(quality_lead)
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "committee-members"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _upload(client, url, case.file(case.good), "membres.csv", {})
    assert not callbacks and not Delivery.objects.exists()
    token = ImportUpload.objects.get().token
    client.post(reverse("organisation:agents-import-confirm", args=[prefecture.slug, token]))
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("agent", "correspondence", 403),
        ("agent", "footfall", 403),
        ("auditor", "actions", 403),
        ("committee_member", "committee-members", 403),
        ("site_manager", "correspondence", 403),
        ("site_manager", "footfall", 200),
        ("outsider", "correspondence", 404),
    ],
)
def test_each_kind_is_refused_to_roles_it_does_not_concern(
    request, persona, code, status, prefecture, site, service, client_for
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, code])
    assert client.get(url).status_code == status
    case = CASES[code]
    response = _upload(client, url, case.file(case.good), "f.csv", {"site": site.slug})
    assert response.status_code == (200 if status == 200 else status)
    if status != 200:
        assert case.written() == 0 and not ImportUpload.objects.exists()


def test_site_manager_imports_footfall_of_his_sites_only(
    prefecture, site, other_site, site_manager, client_for
):
    client = client_for(site_manager)
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "footfall"])
    page = client.get(url).content.decode()
    assert site.name in page and other_site.name not in page
    case = CASES["footfall"]
    response = _upload(client, url, case.file(case.good), "f.csv", {"site": other_site.slug})
    assert response.status_code == 400
    assert not ImportUpload.objects.exists() and not ImportRun.objects.exists()
    home = client.get(reverse("organisation:agents-imports", args=[prefecture.slug]))
    text = home.content.decode()
    assert "Fréquentation de l&#x27;accueil" in text and "Registre des courriers" not in text


def test_a_previewed_file_is_confirmed_only_by_its_owner(
    prefecture, site, service, quality_lead, client_for
):
    case = CASES["correspondence"]
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "correspondence"])
    _upload(client_for(quality_lead), url, case.file(case.good), "r.csv", {})
    token = ImportUpload.objects.get().token
    colleague = UserFactory()
    RoleFactory(user=colleague, prefecture=prefecture, kind="quality_lead")
    confirm = reverse("organisation:agents-import-confirm", args=[prefecture.slug, token])
    assert client_for(colleague).post(confirm).status_code == 404
    assert not Message.objects.exists() and ImportUpload.objects.exists()


def test_the_kept_file_survives_another_app_server(prefecture, site, service, quality_lead):
    """The file waits in the database: a confirmation on another server (a fresh client,
    fresh registry look-up, no shared memory) still finds it."""
    from django.test import Client

    case = CASES["correspondence"]
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "correspondence"])
    first = Client()
    first.force_login(quality_lead)
    _upload(first, url, case.file(case.good), "r.csv", {})
    upload = ImportUpload.objects.get()
    assert bytes(upload.data) == case.file(case.good)
    second = Client()
    second.force_login(quality_lead)
    second.post(reverse("organisation:agents-import-confirm", args=[prefecture.slug, upload.token]))
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("command", "code", "expected"),
    [
        ("import_correspondence", "correspondence", "1 créé"),
        ("import_labels", "labels", "Labels créés : 1"),
        ("import_footfall", "footfall", "visiteurs : 12"),
    ],
)
def test_commands_dry_run_check_and_count_without_writing(
    tmp_path, prefecture, site, service, command, code, expected
):
    case = CASES[code]
    path = tmp_path / "f.csv"
    path.write_bytes(case.file(case.good))
    args = ["--prefecture", "alpha", *(["--site", site.slug] if code == "footfall" else [])]
    out = StringIO()
    call_command(command, *args, "--dry-run", str(path), stdout=out)
    assert expected in out.getvalue() and "rien n'a été enregistré" in out.getvalue()
    assert case.written() == 0
    call_command(command, *args, str(path), stdout=StringIO())
    assert case.written() == 1


def test_old_uploads_are_purged(prefecture, quality_lead):
    import time_machine

    from engagements.organisation.imports import purge_import_uploads

    with time_machine.travel("2026-03-01 10:00"):
        ImportUpload.objects.create(
            token="6f1c2b8e-0d4a-4c55-9a43-3a4f0e2b7c11", prefecture=prefecture,
            user=quality_lead, kind="faq", file_name="f.csv", data=b"x",
        )  # fmt: skip
    with time_machine.travel("2026-03-02 11:00"):
        assert purge_import_uploads() == 1
    assert not ImportUpload.objects.exists()


def test_cancelling_a_preview_forgets_the_file(prefecture, site, service, quality_lead, client_for):
    case = CASES["faq"]
    client = client_for(quality_lead)
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "faq"])
    _upload(client, url, case.file(case.good), "faq.csv", {})
    token = ImportUpload.objects.get().token
    response = client.post(
        reverse("organisation:agents-import-cancel", args=[prefecture.slug, token])
    )
    assert response.status_code == 302
    assert not ImportUpload.objects.exists() and not Entry.objects.exists()
    confirm = reverse("organisation:agents-import-confirm", args=[prefecture.slug, token])
    assert client.post(confirm).status_code == 404
    assert not Entry.objects.exists()


def test_a_form_without_file_or_site_is_explained(prefecture, site, quality_lead, client_for):
    client = client_for(quality_lead)
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "footfall"])
    response = client.post(url, {"site": ""})
    assert response.status_code == 400
    text = response.content.decode()
    # Each of the two fields: once in the list above the form, once under the field.
    assert text.count("Ce champ est obligatoire") == 4
    assert not ImportRun.objects.exists()


def test_history_of_a_site_manager_holds_his_sites_only_and_the_page_costs_few_queries(
    prefecture, site, other_site, site_manager, quality_lead, client_for,
    django_assert_max_num_queries,
):  # fmt: skip
    for index, where in enumerate([site, other_site] * 10):
        ImportRun.objects.create(
            prefecture=prefecture, user=quality_lead, kind="footfall",
            kind_label="Fréquentation de l'accueil", file_name=f"{where.slug}-{index}.csv",
            rows=3, result="done", options={"site": where.slug},
        )  # fmt: skip
    url = reverse("organisation:agents-imports", args=[prefecture.slug])
    text = client_for(site_manager).get(url).content.decode()
    assert "chef-lieu-0.csv" in text and "sous-pref-1.csv" not in text
    client = client_for(quality_lead)
    client.get(url)
    with django_assert_max_num_queries(4):
        text = client.get(url).content.decode()
    assert text.count("<td>3</td>") == 20


def test_the_same_answers_dropped_again_are_refused_on_their_preview(
    prefecture, site, service, quality_lead, client_for
):
    """Survey answers have no key: the same file confirmed twice counted every answer twice,
    and the preview only warned that the file had been imported already."""
    case = CASES["survey-answers"]
    options = case.options(prefecture, site, service)
    client = client_for(quality_lead)
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "survey-answers"])
    first = _upload(client, url, case.file(case.good), "coupons.csv", options)
    assert "déjà été importé" not in first.content.decode()
    token = ImportUpload.objects.get().token
    client.post(reverse("organisation:agents-import-confirm", args=[prefecture.slug, token]))

    again = _upload(client, url, case.file(case.good), "coupons-copie.csv", options)
    page = html_unescape(again.content.decode())
    from engagements.surveys.models import AnswerImport

    when = timezone.localtime(AnswerImport.objects.get().imported_at)
    assert (
        f"ces réponses ont déjà été importées dans cette campagne le {when:%d/%m/%Y à %H:%M} "
        "(fichier « coupons.csv »)"
    ) in page
    assert ImportUpload.objects.count() == 0  # nothing left to confirm
    # Another file, or the same file for another campaign, is not announced.
    other = _upload(client, url, case.file(case.good, case.good), "coupons.csv", options)
    assert "déjà été importé" not in other.content.decode()
    elsewhere = _campaign(prefecture, site, service)
    moved = _upload(client, url, case.file(case.good), "coupons.csv", elsewhere)
    assert "déjà été importé" not in moved.content.decode()


def test_imports_from_the_command_line_are_in_the_history(
    tmp_path, prefecture, site, service, quality_lead, client_for
):
    """The page's history lists the commands' imports too, done or refused, without a user
    ("ligne de commande"); the commands print and exit as before."""
    members, faq = CASES["committee-members"], CASES["faq"]
    good = tmp_path / "membres.csv"
    good.write_bytes(members.file(members.good))
    out = StringIO()
    call_command("import_committee_members", "--prefecture", "alpha", str(good), stdout=out)
    assert out.getvalue().startswith("Sièges créés : 1 ;")
    bad = tmp_path / "faq-2026.csv"
    bad.write_bytes(faq.file(faq.good, faq.bad))
    with pytest.raises(CommandError, match="klingon"):
        call_command("import_faq", "--prefecture", "alpha", "--force", str(bad), stdout=StringIO())
    assert faq.written() == 0
    # A dry run imports nothing and is not recorded; neither is an unknown prefecture.
    for args in (["alpha", "--dry-run"], ["nulle-part"]):
        with pytest.raises(CommandError):
            call_command("import_faq", "--prefecture", *args, str(bad), stdout=StringIO())

    done, refused = ImportRun.objects.order_by("pk")
    assert (done.kind, done.user, done.source, done.result) == (
        "committee-members", None, ImportRun.Source.COMMAND, ImportRun.Result.DONE
    )  # fmt: skip
    assert (done.file_name, done.rows) == ("membres.csv", 1)
    assert "Sièges créés : 1" in done.summary
    assert (refused.kind, refused.result, refused.file_name, refused.rows) == (
        "faq", ImportRun.Result.REFUSED, "faq-2026.csv", 2
    )  # fmt: skip
    assert refused.options == {"edited": "replace"}
    assert "ligne 3" in refused.summary
    page = client_for(quality_lead).get(reverse("organisation:agents-imports", args=["alpha"]))
    text = html_unescape(page.content.decode())
    assert "membres.csv" in text and "faq-2026.csv" in text
    assert text.count("ligne de commande") == 2


def test_every_import_command_names_its_kind_on_the_page():
    """Each `import_*` command with a prefecture is recorded under the page's kind (the
    referential is national: no prefecture's history holds it)."""
    from django.core.management import get_commands, load_command_class

    from engagements.shell.imports import import_kind

    names = sorted(n for n in get_commands() if n.startswith("import_"))
    assert len(names) == 14
    for name in names:
        command = load_command_class(get_commands()[name], name)
        if name == "import_referential":
            assert not command.history_kind
        else:
            assert import_kind(command.history_kind) is not None, name


def test_a_command_run_in_a_terminal_is_recorded_without_its_colours(
    tmp_path, prefecture, site, service
):
    """Survey answers name their campaign, not a prefecture: the run is in the campaign's
    prefecture's history, under the page's option, its summary without the escape codes."""
    case = CASES["survey-answers"]
    campaign = case.options(prefecture, site, service)["campaign"]
    path = tmp_path / "coupons.csv"
    path.write_bytes(case.file(case.good))
    out = StringIO()
    call_command(
        "import_survey_answers", "--campaign", campaign, str(path), stdout=out, force_color=True
    )
    assert "\x1b[" in out.getvalue()
    run = ImportRun.objects.get()
    assert (run.prefecture, run.kind, run.source) == (prefecture, "survey-answers", "command")
    assert run.options["campaign"] == campaign
    assert run.summary == "1 réponse importée."


def test_a_refused_survey_import_keeps_its_lines_errors_in_the_history(
    tmp_path, prefecture, site, service, quality_lead, client_for
):
    """The command's refusal was recorded as its one-line message ("Import refusé : 1
    erreur, rien n'est chargé."), where every other import, and the page, keep each line's
    error: the same file refused on the page and by the command makes the same record."""
    case = CASES["survey-answers"]
    options = case.options(prefecture, site, service)
    data = case.file(case.good, case.bad)
    path = tmp_path / "casse.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="rien n'est chargé"):
        call_command(
            "import_survey_answers", "--campaign", options["campaign"], str(path),
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
    url = reverse("organisation:agents-import-kind", args=[prefecture.slug, "survey-answers"])
    assert _upload(client_for(quality_lead), url, data, "casse.csv", options).status_code == 422

    command, page = ImportRun.objects.order_by("pk")
    assert (command.source, page.source) == ("command", "page")
    assert command.result == page.result == ImportRun.Result.REFUSED
    assert command.summary == page.summary
    assert command.summary.startswith("ligne 3, colonne « channel » : canal « fax » inconnu")
