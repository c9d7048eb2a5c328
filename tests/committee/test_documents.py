"""Documents attached to a meeting or an agenda item (issue 23, item 3): the types checked
by their bytes, served as downloads under safe names, sent to the members with the
invitation and the draft minutes (read back from the mails), and published with the
approved minutes only, never before; who may upload and download what."""

import io
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.committee.enums import DocumentAudience
from engagements.committee.models import MeetingDocument
from engagements.committee.services import documents, meetings, minutes
from tests.committee.factories import AgendaItemFactory, CommitteeFactory, SeatFactory, at

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 diaporama du comite"


def office(kind: str) -> bytes:
    """A minimal archive of the given office kind, as the office suites write them; the same
    bytes at every call (fixed member dates, not the clock's)."""
    buffer = io.BytesIO()

    def member(name: str) -> zipfile.ZipInfo:
        return zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))

    with zipfile.ZipFile(buffer, "w") as archive:
        if kind in documents.OOXML_PART:
            archive.writestr(member("[Content_Types].xml"), "<Types/>")
            archive.writestr(member(documents.OOXML_PART[kind]), "<x/>")
        else:
            archive.writestr(member("mimetype"), documents.KINDS[kind].content_type)
            archive.writestr(member("content.xml"), "<x/>")
    return buffer.getvalue()


@pytest.fixture
def committee(prefecture, committee_member):
    committee = CommitteeFactory(prefecture=prefecture)
    # A member who logs in to the members' space: her mails link to it.
    SeatFactory(committee=committee, email="alix@example.test", user=committee_member)
    return committee


@pytest.fixture
def meeting(committee):
    meeting = meetings.plan_meeting(committee, starts_at=at(date(2025, 3, 10)), place="Salle A")
    AgendaItemFactory(meeting=meeting, title="Résultats de l'enquête")
    return meeting


def read(response) -> bytes:
    return response.content


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize("kind", ["odp", "pptx", "odt", "docx", "ods", "xlsx"])
def test_office_documents_are_recognised_by_their_inside(meeting, kind):
    document = documents.add_document(
        meeting,
        upload=upload(f"Présentation ÉTÉ 2025.{kind}", office(kind)),
        title="Présentation",
        audience=DocumentAudience.MEMBERS,
    )
    assert document.content_type == documents.KINDS[kind].content_type
    assert document.name == f"presentation-ete-2025.{kind}"
    # Another kind of archive under this extension is refused.
    other = "docx" if kind != "docx" else "xlsx"
    with pytest.raises(documents.DocumentError, match="ne correspond pas"):
        documents.check_document(upload(f"faux.{kind}", office(other)))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.pdf", b"MZ\x90\x00", "ne correspond pas"),
        ("image.png", b"\xff\xd8\xff\xe0jpeg", "ne correspond pas"),
        ("script.exe", b"MZ\x90\x00", "Formats acceptés"),
        ("page.html", b"<script>", "Formats acceptés"),
        ("sans-extension", PDF, "Formats acceptés"),
        ("archive.docx", b"PK\x03\x04 broken", "ne correspond pas"),
    ],
)
def test_other_files_are_refused_and_nothing_is_stored(meeting, name, content, message):
    with pytest.raises(documents.DocumentError, match=message):
        documents.add_document(meeting, upload=upload(name, content), title="X", audience="members")
    assert not MeetingDocument.objects.exists()


def test_the_size_is_limited(meeting, monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", len(PDF) - 1)
    with pytest.raises(documents.DocumentError, match="20 Mo"):
        documents.add_document(meeting, upload=upload("d.pdf", PDF), title="D", audience="public")


def test_the_quality_lead_uploads_members_download_others_cannot(
    meeting, prefecture, quality_lead, committee_member, agent, client_for, client
):
    item = meeting.agenda.get()
    add = reverse("committee:agents-document-add", args=[prefecture.slug, meeting.pk])
    response = client_for(quality_lead).post(
        add,
        {
            "file": upload("Résultats enquête 2024 (final).pdf", PDF),
            "title": "Résultats de l'enquête",
            "agenda_item": str(item.pk),
            "audience": "public",
        },
    )
    assert response.status_code == 302
    document = MeetingDocument.objects.get()
    assert (document.agenda_item, document.audience) == (item, DocumentAudience.PUBLIC)
    assert document.name == "resultats-enquete-2024-final.pdf"
    assert "Résultats" not in document.file.name  # stored under a random name
    page = client_for(quality_lead).get(
        reverse("committee:agents-meeting", args=[prefecture.slug, meeting.pk])
    )
    assert "Résultats de l&#x27;enquête" in page.content.decode()
    # A member of the committee downloads it, as an attachment under its safe name.
    url = reverse("committee:members-document", args=[prefecture.slug, document.pk])
    response = client_for(committee_member).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == 'attachment; filename="resultats-enquete-2024-final.pdf"'
    )
    assert read(response) == PDF
    # Neither a member nor an agent of the register uploads; an agent without the
    # committee capability does not download; an anonymous visitor is sent to log in.
    assert client_for(committee_member).post(add, {"file": upload("x.pdf", PDF)}).status_code == 403
    assert client_for(agent).get(url).status_code == 403
    assert client.get(url).status_code == 302
    # A refused file says why and writes nothing.
    response = client_for(quality_lead).post(
        add, {"file": upload("rapport.pdf", b"MZ"), "audience": "members"}, follow=True
    )
    assert "ne correspond pas à son extension .pdf" in response.content.decode()
    assert MeetingDocument.objects.count() == 1


def test_members_get_the_documents_with_the_invitation_and_the_draft_minutes(
    meeting,
    prefecture,
    committee_member,
    client_for,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    item = meeting.agenda.get()
    slides = documents.add_document(
        meeting,
        upload=upload("diaporama.odp", office("odp")),
        title="Diaporama de séance",
        audience=DocumentAudience.PUBLIC,
        agenda_item=item,
    )
    table = documents.add_document(
        meeting,
        upload=upload("Tableau des réclamations.xlsx", office("xlsx")),
        title="Tableau des réclamations",
        audience=DocumentAudience.MEMBERS,
    )
    with (
        time_machine.travel("2025-02-20 09:00 +01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        meetings.send_invitation(meeting)
    body = mailoutbox[-1].body
    assert mailoutbox[-1].to == ["alix@example.test"]
    assert "Diaporama de séance (point « Résultats de l'enquête »), diaporama.odp" in body
    assert "Tableau des réclamations, tableau-des-reclamations.xlsx — réservé aux membres" in body
    links = re.findall(r"https?://\S+/espace/documents/\d+/", body)
    assert len(links) == 2
    # The links open for a member: the files themselves.
    member = client_for(committee_member)
    downloaded = {}
    for link in links:
        response = member.get(urlsplit(link).path)
        name = re.search(r'filename="([^"]+)"', response["Content-Disposition"]).group(1)
        downloaded[name] = read(response)
    assert downloaded == {
        "diaporama.odp": office("odp"),
        "tableau-des-reclamations.xlsx": office("xlsx"),
    }
    # The draft minutes carry them too.
    meetings.mark_held(meeting)
    draft = minutes.start_minutes(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        minutes.send_for_observations(draft)
    body = mailoutbox[-1].body
    assert "projet de" in body.lower()
    for document in (slides, table):
        assert document.title in body
        assert reverse("committee:members-document", args=[prefecture.slug, document.pk]) in body


def test_public_documents_are_published_with_the_approved_minutes_never_before(
    meeting, prefecture, client
):
    public = documents.add_document(
        meeting, upload=upload("diaporama.pdf", PDF), title="Diaporama", audience="public"
    )
    private = documents.add_document(
        meeting, upload=upload("notes.pdf", PDF), title="Notes internes", audience="members"
    )
    page_url = reverse("committee:public", args=[prefecture.slug])
    public_url = reverse("committee:public-document", args=[prefecture.slug, public.pk])
    private_url = reverse("committee:public-document", args=[prefecture.slug, private.pk])

    def state():
        page = client.get(page_url).content.decode()
        response = client.get(public_url)
        return ("Diaporama" in page, response.status_code)

    assert state() == (False, 404)
    meetings.change_status(meeting, "convened")
    meetings.mark_held(meeting)
    draft = minutes.start_minutes(meeting)
    minutes.send_for_observations(draft)
    assert state() == (False, 404)  # a draft sent to the members
    draft.refresh_from_db()
    # Approved once the observation period it announced has ended (issue 19).
    with time_machine.travel(draft.observations_until + timedelta(days=1), tick=False):
        minutes.approve_minutes(draft)
    assert state() == (False, 404)  # approved, not yet published
    minutes.publish_minutes(draft)
    assert state() == (True, 200)
    response = client.get(public_url)
    assert response["Content-Disposition"] == 'attachment; filename="diaporama.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert read(response) == PDF
    english = client.get("/en" + page_url).content.decode()
    assert "Documents presented at the meeting" in english and "Diaporama" in english
    # The document is in French, and the English page says so (and marks its title).
    assert 'hreflang="fr"><span lang="fr">Diaporama</span>' in english
    assert "in French</span>" in english
    assert ", en français</span></a></li>" not in client.get(page_url).content.decode()
    # A members' document is never public.
    assert "Notes internes" not in client.get(page_url).content.decode()
    assert client.get(private_url).status_code == 404
    # Once published, a public document cannot be taken back; a members' one can.
    with pytest.raises(documents.DocumentError, match="publié"):
        documents.remove_document(public)
    documents.remove_document(private)
    assert list(MeetingDocument.objects.all()) == [public]


def test_a_document_of_another_prefecture_is_not_found(
    meeting, prefecture, other_prefecture, outsider, client_for, client
):
    document = documents.add_document(
        meeting, upload=upload("d.pdf", PDF), title="D", audience="public"
    )
    other = reverse("committee:public-document", args=[other_prefecture.slug, document.pk])
    assert client.get(other).status_code == 404
    mine = reverse("committee:members-document", args=[prefecture.slug, document.pk])
    assert client_for(outsider).get(mine).status_code == 404
    # An agenda item of another meeting cannot carry it.
    another = meetings.plan_meeting(meeting.committee, starts_at=at(date(2025, 6, 10)))
    with pytest.raises(documents.DocumentError, match="pas à l'ordre du jour"):
        documents.add_document(
            another,
            upload=upload("d.pdf", PDF),
            title="D",
            audience="members",
            agenda_item=meeting.agenda.get(),
        )


def test_deleting_a_meeting_in_the_admin_removes_its_files(
    meeting, admin_client, django_capture_on_commit_callbacks
):
    kept = meetings.plan_meeting(meeting.committee, starts_at=at(date(2025, 6, 2)), place="B")
    first = documents.add_document(
        meeting, upload=upload("d.pdf", PDF), title="Diaporama", audience="members"
    )
    other = documents.add_document(
        kept, upload=upload("e.pdf", PDF), title="Autre", audience="members"
    )
    path, other_path = Path(first.file.path), Path(other.file.path)
    assert path.exists() and other_path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:committee_meeting_delete", args=[meeting.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not MeetingDocument.objects.filter(pk=first.pk).exists()
    assert not path.exists()  # no orphan file left on disk
    assert other_path.exists()  # another meeting's file is untouched
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:committee_meeting_changelist"),
            {"action": "delete_selected", "_selected_action": [kept.pk], "post": "yes"},
        )
    assert not other_path.exists()


def test_a_document_without_a_title_is_named_once_in_the_mails_and_the_members_space(
    meeting,
    prefecture,
    committee_member,
    client_for,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """Without a title the document goes by its file's name: the mails and the members'
    space name it once, not "bilan.pdf, bilan.pdf"."""
    documents.add_document(
        meeting, upload=upload("bilan.pdf", PDF), title="", audience=DocumentAudience.MEMBERS
    )
    with (
        time_machine.travel("2025-02-20 09:00 +01:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        meetings.send_invitation(meeting)
        space = client_for(committee_member).get(
            reverse("committee:members-space", args=[prefecture.slug])
        )
    assert "- bilan.pdf — réservé aux membres" in mailoutbox[-1].body
    html = " ".join(space.content.decode().split())
    assert html.count("bilan.pdf") == 1 and "bilan.pdf, " not in html
    meetings.mark_held(meeting)
    draft = minutes.start_minutes(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        minutes.send_for_observations(draft)
    assert "- bilan.pdf — réservé aux membres" in mailoutbox[-1].body
