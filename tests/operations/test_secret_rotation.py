"""Rotating SECRET_KEY: former keys listed in SECRET_KEY_FALLBACKS still verify."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_former_secret_keys_still_verify_signatures(tmp_path):
    """SECRET_KEY_FALLBACKS (comma-separated): a follow link signed with the former key
    keeps working after the rotation."""
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.core import signing\n"
        "print(settings.SECRET_KEY_FALLBACKS)\n"
        "token = signing.Signer(key='former-key', salt='s').sign('42')\n"
        "print(signing.Signer(salt='s').unsign(token))\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "engagements.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "new-key",
        "SECRET_KEY_FALLBACKS": "former-key, older-key",
        "DEBUG": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["['former-key', 'older-key']", "42"]
