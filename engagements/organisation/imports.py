"""The "Imports" page's writes: a file previewed, kept, then confirmed (or cancelled).

The import kinds come from `engagements.shell.imports` (each app registers its own, calling
the service its command calls); this module only keeps the file between the two steps
(`ImportUpload`, in the database: several app servers) and the history (`ImportRun`), where
the `import_*` commands' runs are recorded too (`record_command_import`).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from engagements.csvio import CsvImportError, FilePreview, LineError, preview_rows
from engagements.shell.imports import (
    ImportKind,
    ImportSummary,
    run_import,
)

from .models import ImportRun, ImportUpload, Prefecture

UPLOAD_LIFETIME = timedelta(hours=24)
MAX_SHOWN_ERRORS = 200
# Kept in an imported run's options: the file's fingerprint, so that the same file dropped
# again is announced on its preview (survey answers, which have no key, are refused by their
# own import's service).
FILE_DIGEST = "file_sha256"


class ImportExpired(Exception):
    """The previewed file is gone (confirmed already, cancelled or too old)."""


@dataclass
class Preview:
    upload: ImportUpload
    summary: ImportSummary
    file: FilePreview
    already: ImportRun | None = None  # the same file, imported already with these options


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _already_imported(kind, prefecture, data: bytes, options: dict) -> ImportRun | None:
    """The latest run that imported these very bytes as this kind with the same options."""
    runs = ImportRun.objects.filter(
        prefecture=prefecture,
        kind=kind.code,
        result=ImportRun.Result.DONE,
        **{f"options__{FILE_DIGEST}": _digest(data)},
    ).select_related("user")
    for run in runs:
        if {k: v for k, v in run.options.items() if k != FILE_DIGEST} == options:
            return run
    return None


def record_run(
    kind,
    prefecture,
    user,
    file_name,
    rows,
    result,
    summary,
    options,
    *,
    source=ImportRun.Source.PAGE,
) -> ImportRun:
    """One line of the imports' history, from the page or the command line."""
    return ImportRun.objects.create(
        options=options,
        prefecture=prefecture,
        user=user,
        kind=kind.code,
        kind_label=kind.label,
        file_name=file_name[:255],
        rows=rows,
        result=result,
        summary=summary,
        source=source,
    )


def record_command_import(
    kind: ImportKind, prefecture, *, file, options: dict, refusal: Exception | None, output: str
) -> ImportRun | None:
    """An `import_*` command's run in the same history as the page's, without a user
    (`ImportCommand`). Nothing is recorded when there was no file to import into a known
    prefecture: the command said so and nothing was tried."""
    from pathlib import Path

    if prefecture is not None and not isinstance(prefecture, Prefecture):
        prefecture = Prefecture.objects.filter(slug=str(prefecture)).first()
    path = Path(file) if file else None
    if prefecture is None or path is None or not path.is_file():
        return None
    data = path.read_bytes()
    rows = preview_rows(data, kind.format_for(options)).total
    if refusal is None:
        result, summary = ImportRun.Result.DONE, output.strip()
        options = {**options, FILE_DIGEST: _digest(data)}
    else:
        cause = refusal.__cause__
        result = ImportRun.Result.REFUSED
        summary = _refusal_text(cause) if isinstance(cause, CsvImportError) else str(refusal)
    return record_run(
        kind,
        prefecture,
        None,
        path.name,
        rows,
        result,
        summary,
        options,
        source=ImportRun.Source.COMMAND,
    )


def _refusal_text(exc: CsvImportError) -> str:
    lines = exc.lines
    shown = "\n".join(lines[:MAX_SHOWN_ERRORS])
    more = len(lines) - MAX_SHOWN_ERRORS
    return shown + (f"\n… et {more} autres erreurs" if more > 0 else "")


def preview_import(
    kind: ImportKind,
    prefecture: Prefecture,
    *,
    user,
    data: bytes,
    file_name: str,
    options: dict,
) -> Preview:
    """Check the file with the kind's own service (rolled back) and keep it for the
    confirmation; a refused file is recorded in the history and raises CsvImportError."""
    shown = preview_rows(data, kind.format_for(options))
    try:
        summary = run_import(
            kind, prefecture, data, filename=file_name, options=options, actor=user, dry_run=True
        )
    except CsvImportError as exc:
        record_run(
            kind,
            prefecture,
            user,
            file_name,
            shown.total,
            ImportRun.Result.REFUSED,
            _refusal_text(exc),
            options,
        )
        raise
    upload = ImportUpload.objects.create(
        token=uuid.uuid4(),
        prefecture=prefecture,
        user=user,
        kind=kind.code,
        file_name=file_name[:255],
        data=data,
        options=options,
    )
    return Preview(upload, summary, shown, _already_imported(kind, prefecture, data, options))


def pending_upload(token, prefecture: Prefecture, user) -> ImportUpload:
    """The user's own file waiting in this prefecture (ImportExpired otherwise)."""
    upload = ImportUpload.objects.filter(
        token=token,
        prefecture=prefecture,
        user=user,
        created_at__gte=timezone.now() - UPLOAD_LIFETIME,
    ).first()
    if upload is None:
        raise ImportExpired("Ce fichier n'est plus en attente : déposez-le à nouveau.")
    return upload


def confirm_import(kind: ImportKind, upload: ImportUpload, *, user) -> ImportRun:
    """Import the kept file for real (all or nothing) and record it in the history.

    The upload row is locked and deleted in the import's transaction: a second click on
    "Confirmer" finds nothing and imports nothing twice."""
    rows = preview_rows(bytes(upload.data), kind.format_for(upload.options)).total
    try:
        with transaction.atomic():
            locked = ImportUpload.objects.select_for_update().filter(pk=upload.pk).first()
            if locked is None:
                raise ImportExpired("Ce fichier a déjà été importé ou abandonné.")
            summary = run_import(
                kind,
                upload.prefecture,
                bytes(locked.data),
                filename=locked.file_name,
                options=locked.options,
                actor=user,
            )
            run = record_run(
                kind,
                upload.prefecture,
                user,
                locked.file_name,
                rows,
                ImportRun.Result.DONE,
                "\n".join([summary.text(), *summary.notes]),
                {**locked.options, FILE_DIGEST: _digest(bytes(locked.data))},
            )
            locked.delete()
    except CsvImportError as exc:
        # The data changed since the preview (another import, an agent's edit).
        record_run(
            kind,
            upload.prefecture,
            user,
            upload.file_name,
            rows,
            ImportRun.Result.REFUSED,
            _refusal_text(exc),
            upload.options,
        )
        ImportUpload.objects.filter(pk=upload.pk).delete()
        raise
    return run


def cancel_import(upload: ImportUpload) -> None:
    """Forget a previewed file (nothing was written)."""
    upload.delete()


def purge_import_uploads() -> int:
    """Daily: files previewed and never confirmed are deleted after a day."""
    deleted, _ = ImportUpload.objects.filter(
        created_at__lt=timezone.now() - UPLOAD_LIFETIME
    ).delete()
    return deleted


def refusal_errors(exc: CsvImportError) -> list[LineError]:
    return exc.errors[:MAX_SHOWN_ERRORS]
