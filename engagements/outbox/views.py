"""Agents' pages of the outbox: the prefecture's failed deliveries, and resending one."""

from __future__ import annotations

from django.contrib import messages as flash
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from engagements.organisation.access import agent_view
from engagements.organisation.views.agents import render_agents

from . import queries, services


def resend_from(request, deliveries, pk: int) -> None:
    """Resend one delivery of `deliveries` (already scoped by the caller) with a flash."""
    delivery = get_object_or_404(deliveries, pk=pk)
    try:
        services.resend(delivery, actor=request.user)
    except services.OutboxError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"Envoi relancé vers {', '.join(delivery.to)}.")


@agent_view("manage")
@require_GET
def failed(request):
    deliveries = list(queries.failed_for(request.prefecture).prefetch_related("record")[:500])
    rows = []
    for delivery in deliveries:
        record = delivery.record
        agent_url = getattr(record, "agent_url", None)
        rows.append(
            {
                "delivery": delivery,
                "record": str(record) if record is not None else "",
                "url": agent_url() if callable(agent_url) else "",
            }
        )
    return render_agents(request, "outbox/agents/failed.html", {"rows": rows})


@agent_view("manage")
@require_POST
def resend(request, pk: int):
    resend_from(request, queries.failed_for(request.prefecture), pk)
    return redirect("outbox:agents-failed", request.prefecture.slug)
