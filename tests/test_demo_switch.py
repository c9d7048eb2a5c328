"""The demo settings switch written by `make demo` (var/demo.env) and read by manage.py."""

import os
import subprocess
import sys
from pathlib import Path

from engagements import demo_env

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='engagements.settings';"
    "from django.conf import settings; print(settings.DEBUG, bool(settings.SECRET_KEY))"
)


def run_settings(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    base.pop("ENGAGEMENTS_DEMO", None)
    base.pop("ENGAGEMENTS_TESTING", None)
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=base, capture_output=True, text=True
    )


def test_without_switch_production_still_requires_a_secret_key():
    result = run_settings()
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_demo_switch_gives_demo_defaults_and_debug_true_keeps_working():
    assert run_settings(ENGAGEMENTS_DEMO="1").stdout.split() == ["True", "True"]
    assert run_settings(DEBUG="true").stdout.split() == ["True", "True"]
    # An explicit DEBUG=false on the demo still needs a real key.
    assert run_settings(ENGAGEMENTS_DEMO="1", DEBUG="false").returncode != 0


def test_demo_switch_refused_on_an_https_site():
    result = run_settings(ENGAGEMENTS_DEMO="1", SITE_URL="https://engagements.example")
    assert result.returncode != 0 and "ENGAGEMENTS_DEMO" in result.stderr


def test_demo_env_file_only_sets_the_switch(tmp_path, monkeypatch):
    monkeypatch.delenv("ENGAGEMENTS_DEMO", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / "demo.env"
    path.write_text("# written by make demo\nENGAGEMENTS_DEMO=1\nSECRET_KEY=nope\n")
    demo_env.load(path)
    assert os.environ["ENGAGEMENTS_DEMO"] == "1"
    assert "SECRET_KEY" not in os.environ
    demo_env.load(tmp_path / "missing.env")  # no file: nothing happens
