"""CSV import (all or nothing, idempotent) and the report command against hand-computed
figures over holidays, weekends, late and pending messages (docs/indicators.md)."""

import json
from datetime import date

import pytest
import time_machine
from django.core.management import CommandError, call_command

from engagements.correspondence.enums import Kind, Status
from engagements.correspondence.models import Message

pytestmark = pytest.mark.django_db

HEADER = "reference,site,service,channel,kind,topic,received_on,answered_on,closed_reason\n"
# Hand count (metropolitan holidays 2026: 1, 8, 14 (Ascension) and 25 (Whit Monday) May):
#  1 courriel info,   Thu 30/04 → Tue 12/05: 4,5,6,7,11,12 May = 6 days > 5   answered late
#  2 courriel récl.,  Sat 09/05 → Mon 11/05: 1 day                           on time
#  3 courrier récl.,  Wed 13/05 → Wed 27/05: 15,18-22,26,27 = 8 days ≤ 10     on time
#  4 courriel info,   Mon 01/06 → same day: 0                                 on time
#  5 urne sugg.,      Mon 01/06, no answer, due Mon 15/06 < 30/06            late
#  6 courriel info,   Fri 26/06, no answer, due Fri 03/07 ≥ 30/06            pending
#  7 courriel info,   closed as duplicate                                    excluded
#  8 courrier info,   received 06/07, after the reference date               not counted
#  9 courriel récl.,  Wed 10/06 → Fri 19/06: 11,12,15-19 = 7 days > 5         answered late
# At 30/06: answered 5, on time 3, late 1, pending 1, excluded 1;
# rate 3 / (5 + 1) = 50.0 %; average delay (6 + 1 + 8 + 0 + 7) / 5 = 4.40.
ROWS = """2026-000001,chef-lieu,sejour,courriel,information,Délai séjour,2026-04-30,2026-05-12,
2026-000002,chef-lieu,sejour,courriel,reclamation,Prise de rendez-vous,2026-05-09,2026-05-11,
2026-000003,chef-lieu,sejour,courrier,reclamation,Délai séjour,2026-05-13,2026-05-27,
2026-000004,chef-lieu,,courriel,information,,2026-06-01,2026-06-01,
2026-000005,chef-lieu,sejour,urne,suggestion,,2026-06-01,,
2026-000006,chef-lieu,sejour,courriel,information,,2026-06-26,,
2026-000007,chef-lieu,sejour,courriel,information,,2026-06-02,,doublon
2026-000008,chef-lieu,sejour,courrier,information,,2026-07-06,,
2026-000009,chef-lieu,sejour,courriel,reclamation,Prise de rendez-vous,2026-06-10,2026-06-19,
"""


@pytest.fixture
def register_file(tmp_path, prefecture, site, service):
    path = tmp_path / "registre.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


def report(prefecture, *args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command(
        "correspondence_report",
        "--prefecture",
        prefecture.slug,
        "--year",
        "2026",
        "--format",
        "json",
        *args,
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_report_reproduces_the_hand_computed_figures(prefecture, register_file):
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    assert report(prefecture, "--at", "2026-06-30") == {
        "answered": 5,
        "on_time": 3,
        "late": 1,
        "pending": 1,
        "excluded": 1,
        "rate_on_time": 50.0,
        "average_delay": 4.4,
    }
    complaints = report(prefecture, "--at", "2026-06-30", "--kind", "reclamation")
    assert (complaints["answered"], complaints["on_time"]) == (3, 2)
    assert complaints["rate_on_time"] == 66.7 and complaints["average_delay"] == 5.33
    emails = report(prefecture, "--at", "2026-06-30", "--channel", "courriel")
    assert emails == {
        "answered": 4,
        "on_time": 2,
        "late": 0,
        "pending": 1,
        "excluded": 1,
        "rate_on_time": 50.0,
        "average_delay": 3.5,
    }
    # As it stood at the end of May: only the first three existed, all answered.
    may = report(prefecture, "--at", "2026-05-31")
    assert (may["answered"], may["on_time"], may["rate_on_time"]) == (3, 2, 66.7)
    assert may["average_delay"] == 5.0
    assert report(prefecture, "--at", "2026-06-30", "--site", "chef-lieu")["answered"] == 5
    empty = report(prefecture, "--at", "2026-01-31")
    assert empty["rate_on_time"] is None and empty["average_delay"] is None


def test_a_bad_line_writes_nothing_and_is_named(prefecture, register_file, tmp_path):
    bad = tmp_path / "bad.csv"
    lines = (HEADER + ROWS).splitlines()
    lines[3] = lines[3].replace("courrier", "pigeon")
    lines[5] = lines[5].replace("2026-06-01", "2026-13-01")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_correspondence", "--prefecture", prefecture.slug, str(bad))
    text = str(error.value)
    assert "ligne 4, colonne « channel » : canal « pigeon » inconnu" in text
    assert "ligne 6, colonne « received_on » : « 2026-13-01 » n'est pas une date" in text
    assert "ligne 2" not in text
    assert Message.objects.count() == 0


def test_the_text_report_writes_french_decimals(prefecture, register_file):
    """As the figures page: "50,0 %" and "4,40", not "50.0 %" and "4.40"."""
    from io import StringIO

    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    out = StringIO()
    call_command(
        "correspondence_report", "--prefecture", prefecture.slug, "--year", "2026",
        "--at", "2026-06-30", stdout=out,
    )  # fmt: skip
    assert out.getvalue().strip() == (
        "Situation au 30/06/2026 — répondus 5 (dont 3 dans les délais), en retard 1, en "
        "attente 1, exclus 1 ; taux 50,0 % ; délai moyen 4,40 jours ouvrés"
    )


def test_reimporting_updates_and_never_duplicates(prefecture, register_file):
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    assert Message.objects.filter(prefecture=prefecture).count() == 9
    register_file.write_text(
        HEADER + ROWS.replace("2026-06-26,,", "2026-06-26,2026-06-29,"), encoding="utf-8"
    )
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    message = Message.objects.get(prefecture=prefecture, reference="2026-000006")
    assert message.status == Status.ANSWERED
    assert Message.objects.filter(prefecture=prefecture).count() == 9
    assert message.events.count() == 2  # created, then updated by the import


def test_new_messages_continue_after_imported_references(prefecture, register_file, service):
    from datetime import date

    from engagements.correspondence import services

    call_command("import_correspondence", "--prefecture", prefecture.slug, str(register_file))
    message = services.create_message(
        prefecture,
        site=service.site,
        service=service,
        channel="letter",
        kind="information",
        received_on=date(2026, 7, 7),
        sender_address="1 rue X",
    )
    assert message.reference == "2026-000010"


# Imports only change what imports created (issue 9) ---------------------------------------


def _import(prefecture, tmp_path, rows: str, encoding="utf-8", header=HEADER):
    path = tmp_path / "registre.csv"
    path.write_bytes((header + rows).encode(encoding))
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(path))


def _refused(prefecture, tmp_path, rows: str) -> str:
    with pytest.raises(CommandError) as error:
        _import(prefecture, tmp_path, rows)
    return str(error.value)


def _web_message(prefecture, service):
    from datetime import date

    from engagements.correspondence import services

    return services.create_message(
        prefecture,
        site=service.site,
        service=service,
        channel="web_form",
        kind="complaint",
        received_on=date(2026, 3, 2),
        sender_email="lea@example.test",
        subject="Mon dossier",
    )


def test_an_import_never_rewrites_a_message_received_otherwise(
    prefecture, service, tmp_path, other_service
):
    live = _web_message(prefecture, service)
    before = Message.objects.filter(pk=live.pk).values().get()
    site = other_service.site.slug
    line = f"{live.reference},{site},,courrier,information,,2026-03-02,2026-03-03,\n"
    text = _refused(prefecture, tmp_path, line)
    assert f"ligne 2, colonne « reference » : la référence {live.reference} est celle" in text
    assert "non importé : un import ne peut pas le modifier" in text
    assert Message.objects.filter(pk=live.pk).values().get() == before
    assert Message.objects.count() == 1


def test_a_reference_far_ahead_is_refused_and_the_counter_stays_at_six_digits(
    prefecture, service, tmp_path
):
    text = _refused(
        prefecture, tmp_path, "2026-999999,chef-lieu,sejour,courriel,information,,2026-03-02,,\n"
    )
    assert "ligne 2, colonne « reference » : référence 2026-999999 au-delà de 2026-899999" in text
    _import(
        prefecture, tmp_path, "2026-899999,chef-lieu,sejour,courriel,information,,2026-03-02,,\n"
    )
    assert _web_message(prefecture, service).reference == "2026-900000"


def test_a_free_reference_is_taken_and_the_counter_moves_past_it(prefecture, service, tmp_path):
    first = _web_message(prefecture, service)
    assert first.reference == "2026-000001"
    _import(
        prefecture, tmp_path, "2026-000040,chef-lieu,sejour,courriel,information,,2026-03-02,,\n"
    )
    imported = Message.objects.get(reference="2026-000040")
    assert imported.imported and imported.external_reference == ""
    assert _web_message(prefecture, service).reference == "2026-000041"
    assert not Message.objects.get(reference="2026-000041").imported


def test_a_register_numbering_of_its_own_is_kept_as_external_reference(
    prefecture, service, tmp_path
):
    rows = (
        "CR-19-0419,chef-lieu,sejour,courrier,reclamation,Délai séjour,2026-03-02,,\n"
        "2026-000007,chef-lieu,sejour,courriel,information,,2026-03-03,,\n"
        "CR-19-0420,chef-lieu,,courriel,information,,2026-03-04,,\n"
    )
    _import(prefecture, tmp_path, rows)
    external = Message.objects.get(external_reference="CR-19-0419")
    # The counter moved past 2026-000007 before the external lines got their references.
    assert external.reference == "2026-000008" and external.imported
    assert Message.objects.get(external_reference="CR-19-0420").reference == "2026-000009"
    # Importing it again updates that message, not a new one.
    _import(prefecture, tmp_path, rows.replace("2026-03-02,,", "2026-03-02,2026-03-05,"))
    assert Message.objects.count() == 3
    external.refresh_from_db()
    assert external.status == Status.ANSWERED and external.reference == "2026-000008"
    assert external.events.count() == 2


def test_the_import_reads_what_french_spreadsheets_save(prefecture, service, tmp_path):
    header = HEADER.replace(",", ";")
    rows = "2026-000001;Chef-Lieu;SEJOUR;Courriel;Réclamation;Délai séjour;02/03/2026;;\n"
    _import(prefecture, tmp_path, rows, encoding="cp1252", header=header)
    message = Message.objects.get()
    assert message.topic.name == "Délai séjour" and message.received_on.day == 2
    assert (message.site.slug, message.service.slug, message.kind) == (
        "chef-lieu",
        "sejour",
        Kind.COMPLAINT,
    )


def test_a_site_of_another_prefecture_is_refused_naming_the_valid_ones(
    prefecture, service, other_site, tmp_path
):
    """The codes are read as every import reads them: in any case and with their accents
    ("Réclamation" is `reclamation`), and an unknown site or service names the valid ones."""
    from tests.factories import SiteFactory

    elsewhere = SiteFactory(slug="ailleurs")
    text = _refused(
        prefecture,
        tmp_path,
        f"2026-000001,{elsewhere.slug},,courriel,information,,2026-03-02,,\n"
        "2026-000002,chef-lieu,naturalisation,courriel,information,,2026-03-02,,\n"
        "2026-000003,sous-pref,sejour,courriel,information,,2026-03-02,,\n",
    )
    assert (
        "ligne 2, colonne « site » : site « ailleurs » inconnu ; valeurs possibles : "
        "chef-lieu, sous-pref" in text
    )
    assert (
        "ligne 3, colonne « service » : service du site chef-lieu « naturalisation » inconnu ; "
        "valeurs possibles : sejour" in text
    )
    assert "ligne 4, colonne « service » : le site sous-pref n'a aucun service" in text
    assert Message.objects.count() == 0


def test_a_message_closed_in_the_product_is_not_reopened_by_a_reimport(
    prefecture, service, tmp_path, agent
):
    """An agent closed an imported message as a duplicate; importing the register's file
    again (no reason on that line) reopened it, late again in the figures. A line with
    neither answer nor reason does not reopen what an agent closed; an answer date given
    later still applies."""
    from engagements.correspondence.services.messages import close_message

    row = "2026-000001,chef-lieu,sejour,courriel,information,Délai,2026-03-02,,\n"
    _import(prefecture, tmp_path, row)
    close_message(Message.objects.get(), reason="duplicate", actor=agent)
    _import(prefecture, tmp_path, row.replace("Délai", "Délai séjour"))
    message = Message.objects.get()
    assert (message.status, message.closed_reason, message.topic.name) == (
        Status.CLOSED,
        "duplicate",
        "Délai séjour",
    )
    _import(prefecture, tmp_path, row)  # the import's own change above does not unlock it
    assert Message.objects.get().status == Status.CLOSED
    with time_machine.travel(date(2026, 3, 20), tick=False):
        _import(prefecture, tmp_path, row.replace(",2026-03-02,,", ",2026-03-02,2026-03-04,"))
    assert Message.objects.get().status == Status.ANSWERED


def test_a_message_reclassified_in_the_product_keeps_its_class_after_a_reimport(
    prefecture, service, other_service, tmp_path, agent, capsys
):
    """An agent moved an imported message to another service and made it a complaint;
    importing the register's file again put it back (service, site, kind and due date).
    A later change of the file's other cells still applies."""
    from engagements.correspondence.services.messages import update_classification

    row = "2026-000001,chef-lieu,sejour,courriel,information,Délai,2026-03-02,,\n"
    _import(prefecture, tmp_path, row)
    message = Message.objects.get()
    update_classification(
        message, actor=agent, kind=Kind.COMPLAINT, topic=message.topic, service=other_service
    )
    message.refresh_from_db()
    moved = (message.kind, message.service, message.site, message.due_on)
    capsys.readouterr()
    _import(prefecture, tmp_path, row)
    message.refresh_from_db()
    assert (message.kind, message.service, message.site, message.due_on) == moved
    assert (
        "1 message reclassé dans l'application depuis le dernier import garde sa nature, son "
        "thème et son service : 2026-000001."
    ) in capsys.readouterr().out
    with time_machine.travel(date(2026, 3, 20), tick=False):
        _import(prefecture, tmp_path, row.replace(",2026-03-02,,", ",2026-03-02,2026-03-04,"))
    message.refresh_from_db()
    assert (message.status, message.service) == (Status.ANSWERED, other_service)
    _import(prefecture, tmp_path, row.replace(",2026-03-02,,", ",2026-03-02,2026-03-04,"))
    message.refresh_from_db()
    assert (message.kind, message.service) == (Kind.COMPLAINT, other_service)


def test_a_topic_wrapped_in_its_cell_is_the_same_topic(prefecture, service, tmp_path):
    """A cell wrapped in the spreadsheet (a quoted line break) or typed with two spaces
    created topics "Délai\nséjour" and "Délai  séjour" beside "Délai séjour"."""
    _import(
        prefecture,
        tmp_path,
        "2026-000001,chef-lieu,sejour,courriel,information,Délai séjour,2026-03-02,,\n"
        '2026-000002,chef-lieu,sejour,courriel,information,"Délai\nséjour",2026-03-02,,\n'
        "2026-000003,chef-lieu,sejour,courriel,information,Délai  séjour ,2026-03-02,,\n",
    )
    assert set(Message.objects.values_list("topic__name", flat=True)) == {"Délai séjour"}


def test_a_250_character_topic_is_a_line_error(prefecture, service, tmp_path):
    text = _refused(
        prefecture,
        tmp_path,
        f"2026-000001,chef-lieu,sejour,courriel,information,{'t' * 250},2026-03-02,,\n",
    )
    assert "ligne 2, colonne « topic » : 250 caractères, 200 au plus" in text
    assert Message.objects.count() == 0


def test_a_date_to_come_is_a_line_error(prefecture, service, tmp_path):
    """As on the agents' entry form: a message is not received, nor answered, after today."""
    with time_machine.travel(date(2026, 3, 10), tick=False):
        text = _refused(
            prefecture,
            tmp_path,
            "2026-000001,chef-lieu,sejour,courriel,information,,2026-03-02,2026-03-11,\n"
            "2026-000002,chef-lieu,sejour,courriel,information,,2027-03-02,,\n",
        )
    assert "ligne 2, colonne « answered_on » : date à venir (11/03/2026)" in text
    assert "ligne 3, colonne « received_on » : date à venir (02/03/2027)" in text
    assert Message.objects.count() == 0


def test_the_import_passes_the_table_of_broken_files(prefecture, service):
    from engagements.correspondence.services.imports import import_messages
    from tests.csv_cases import assert_refuses_broken_files

    good = "2026-000001,chef-lieu,sejour,courriel,information,Délai,2026-03-02,,"
    assert_refuses_broken_files(
        lambda data: import_messages(prefecture, data),
        header=HEADER.strip(),
        good_line=good,
        text_column="topic",
        digit_column="received_on",
        written=lambda: Message.objects.count(),
    )


def test_columns_the_import_does_not_read_are_named(prefecture, service, tmp_path):
    # A misspelt optional column ("social_acount") was dropped without a word; a
    # spreadsheet's own notes column is still allowed.
    import io

    header = HEADER.rstrip("\n") + ",social_acount,notes,\n"
    rows = "2026-000001,chef-lieu,sejour,courriel,information,,2026-03-02,,,Facebook,vu,\n"
    path = tmp_path / "registre.csv"
    path.write_text(header + rows)
    out = io.StringIO()
    call_command("import_correspondence", "--prefecture", prefecture.slug, str(path), stdout=out)
    assert Message.objects.get().social_account == ""
    assert (
        "Colonnes non lues (ni obligatoires ni facultatives) : social_acount, notes\n"
        in out.getvalue()
    )


def test_the_imports_page_names_them_too(prefecture, service):
    from engagements.correspondence import import_kinds

    data = (
        HEADER.rstrip("\n")
        + ",social_acount\n2026-000001,chef-lieu,sejour,courriel,information,,2026-03-02,,,x\n"
    )
    summary = import_kinds.run(prefecture, data, filename="r.csv", options={}, actor=None)
    assert "Colonnes non lues (ni obligatoires ni facultatives) : social_acount" in summary.notes
