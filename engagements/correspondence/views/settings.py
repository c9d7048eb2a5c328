"""Settings of the register for the quality lead: retention, CLU window, topics, mailboxes."""

from __future__ import annotations

from django.contrib import messages as flash
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from engagements.organisation.access import agent_view
from engagements.shell.pages import render_agents

from ..forms import RegisterSettingsForm, TopicForm
from ..models import Mailbox, RegisterSettings, Topic


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def register_settings(request):
    prefecture = request.prefecture
    current = RegisterSettings.for_prefecture(prefecture)
    form = RegisterSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, "Les paramètres du registre sont enregistrés.")
        return redirect("correspondence:agents-settings", prefecture.slug)
    return render_agents(
        request,
        "correspondence/agents/settings.html",
        {
            "form": form,
            "topic_form": TopicForm(prefecture=prefecture),
            "topics": Topic.objects.filter(prefecture=prefecture),
            # Mailbox credentials are edited in the admin; here only their health shows.
            "mailboxes": Mailbox.objects.filter(prefecture=prefecture).select_related(
                "site", "service"
            ),
        },
    )


@agent_view("manage")
@require_POST
def add_topic(request):
    form = TopicForm(request.POST, prefecture=request.prefecture)
    if form.is_valid():
        form.save()
        flash.success(request, f"Thème « {form.instance.name} » ajouté.")
    else:
        flash.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("correspondence:agents-settings", request.prefecture.slug)


@agent_view("manage")
@require_POST
def toggle_topic(request, topic_pk: int):
    """Retire a topic from the lists (kept on past messages), or bring it back."""
    topic = get_object_or_404(Topic.objects.filter(prefecture=request.prefecture), pk=topic_pk)
    topic.is_active = not topic.is_active
    topic.save(update_fields=["is_active"])
    state = "réactivé" if topic.is_active else "retiré des listes"
    flash.success(request, f"Thème « {topic.name} » {state}.")
    return redirect("correspondence:agents-settings", request.prefecture.slug)
