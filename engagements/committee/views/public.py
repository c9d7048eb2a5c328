"""Public pages: the committee's published minutes, and members setting their password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import force_str
from django.utils.http import content_disposition_header, urlsafe_base64_decode
from django.views.decorators.http import require_GET, require_http_methods

from engagements.forms import style_widget
from engagements.organisation.models import Prefecture

from .. import pdfs
from ..models import Committee, Minutes
from ..queries import published_minutes
from ..services.documents import public_documents


def _prefecture(slug: str) -> Prefecture:
    return get_object_or_404(Prefecture, slug=slug, is_published=True)


@require_GET
def index(request, prefecture: str):
    found = _prefecture(prefecture)
    committee = Committee.objects.filter(prefecture=found).first()
    minutes = published_minutes(found)
    # Public documents go out with the approved minutes, never before.
    documents = public_documents([m.meeting_id for m in minutes])
    for item in minutes:
        item.public_documents = documents.get(item.meeting_id, [])
    return render(
        request,
        "committee/public/index.html",
        {"prefecture": found, "committee": committee, "minutes": minutes},
    )


@require_GET
def minutes_pdf(request, prefecture: str, pk: int):
    found = _prefecture(prefecture)
    minutes = get_object_or_404(
        Minutes.objects.select_related("meeting"),
        pk=pk,
        meeting__committee__prefecture=found,
        published_at__isnull=False,
    )
    response = HttpResponse(pdfs.minutes_pdf(minutes), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"releve-{minutes.meeting.day:%Y-%m-%d}.pdf"
    )
    return response


@require_http_methods(["GET", "POST"])
def set_password(request, uidb64: str, token: str):
    """The link of the invitation e-mail: a member chooses his password."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = get_user_model().objects.get(pk=pk, is_active=True)
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist) as exc:
        raise Http404("Lien invalide.") from exc
    if not default_token_generator.check_token(user, token):
        return render(request, "committee/public/set_password.html", {"invalid": True}, status=400)
    form = SetPasswordForm(user, request.POST or None)
    for field in form.fields.values():
        style_widget(field)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Mot de passe enregistré : connectez-vous avec votre courriel.")
        return redirect("organisation:agents-login")
    return render(request, "committee/public/set_password.html", {"form": form, "invalid": False})
