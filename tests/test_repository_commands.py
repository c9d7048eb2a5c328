"""Commands as the référent and the operator run them (issue 19, item 12): `make demo`
takes `PORT=`, `make install` leaves tracked files unchanged, `create_api_token` speaks
French."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent


def test_make_demo_serves_on_the_port_given():
    if shutil.which("make") is None:
        pytest.skip("make is not installed (Debian package make)")
    plan = subprocess.run(
        ["make", "-n", "demo", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "runserver 127.0.0.1:8123" in plan
    assert "http://127.0.0.1:8123/agents/" in plan
    assert "8000" not in plan


def test_the_installed_package_metadata_is_not_tracked():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "*.egg-info*"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert tracked == ""
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "engagements.egg-info/PKG-INFO"], cwd=ROOT
    )
    assert ignored.returncode == 0


@pytest.mark.django_db
def test_create_api_token_answers_in_french(prefecture):
    out = io.StringIO()
    call_command("create_api_token", "--prefecture", prefecture.slug, "--name", "FS", stdout=out)
    first, token = out.getvalue().strip().splitlines()
    assert first.startswith("Jeton n° ") and "il n'est affiché qu'une fois" in first
    assert len(token) > 20 and " " not in token
    with pytest.raises(CommandError, match="Préfecture inconnue : « nulle-part »"):
        call_command("create_api_token", "--prefecture", "nulle-part", "--name", "FS")
