"""Backups that restore: the database (`pg_dump`, custom format) and the media files (a tar),
with a manifest (sizes, SHA-256, product version, migration state per app).

    manage.py backup DIR     writes DIR/database.dump, DIR/media.tar.gz, DIR/manifest.json
    manage.py restore DIR    into the EMPTY database of DATABASE_URL and the EMPTY MEDIA_ROOT

The dump is one consistent snapshot of the database (pg_dump runs in one repeatable-read
transaction, while the site keeps running); the media files are archived after it, so every
file the dump refers to is in the archive (files are only added while the site runs; the
daily purges remove some at night). The manifest is written last: a backup folder without
one is incomplete. Restoring refuses a damaged file, a backup from a newer migration state
than the code (install that version first), a database holding tables, and a media
folder holding files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

from engagements.db import analyze_all

from .version import product_version

FORMAT = 1
DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or a restore refused or failed (message for the operator, in English)."""


@dataclass
class Target:
    """The database named by DATABASE_URL, as the PostgreSQL tools want it."""

    name: str
    env: dict

    @classmethod
    def default(cls) -> Target:
        connection = connections["default"]
        if connection.vendor != "postgresql":
            raise BackupError(
                "backup and restore need PostgreSQL (DATABASE_URL=postgres://…); "
                "the demo's SQLite file is copied as it is (var/db.sqlite3) while stopped."
            )
        params = connection.settings_dict
        env = {**os.environ, "PGDATABASE": params["NAME"]}
        for key, variable in (
            ("HOST", "PGHOST"),
            ("PORT", "PGPORT"),
            ("USER", "PGUSER"),
            ("PASSWORD", "PGPASSWORD"),
        ):
            if params.get(key):
                env[variable] = str(params[key])
        return cls(params["NAME"], env)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is missing: apt-get install -y postgresql-client")
    return path


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def applied_migrations() -> dict[str, list[str]]:
    """{app label: [migration names applied]} of the database, sorted."""
    from django.db.migrations.recorder import MigrationRecorder

    state: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections["default"]).applied_migrations():
        state.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(state.items())}


def code_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def backup(directory: Path) -> dict:
    """Write a backup into `directory` (absent or empty); returns the manifest."""
    target = Target.default()
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new folder for each backup")
    directory.mkdir(parents=True, exist_ok=True)
    migrations = applied_migrations()
    started = datetime.now(UTC)
    _run(
        [_tool("pg_dump"), "--format=custom", "--compress=6", f"--file={directory / DUMP}"],
        target.env,
    )
    media_root = Path(settings.MEDIA_ROOT)
    files = _media_files(media_root)
    with tarfile.open(directory / MEDIA, "w:gz") as archive:
        for path in files:
            archive.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
    manifest = {
        "format": FORMAT,
        "product": "engagements",
        "version": product_version(),
        "created_at": started.isoformat(),
        "database": {"name": target.name},
        "migrations": migrations,
        "media": {"files": len(files), "bytes": sum(p.stat().st_size for p in files)},
        "files": {
            name: {"size": (directory / name).stat().st_size, "sha256": sha256(directory / name)}
            for name in (DUMP, MEDIA)
        },
    }
    (directory / (MANIFEST + ".tmp")).write_text(json.dumps(manifest, indent=2))
    (directory / (MANIFEST + ".tmp")).rename(directory / MANIFEST)
    return manifest


def read_manifest(directory: Path) -> dict:
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"{directory / MANIFEST} is missing: not a complete backup") from exc
    except ValueError as exc:
        raise BackupError(f"{directory / MANIFEST} is not valid JSON") from exc
    if manifest.get("format") != FORMAT or manifest.get("product") != "engagements":
        raise BackupError(f"{directory / MANIFEST}: not an Engagements backup of format {FORMAT}")
    for name in (DUMP, MEDIA):
        expected = manifest["files"].get(name)
        path = directory / name
        if expected is None or not path.exists():
            raise BackupError(f"{path} is missing")
        if path.stat().st_size != expected["size"] or sha256(path) != expected["sha256"]:
            raise BackupError(f"{path} is damaged: its size or SHA-256 differs from the manifest")
    return manifest


def newer_migrations(manifest: dict) -> list[str]:
    """Migrations applied in the backup that this code does not know."""
    known = code_migrations()
    return [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]


def restore(directory: Path) -> dict:
    """Restore a backup into the empty database and media folder; returns the manifest."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    newer = newer_migrations(manifest)
    if newer:
        shown = ", ".join(newer[:5]) + (" …" if len(newer) > 5 else "")
        raise BackupError(
            f"this backup comes from a newer migration state than this code "
            f"(version {manifest.get('version')}; unknown migrations: {shown}): install that "
            f"version of Engagements or a later one, then restore"
        )
    target = Target.default()
    connection = connections["default"]
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"the database {target.name} is not empty ({len(tables)} tables): restore only into "
            f"an empty database (createdb a new one and point DATABASE_URL at it)"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(
            f"the media folder {media_root} is not empty: restore only into an empty folder "
            f"(point MEDIA_ROOT at a new one)"
        )
    connection.close()
    _run(
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={target.name}",
            str(directory / DUMP),
        ],
        target.env,
    )
    analyze_all()  # a restored database has no planner statistics until ANALYZE
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / MEDIA, "r:gz") as archive:
        archive.extractall(media_root, filter="data")
    return manifest


def pending_migrations() -> list[str]:
    """Migrations of the code not applied in the (restored) database."""
    applied = {(app, name) for app, names in applied_migrations().items() for name in names}
    return sorted(f"{app}.{name}" for app, name in code_migrations() - applied)
