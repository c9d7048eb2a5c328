"""import_committee_members: the contract (columns, identity, all or nothing, logins)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from engagements.committee.models import College, Seat
from engagements.organisation.enums import RoleKind
from engagements.organisation.models import Role
from engagements.outbox.models import Delivery

HEADER = "college,organisation,first_name,last_name,email,seat,mandate_start,mandate_end\n"
ROWS = (
    "Associations,Association des paralysés du Bocage,Léa,Fictive,lea.fictive@asso.test,"
    "titulaire,2024-01-01,\n"
    "Associations,Association des paralysés du Bocage,,,,suppleant,01/01/2024,31/12/2026\n"
    "Élus,Mairie de Villefictive,Marc,Imaginaire,,titulaire,2024-01-01,\n"
    "Partenaires,La Poste,Inès,Inventée,ines.inventee@partenaire.test,suppleant,2024-01-01,\n"
)


def _import(tmp_path, prefecture, text, encoding="utf-8", name="membres.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    call_command("import_committee_members", "--prefecture", prefecture.slug, str(path))


def _state():
    return sorted(
        Seat.objects.values_list(
            "college__name",
            "organisation",
            "first_name",
            "last_name",
            "email",
            "kind",
            "mandate_start",
            "mandate_end",
        )
    )


@pytest.mark.django_db
def test_import_creates_colleges_seats_and_logins(tmp_path, prefecture, mailoutbox):
    _import(tmp_path, prefecture, HEADER + ROWS)
    assert sorted(College.objects.values_list("name", flat=True)) == [
        "Associations",
        "Partenaires",
        "Élus",
    ]
    assert Seat.objects.count() == 4
    organisation_seat = Seat.objects.get(first_name="", kind="suppleant")
    assert organisation_seat.mandate_end == date(2026, 12, 31)
    assert organisation_seat.mandate_start == date(2024, 1, 1)
    # Logins only for named people with an e-mail: Léa and Inès, not Marc nor the org seat.
    members = Role.objects.filter(prefecture=prefecture, kind=RoleKind.COMMITTEE_MEMBER)
    assert sorted(members.values_list("user__email", flat=True)) == [
        "ines.inventee@partenaire.test",
        "lea.fictive@asso.test",
    ]
    invitations = Delivery.objects.filter(purpose="committee-member-invitation")
    assert invitations.count() == 2
    user = get_user_model().objects.get(email="lea.fictive@asso.test")
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_importing_twice_changes_nothing(tmp_path, prefecture):
    _import(tmp_path, prefecture, HEADER + ROWS)
    before = _state()
    users = get_user_model().objects.count()
    deliveries = Delivery.objects.count()
    _import(tmp_path, prefecture, HEADER + ROWS)
    assert _state() == before
    assert get_user_model().objects.count() == users
    assert Delivery.objects.count() == deliveries


@pytest.mark.django_db
def test_a_mandate_ended_on_the_page_stays_ended_after_a_reimport(tmp_path, prefecture):
    """Léa resigned: her mandate was ended on the committee's page. Re-importing the
    members' file (her end date empty there) reopened it: back on the invitations and in
    the quorum. An empty end keeps a recorded one; a date in the file still sets it."""
    from engagements.committee.services.members import end_mandate

    _import(tmp_path, prefecture, HEADER + ROWS)
    end_mandate(Seat.objects.get(first_name="Léa"), on=date(2025, 6, 30))
    _import(tmp_path, prefecture, HEADER + ROWS)
    assert Seat.objects.get(first_name="Léa").mandate_end == date(2025, 6, 30)
    _import(
        tmp_path, prefecture, HEADER + ROWS.replace("2024-01-01,\n", "2024-01-01,2025-09-30\n", 1)
    )
    assert Seat.objects.get(first_name="Léa").mandate_end == date(2025, 9, 30)


def test_a_mandate_ended_on_the_page_is_not_reopened_by_the_file_imported_before(
    tmp_path, prefecture, capsys
):
    """The file gave the end planned for the mandate (2026-12-31); the member resigned and
    her mandate was ended on the committee's page. Importing the file again (unchanged)
    moved the end back to 2026-12-31: the mandate reopened."""
    from engagements.committee.services.members import end_mandate

    _import(tmp_path, prefecture, HEADER + ROWS)
    seat = Seat.objects.get(kind="suppleant", organisation__contains="paralysés")
    end_mandate(seat, on=date(2025, 6, 30))
    capsys.readouterr()
    _import(tmp_path, prefecture, HEADER + ROWS)
    seat.refresh_from_db()
    assert seat.mandate_end == date(2025, 6, 30)
    assert (
        "1 fin de mandat modifiée sur la page du comité depuis le dernier import est gardée : "
        "Association des paralysés du Bocage (Associations)."
    ) in capsys.readouterr().out
    # A file giving another end than the last import's still sets it.
    _import(tmp_path, prefecture, HEADER + ROWS.replace("31/12/2026", "31/12/2025"))
    seat.refresh_from_db()
    assert seat.mandate_end == date(2025, 12, 31)


@pytest.mark.django_db
def test_renewed_mandate_is_a_new_row_and_past_stays(tmp_path, prefecture):
    _import(tmp_path, prefecture, HEADER + ROWS)
    renewed = (
        "Associations,Association des paralysés du Bocage,Léa,Fictive,lea.fictive@asso.test,"
        "titulaire,2027-01-01,\n"
    )
    _import(tmp_path, prefecture, HEADER + renewed)
    leas = Seat.objects.filter(last_name="Fictive").order_by("mandate_start")
    assert [s.mandate_start for s in leas] == [date(2024, 1, 1), date(2027, 1, 1)]
    assert Seat.objects.count() == 5


@pytest.mark.django_db
def test_semicolon_windows_1252(tmp_path, prefecture):
    text = (HEADER + ROWS).replace(",", ";")
    _import(tmp_path, prefecture, text, encoding="cp1252")
    assert College.objects.filter(name="Élus").exists()
    assert Seat.objects.filter(first_name="Léa").exists()


@pytest.mark.django_db
def test_errors_name_the_line_and_nothing_is_written(tmp_path, prefecture):
    bad = (
        HEADER
        + ROWS
        + "Associations,,Jean,Sansnom,,titulaire,2024-01-01,\n"
        + "Associations,UDAF fictive,Paul,Test,pas-une-adresse,membre,2024-13-01,\n"
        + "Associations,UDAF fictive,Paul,Test,,titulaire,2025-01-01,2024-01-01\n"
    )
    with pytest.raises(CommandError) as error:
        _import(tmp_path, prefecture, bad)
    message = str(error.value)
    assert "ligne 6" in message and "organisation" in message
    assert "ligne 7" in message and "seat" in message and "mandate_start" in message
    assert "email" in message
    assert "ligne 8" in message
    # One heading, then the lines (the reader's own heading is not repeated under it).
    assert message.splitlines()[0] == "Fichier refusé, rien n'a été importé :"
    assert message.splitlines()[1].startswith("ligne 6")
    assert "Import refusé" not in message
    assert Seat.objects.count() == 0
    assert College.objects.count() == 0


@pytest.mark.django_db
def test_missing_column_is_refused(tmp_path, prefecture):
    with pytest.raises(CommandError):
        _import(tmp_path, prefecture, "college,organisation,seat\nA,B,titulaire\n")


@pytest.mark.django_db
def test_unknown_prefecture(tmp_path, prefecture):
    path = tmp_path / "m.csv"
    path.write_text(HEADER + ROWS)
    with pytest.raises(CommandError):
        call_command("import_committee_members", "--prefecture", "nowhere", str(path))


@pytest.mark.django_db
def test_invitation_link_sets_a_password(
    tmp_path, prefecture, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _import(tmp_path, prefecture, HEADER + ROWS)
    mail = next(m for m in mailoutbox if "lea.fictive@asso.test" in m.to)
    # How long the link lasts (Django's three days), and whom to ask after: it said
    # "valable quelques jours".
    text = " ".join(mail.body.split())
    assert "en suivant ce lien, valable 3 jours :" in text
    assert f"demandez-nous un nouveau lien à {prefecture.email} ou au {prefecture.phone}." in text
    url = next(line for line in mail.body.splitlines() if "/comite/acces/" in line).strip()
    path = url.split("127.0.0.1:8000", 1)[-1] if "://" in url else url
    path = "/" + path.split("/", 3)[3] if "://" in path else path
    response = client.get(path)
    assert response.status_code == 200
    response = client.post(
        path,
        {
            "new_password1": "Un-mot-de-passe-solide-42",
            "new_password2": "Un-mot-de-passe-solide-42",
        },
    )
    assert response.status_code == 302
    member = get_user_model().objects.get(username="lea.fictive@asso.test")
    assert member.check_password("Un-mot-de-passe-solide-42")
    # The link works once.
    assert client.get(path).status_code == 400


@pytest.mark.django_db
def test_an_unknown_civility_is_named_in_agreement(tmp_path, prefecture):
    text = HEADER.replace("\n", ",civility\n") + ROWS.splitlines()[0] + ",mlle\n"
    with pytest.raises(CommandError) as error:
        _import(tmp_path, prefecture, text)
    assert "civilité « mlle » inconnue ; valeurs possibles" in str(error.value)


@pytest.mark.django_db
def test_a_seats_history_says_import_in_words(tmp_path, prefecture, admin_client):
    """The import's line in a seat's history stores a code ("import", which the next import
    matches on): the seat's history page says it in French, as it does an erasure."""
    from django.urls import reverse

    _import(tmp_path, prefecture, HEADER + ROWS)
    seat = Seat.objects.get(last_name="Fictive")
    created = seat.history.get(history_type="+")
    assert created.history_change_reason == "import"  # the code stays stored
    html = admin_client.get(
        reverse("admin:committee_seat_history", args=[seat.pk])
    ).content.decode()
    assert "Import de la liste des membres" in html
    assert ">import<" not in "".join(html.split())
