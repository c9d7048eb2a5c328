"""The reference deployment, run: deploy/nginx's site rendered for loopback ports in front of
gunicorn started with deploy/gunicorn.conf.py (two workers, multiprocess metrics) on the
test database. Checks what the proxy must guarantee: the client address login throttling
sees, a forged first X-Forwarded-For hop ignored, a 30 MB upload refused by nginx, static
files with their cache headers, /healthz and /metrics through the proxy."""

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from string import Template
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.db import connection

from engagements.correspondence.forms import MAX_UPLOAD
from engagements.quality.evidence import MAX_EVIDENCE_BYTES
from tests.factories import UserFactory
from tests.mail import free_port
from tests.operations.test_metrics import series, value
from tests.tooling import database_url, require_postgres, require_tool

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "engagements.conf.template"
CLIENT = "127.0.0.5"  # the browser: another loopback address than nginx's own
pytestmark = [pytest.mark.postgres]


def render_site(*, listen: str, app_server: str, static_root: Path) -> str:
    """What `envsubst '${LISTEN} ${SERVER_NAME} ${APP_SERVER} ${STATIC_ROOT}'` gives."""
    return Template(SITE.read_text()).safe_substitute(
        LISTEN=listen, SERVER_NAME="localhost", APP_SERVER=app_server, STATIC_ROOT=static_root
    )


def test_the_body_limit_fits_the_largest_upload_and_refuses_30_mb():
    size = re.search(r"client_max_body_size (\d+)m;", SITE.read_text())
    limit = int(size.group(1)) * 1024 * 1024
    assert limit > max(MAX_EVIDENCE_BYTES, MAX_UPLOAD) + 64 * 1024  # the file and its form
    assert limit < 30 * 1024 * 1024


def _wait(port: int, process: subprocess.Popen, log: Path, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited: {log.read_text()[-3000:]}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    pytest.fail(f"not answering on {port}: {log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def stack(tmp_path, transactional_db):
    """(nginx port, gunicorn port, static root): nginx in front of gunicorn."""
    require_postgres()
    nginx = require_tool(shutil.which("nginx") or "/usr/sbin/nginx", "nginx")
    app_port, web_port = free_port(), free_port()
    static_root = tmp_path / "static"
    (static_root / "engagements").mkdir(parents=True)
    (static_root / "engagements" / "site.css").write_text("body { color: #161616; }\n")
    (static_root / "engagements" / "site.3f2a9c1b7d4e.css").write_text("body { margin: 0; }\n")
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_4194000.db").write_bytes(b"left by a process that is gone")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))},
        "DATABASE_URL": database_url(),
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SITE_URL": f"http://localhost:{web_port}",
        "EMAIL_URL": "locmem://",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "4",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    app_log = tmp_path / "gunicorn.log"
    app_output = app_log.open("w")
    app = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "engagements.wsgi",
            "--config",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
        ],
        cwd=ROOT,
        env=env,
        stdout=app_output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    site = render_site(
        listen=f"127.0.0.1:{web_port}", app_server=f"127.0.0.1:{app_port}", static_root=static_root
    )
    (prefix / "site.conf").write_text(site)
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user_line = "user root root;" if os.geteuid() == 0 else ""  # workers read the tmp files
    (prefix / "nginx.conf").write_text(
        f"""{user_line}
daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "logs" / "error.log"} warn;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / "logs" / "access.log"};
{temp_paths}
    include {prefix / "site.conf"};
}}
"""
    )
    test = subprocess.run(
        [
            nginx,
            "-t",
            "-p",
            str(prefix),
            "-e",
            str(prefix / "logs" / "error.log"),
            "-c",
            str(prefix / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
    )
    assert test.returncode == 0, test.stderr
    web_log = prefix / "logs" / "error.log"
    web = subprocess.Popen(
        [nginx, "-p", str(prefix), "-e", str(web_log), "-c", str(prefix / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait(app_port, app, app_log)
        _wait(web_port, web, web_log)
        yield web_port, app_port, env
    finally:
        _stop(web)
        _stop(app)
        app_output.close()
        connection.close()


def _request(port, method, path, *, source=CLIENT, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    conn.request(method, path, body=body, headers={"Host": "localhost", **(headers or {})})
    response = conn.getresponse()
    content = response.read()
    conn.close()
    return response, content


def _failed_login(port, username, headers=None):
    """GET the login page (CSRF cookie and token), then POST a wrong password."""
    response, page = _request(port, "GET", "/agents/login/", headers=headers)
    assert response.status == 200
    cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode()).group(1)
    form = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": "wrong"})
    response, _ = _request(
        port,
        "POST",
        "/agents/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            **(headers or {}),
        },
    )
    assert response.status == 200  # the form again, with its error


def test_nginx_in_front_of_gunicorn(stack):
    web_port, app_port, env = stack
    assert not (Path(env["PROMETHEUS_MULTIPROC_DIR"]) / "counter_4194000.db").exists()
    # The job worker (another process, same folder) reads a mailbox and quarantines a mail.
    job = (
        "from engagements import metrics\n"
        "metrics.MAILBOX_RUNS.labels('ok').inc()\n"
        "metrics.MAILS_QUARANTINED.inc()\n"
    )
    subprocess.run([sys.executable, "-c", job], cwd=ROOT, env=env, check=True)

    response, body = _request(web_port, "GET", "/healthz")
    assert response.status == 200 and b'"database": "ok"' in body

    # The address throttling sees is the one nginx appended, a forged first hop is ignored.
    alice = UserFactory(username="alice.agent")
    _failed_login(web_port, alice.username, headers={"X-Forwarded-For": "203.0.113.7"})
    _failed_login(web_port, alice.username)
    attempts = list(AccessAttempt.objects.filter(username=alice.username))
    assert [a.ip_address for a in attempts] == [CLIENT]
    assert attempts[0].failures_since_start == 2

    # 30 MB refused by nginx: gunicorn never sees the request.
    big = b"x" * (30 * 1024 * 1024)
    response, body = _request(
        web_port,
        "POST",
        "/agents/login/",
        body=big,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status == 413 and b"nginx" in body
    # Under the limits (nginx 21m, public pages 6 MB), Django answers: its CSRF check refuses
    # the form before reading it (no cookie), and BodyLimitMiddleware reads the rest of the
    # body, so gunicorn's close after the answer is not a reset that nginx would report as
    # 502 (this test's former failures under load).
    boundary = "engagements-deploy-test"
    upload = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="piece"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"x" * (5 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response, _ = _request(
        web_port,
        "POST",
        "/healthz",
        body=upload,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status == 403 and response.getheader("Content-Security-Policy")

    # Static files by nginx, with their cache headers.
    response, body = _request(web_port, "GET", "/static/engagements/site.css")
    assert response.status == 200 and body.startswith(b"body")
    assert response.getheader("Cache-Control") == "public, max-age=3600"
    assert response.getheader("Content-Type").startswith("text/css")
    assert response.getheader("Content-Security-Policy") is None  # not Django's answer
    response, _ = _request(web_port, "GET", "/static/engagements/site.3f2a9c1b7d4e.css")
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert _request(web_port, "GET", "/media/anything.pdf")[0].status == 404

    # /metrics through the proxy: the client's address decides (not nginx's loopback).
    assert _request(web_port, "GET", "/metrics")[0].status == 403

    def scrape():
        response, body = _request(web_port, "GET", "/metrics", source="127.0.0.1")
        assert response.status == 200
        return series(body.decode())

    healthz = {"view": "healthz", "method": "GET", "status": "200"}
    before = value(scrape(), "engagements_http_requests_total", **healthz)
    for _ in range(10):
        assert _request(web_port, "GET", "/healthz")[0].status == 200
    figures = scrape()
    # Two worker processes, one sum (multiprocess mode): every health check is counted.
    assert value(figures, "engagements_http_requests_total", **healthz) == before + 10
    assert (
        value(
            figures, "engagements_http_requests_total", view="healthz", method="POST", status="403"
        )
        == 1
    )
    login_posts = value(
        figures,
        "engagements_http_requests_total",
        view="organisation:agents-login",
        method="POST",
        status="200",
    )
    assert login_posts == 2  # the two failed logins; the 30 MB one never reached Django
    assert not any('status="413"' in key for key in figures)
    assert value(figures, "engagements_database_up") == 1
    assert value(figures, "engagements_mailbox_runs_total", outcome="ok") == 1
    assert value(figures, "engagements_mails_quarantined_total") == 1
