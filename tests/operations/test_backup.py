"""Backups that restore: the demo (plus a few uploaded files) backed up, restored into a new
database and media folder by another process, and compared: record counts, file
checksums, `correspondence_report` figures; and the refusals (non-empty targets, newer
migration state, damaged file)."""

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from engagements.operations.version import product_version
from engagements.organisation.models import Prefecture
from tests.tooling import database_url, require_postgres, require_tool

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def _admin(sql: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _checksums(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _manage(*args, database: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(database),
        "MEDIA_ROOT": str(media),
        "SECRET_KEY": secrets.token_urlsafe(30),
        "DEBUG": "false",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def empty_database():
    name = f"eng_restore_{secrets.token_hex(4)}"
    _admin(f"CREATE DATABASE {name}")
    yield name
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _report(prefecture: str, year: int) -> list[str]:
    return [
        "correspondence_report",
        "--prefecture",
        prefecture,
        "--year",
        str(year),
        "--at",
        timezone.localdate().isoformat(),
        "--format",
        "json",
    ]


@pytest.mark.django_db(transaction=True)
def test_backup_of_the_demo_restores_into_a_new_database_and_folder(
    settings, tmp_path, empty_database
):
    require_postgres()
    require_tool("pg_dump", "postgresql-client")
    call_command("seed_demo", stdout=io.StringIO())
    names = [
        default_storage.save("correspondence/1/pieces/lettre.pdf", ContentFile(os.urandom(4096))),
        default_storage.save("quality/preuves/rapport d'audit.odt", ContentFile(os.urandom(900))),
        default_storage.save("committee/relevé.txt", ContentFile("Relevé de décisions".encode())),
    ]
    media = Path(settings.MEDIA_ROOT)
    source_files = _checksums(media)
    assert set(names) <= set(source_files)
    source_counts = _counts(database_url())
    assert source_counts["correspondence_message"] > 100  # the demo's year of messages
    year = timezone.localdate().year
    slug = Prefecture.objects.order_by("pk").values_list("slug", flat=True).first()
    out = io.StringIO()
    call_command(*_report(slug, year), stdout=out)
    source_report = json.loads(out.getvalue())

    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=io.StringIO())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz"}
    for name, entry in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["media"]["files"] == len(source_files)
    assert manifest["version"] == product_version() != "unknown"
    assert "0001_initial" in manifest["migrations"]["correspondence"]

    restored_media = tmp_path / "restored-media"
    result = _manage("restore", str(folder), database=empty_database, media=restored_media)
    assert result.returncode == 0, result.stderr
    assert "Restored" in result.stdout

    assert _counts(database_url(empty_database)) == source_counts
    assert _checksums(restored_media) == source_files
    result = _manage(*_report(slug, year), database=empty_database, media=restored_media)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == source_report

    # A second restore onto what is now full is refused, and so is a non-empty folder.
    again = _manage("restore", str(folder), database=empty_database, media=tmp_path / "new")
    assert again.returncode != 0 and "is not empty" in again.stderr
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(folder))  # the test database: full


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_media_folder_a_newer_state_and_a_damaged_file(
    settings, tmp_path, empty_database
):
    require_postgres()
    require_tool("pg_dump", "postgresql-client")
    default_storage.save("a.txt", ContentFile(b"a"))
    folder = tmp_path / "backup"
    call_command("backup", str(folder), stdout=io.StringIO())
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(folder))  # never over another backup

    busy = tmp_path / "busy-media"
    busy.mkdir()
    (busy / "left-over.pdf").write_bytes(b"x")
    result = _manage("restore", str(folder), database=empty_database, media=busy)
    assert result.returncode != 0 and "media folder" in result.stderr
    assert _counts(database_url(empty_database)) == {}  # nothing was written

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["migrations"]["appointments"].append("9999_from_the_future")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = _manage("restore", str(folder), database=empty_database, media=tmp_path / "m")
    assert result.returncode != 0
    assert "newer migration state" in result.stderr
    assert "appointments.9999_from_the_future" in result.stderr

    manifest["migrations"]["appointments"].remove("9999_from_the_future")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with (folder / "database.dump").open("ab") as dump:
        dump.write(b"\0")
    result = _manage("restore", str(folder), database=empty_database, media=tmp_path / "m")
    assert result.returncode != 0 and "database.dump is damaged" in result.stderr
