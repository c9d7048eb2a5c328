"""Agents' pages of the outbox: the prefecture's failed deliveries, and resending one."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from engagements.organisation.access import agent_view
from engagements.shell.pages import render_agents

from . import queries, services


@agent_view("manage")
@require_GET
def failed(request):
    deliveries = list(queries.failed_for(request.prefecture).select_related("record_type")[:500])
    _prefetch_records(deliveries)
    rows = []
    for delivery in deliveries:
        record = delivery.record
        agent_url = getattr(record, "agent_url", None)
        rows.append(
            {
                "delivery": delivery,
                "record": str(record) if record is not None else "",
                # Records have an `agent_url(prefecture_slug)` when they have a page.
                "url": agent_url(request.prefecture.slug) if callable(agent_url) else "",
            }
        )
    return render_agents(request, "outbox/agents/failed.html", {"rows": rows})


def _prefetch_records(deliveries) -> None:
    """One query per kind of record; a model may name what its str() needs in
    `outbox_select_related` (e.g. an answer shows its message's reference)."""
    types = {d.record_type for d in deliveries if d.record_type is not None}
    querysets = []
    for record_type in types:
        model = record_type.model_class()
        if model is None:
            continue
        related = getattr(model, "outbox_select_related", ())
        querysets.append(model._base_manager.select_related(*related))
    prefetch_related_objects(deliveries, GenericPrefetch("record", querysets))


@agent_view("manage")
@require_POST
def resend(request, pk: int):
    done, message = services.resend_among(
        queries.failed_for(request.prefecture), pk, actor=request.user
    )
    (flash.success if done else flash.error)(request, message)
    return redirect("outbox:agents-failed", request.prefecture.slug)
