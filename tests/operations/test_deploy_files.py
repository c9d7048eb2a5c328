"""The files of deploy/ hold together: the systemd units parse (systemd-analyze verify),
run what docs/deployment.md says, and the nginx site renders with the documented envsubst
command exactly as the nginx test renders it."""

import os
import subprocess
import sys
from pathlib import Path

from tests.operations.test_deploy import SITE, render_site
from tests.tooling import require_tool

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def test_the_systemd_units_are_valid(tmp_path):
    analyze = require_tool("systemd-analyze", "systemd")
    home = tmp_path / "srv"
    (home / ".venv" / "bin").mkdir(parents=True)
    for name in ("python", "gunicorn"):
        (home / ".venv" / "bin" / name).symlink_to(Path(sys.executable).parent / name)
    units = tmp_path / "units"
    units.mkdir()
    for unit in UNITS.iterdir():
        (units / unit.name).write_text(unit.read_text().replace("/srv/engagements", str(home)))
    result = subprocess.run(
        [analyze, "verify", *sorted(str(p) for p in units.iterdir())],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_units_run_what_the_documentation_says():
    web = (UNITS / "engagements-web.service").read_text()
    assert "gunicorn engagements.wsgi --config /srv/engagements/deploy/gunicorn.conf.py" in web
    assert "Environment=PROMETHEUS_MULTIPROC_DIR=" in web
    assert "manage.py qcluster" in (UNITS / "engagements-worker.service").read_text()
    assert "manage.py outbox_worker" in (UNITS / "engagements-outbox.service").read_text()
    assert "manage.py backup" in (UNITS / "engagements-backup.service").read_text()
    assert "OnCalendar=" in (UNITS / "engagements-backup.timer").read_text()
    for unit in ("web", "worker", "outbox", "backup"):
        text = (UNITS / f"engagements-{unit}.service").read_text()
        assert "EnvironmentFile=/etc/engagements/engagements.env" in text


def test_the_site_renders_with_envsubst_as_documented(tmp_path):
    envsubst = require_tool("envsubst", "gettext-base")
    values = {
        "LISTEN": "127.0.0.1:8080",
        "SERVER_NAME": "localhost",
        "APP_SERVER": "127.0.0.1:8000",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    result = subprocess.run(
        [envsubst, "${LISTEN} ${SERVER_NAME} ${APP_SERVER} ${STATIC_ROOT}"],
        input=SITE.read_text(),
        capture_output=True,
        text=True,
        env={**os.environ, **values},
        check=True,
    )
    ours = render_site(
        listen=values["LISTEN"], app_server=values["APP_SERVER"], static_root=tmp_path / "static"
    )
    assert result.stdout == ours
    assert "$proxy_add_x_forwarded_for" in ours and "${" not in ours


def test_the_example_environment_lists_no_real_secret():
    text = (ROOT / "deploy" / "engagements.env.example").read_text()
    for name in ("SECRET_KEY", "OIDC_RP_CLIENT_SECRET", "SMS_HTTP_TOKEN"):
        assert f"{name}=CHANGE-ME" in text
