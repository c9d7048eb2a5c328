"""gunicorn settings for production (deploy/systemd/engagements-web.service):
`gunicorn engagements.wsgi --config deploy/gunicorn.conf.py`.

Threads (gthread), so that a request waiting on the database does not hold a whole process;
a booking rush is bounded by BOOKING_MAX_IN_FLIGHT per process (docs/deployment.md).
With PROMETHEUS_MULTIPROC_DIR set (the units set it, for the web workers and the job worker
alike), each process writes its metrics there and /metrics adds them up; at start the files
of processes that are gone are removed.
"""

import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 30
graceful_timeout = 30
keepalive = 5
# Requests are logged by the application (JSON lines on stderr, engagements.middleware).
accesslog = None
errorlog = "-"
# The proxy is on this machine: gunicorn itself trusts no forwarded header from elsewhere.
forwarded_allow_ips = "127.0.0.1,::1"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server):
    """Drop the metric files of processes that are gone (an earlier gunicorn's workers);
    the job worker's, which shares the folder, stay while it runs."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for file in path.glob("*.db"):
            pid = file.stem.rsplit("_", 1)[-1]
            if not pid.isdigit() or not _alive(int(pid)):
                file.unlink(missing_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
