"""gunicorn servers for the tests that need real ones (several servers on one database, a
read replica): started as production runs them (gthread) on free loopback ports, ready
once `/healthz` answers, stopped (quick shutdown) at the end even when the test fails."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.mail import free_port

ROOT = Path(__file__).resolve().parents[1]


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def gunicorn_servers(env: dict, log: Path, *, count: int = 1, threads: int = 4):
    """`count` servers (1 worker × `threads` threads each) with `env`; yields their ports."""
    processes, ports = [], []
    try:
        with log.open("w") as out:
            for _ in range(count):
                port = free_port()
                command = [str(Path(sys.executable).parent / "gunicorn"), "engagements.wsgi"]
                command += ["--bind", f"127.0.0.1:{port}", "--worker-class", "gthread"]
                command += ["--workers", "1", "--threads", str(threads), "--timeout", "30"]
                processes.append(
                    subprocess.Popen(
                        command,
                        cwd=ROOT,
                        env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
                ports.append(port)
        deadline = time.monotonic() + 60
        for port, process in zip(ports, processes, strict=True):
            while not _healthy(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.2)
        yield ports
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGQUIT)  # quick shutdown
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
