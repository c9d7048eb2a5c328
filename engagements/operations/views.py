"""`/metrics` in the Prometheus text format, for the addresses of METRICS_ALLOWED_IPS only."""

from __future__ import annotations

import ipaddress
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

from engagements.antibot import client_ip

from .collectors import DatabaseFiguresCollector


def allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for item in settings.METRICS_ALLOWED_IPS:
        if ip in ipaddress.ip_network(item, strict=False):
            return True
    return False


def _counters() -> bytes:
    """Counters and histograms: of every worker process (multiprocess mode), or of this one."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@require_GET
@never_cache
def metrics(request):
    if not allowed(client_ip(request)):
        return HttpResponseForbidden("Forbidden\n", content_type="text/plain")
    figures = CollectorRegistry(auto_describe=False)
    figures.register(DatabaseFiguresCollector())
    gauges = generate_latest(figures)  # first: a database error it meets is counted below
    body = _counters() + gauges
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
