"""Documents attached to a meeting or an agenda item (issue 23, item 3).

Accepted: PDF, presentations (ODP, PPTX), texts (ODT, DOCX), tables (ODS, XLSX) and images
(PNG, JPEG), 20 MB at most. A file is recognised by its extension AND its bytes (a PDF
starts with %PDF-, the office formats are ZIP archives whose inside names their kind, the
images have their signatures): a renamed executable is refused. Each document is for the
members or also for the public; public ones are published with the approved minutes."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from ..enums import DocumentAudience, MeetingStatus, MinutesStatus
from ..models import AgendaItem, Meeting, MeetingDocument

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class DocumentError(Exception):
    """A document refused (message in French, shown as is)."""


@dataclass(frozen=True)
class Kind:
    content_type: str
    label: str


KINDS = {
    "pdf": Kind("application/pdf", "PDF"),
    "odp": Kind("application/vnd.oasis.opendocument.presentation", "présentation ODP"),
    "odt": Kind("application/vnd.oasis.opendocument.text", "texte ODT"),
    "ods": Kind("application/vnd.oasis.opendocument.spreadsheet", "tableur ODS"),
    "pptx": Kind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "présentation PPTX",
    ),
    "docx": Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "texte DOCX"
    ),
    "xlsx": Kind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "tableur XLSX"
    ),
    "png": Kind("image/png", "image PNG"),
    "jpg": Kind("image/jpeg", "image JPEG"),
}
ALIASES = {"jpeg": "jpg"}
ACCEPT = ",".join(f".{e}" for e in [*KINDS, *ALIASES])
# The part an Office Open XML archive of each kind must hold.
OOXML_PART = {
    "pptx": "ppt/presentation.xml",
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
}


def _zip_kind(head: bytes, data: bytes, extension: str) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if extension in OOXML_PART:
                return "[Content_Types].xml" in names and OOXML_PART[extension] in names
            # OpenDocument: a first "mimetype" entry naming the kind.
            return (
                "mimetype" in names
                and archive.read("mimetype").decode("ascii", "replace").strip()
                == KINDS[extension].content_type
            )
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError):
        return False


def check_document(upload) -> tuple[str, Kind]:
    """The checked extension and kind of an upload, or DocumentError saying why not."""
    if upload is None:
        raise DocumentError("Choisissez un fichier.")
    if upload.size > MAX_DOCUMENT_BYTES:
        raise DocumentError("Le fichier dépasse 20 Mo : réduisez-le ou découpez-le.")
    extension = (upload.name or "").rpartition(".")[2].lower() if "." in (upload.name or "") else ""
    extension = ALIASES.get(extension, extension)
    if extension not in KINDS:
        raise DocumentError("Formats acceptés : PDF, ODP, PPTX, ODT, DOCX, ODS, XLSX, PNG et JPEG.")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    head = data[:8]
    if extension == "pdf":
        ok = head.startswith(b"%PDF-")
    elif extension == "png":
        ok = head.startswith(b"\x89PNG\r\n\x1a\n")
    elif extension == "jpg":
        ok = head.startswith(b"\xff\xd8\xff")
    else:
        ok = _zip_kind(head, data, extension)
    if not ok:
        raise DocumentError(
            f"Le contenu du fichier ne correspond pas à son extension .{extension} : "
            "enregistrez-le à nouveau dans ce format."
        )
    return extension, KINDS[extension]


def safe_name(title: str, original: str, extension: str) -> str:
    """A download name made of plain letters, digits and dashes, with the checked extension."""
    stem = slugify(original.rpartition(".")[0] if "." in original else original)
    stem = stem or slugify(title) or "document"
    return f"{stem[:80]}.{extension}"


def add_document(
    meeting: Meeting,
    *,
    upload,
    title: str,
    audience: str,
    agenda_item: AgendaItem | None = None,
    actor=None,
) -> MeetingDocument:
    """Attach a document to a meeting (or one of its agenda items)."""
    title = (title or "").strip()
    if audience not in DocumentAudience.values:
        raise DocumentError("Choisissez pour qui est le document : membres ou public.")
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise DocumentError("Ce point n'est pas à l'ordre du jour de cette réunion.")
    if meeting.status == MeetingStatus.CANCELLED:
        raise DocumentError("Cette réunion est annulée.")
    extension, kind = check_document(upload)
    name = safe_name(title, upload.name or "", extension)
    with transaction.atomic():
        document = MeetingDocument(
            meeting=meeting,
            agenda_item=agenda_item,
            title=title or name,
            audience=audience,
            name=name,
            content_type=kind.content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        document.file.save(name, upload, save=False)
        document.save()
    return document


def remove_document(document: MeetingDocument) -> None:
    """Take a document off; a public one already published with approved minutes stays."""
    if document.is_public and is_published(document.meeting):
        raise DocumentError(
            "Ce document est publié avec le relevé approuvé : il ne peut plus être retiré."
        )
    with transaction.atomic():
        document.delete()
    transaction.on_commit(lambda: document.file.delete(save=False))


def delete_meetings(meetings) -> None:
    """Delete meetings (the admin's delete) with their documents' files, once committed: a
    file whose row is gone is never left on disk."""
    names = list(
        MeetingDocument.objects.filter(meeting__in=meetings).values_list("file", flat=True)
    )
    with transaction.atomic():
        for meeting in meetings:
            meeting.delete()
    storage = MeetingDocument._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name])


def is_published(meeting: Meeting) -> bool:
    """Public documents go out with approved, published minutes, never before."""
    return meeting.minutes.filter(
        status=MinutesStatus.APPROVED, published_at__isnull=False
    ).exists()


def public_documents(meeting_ids) -> dict[int, list[MeetingDocument]]:
    """The public documents of meetings whose approved minutes are published."""
    published = (
        Meeting.objects.filter(
            pk__in=meeting_ids,
            minutes__status=MinutesStatus.APPROVED,
            minutes__published_at__isnull=False,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    out: dict[int, list[MeetingDocument]] = {}
    for document in MeetingDocument.objects.filter(
        meeting__in=list(published), audience=DocumentAudience.PUBLIC
    ).select_related("agenda_item"):
        out.setdefault(document.meeting_id, []).append(document)
    return out


def for_members(meeting: Meeting) -> list[dict]:
    """Every document of the meeting with its members' download link (for the mails)."""
    from django.conf import settings
    from django.urls import reverse

    slug = meeting.committee.prefecture.slug
    return [
        {
            "document": document,
            "url": settings.SITE_URL
            + reverse("committee:members-document", args=[slug, document.pk]),
        }
        for document in meeting.documents.select_related("agenda_item")
    ]
