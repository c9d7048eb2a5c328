"""The référent chooses what the hall poster shows (engagements/indicators/poster.py)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from engagements.organisation.access import agent_view
from engagements.shell.pages import render_agents

from .. import poster, queries
from ..forms import PosterChoiceForm
from ..periods import Period


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def poster_choice(request):
    prefecture = request.prefecture
    stored = poster.stored_choice(prefecture)
    chosen = list(stored.codes) if stored else []
    initial = {f"indicator_{n}": code for n, code in enumerate(chosen, start=1)}
    initial["next_update"] = stored.next_update if stored else None
    form = PosterChoiceForm(
        request.POST or None, initial=initial, choices=poster.indicator_choices()
    )
    if request.method == "POST" and form.is_valid():
        try:
            poster.save_choice(
                prefecture,
                codes=form.codes(),
                next_update=form.cleaned_data["next_update"],
                actor=request.user,
            )
        except poster.PosterError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, "Affiche enregistrée : téléchargez-la pour l'imprimer.")
            return redirect("indicators:agents-poster", prefecture.slug)
    publication = queries.latest_publication(prefecture)
    period = Period.of(publication.period_kind, publication.period_start) if publication else None
    return render_agents(
        request,
        "indicators/agents/poster.html",
        {
            "form": form,
            "chosen": chosen,
            "publication": publication,
            "period_label": period.label() if period else "",
            "next_update": poster.next_update(prefecture, period) if period else None,
        },
    )
