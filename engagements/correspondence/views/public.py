"""Public pages: the "Nous écrire" contact form (French and English)."""

from __future__ import annotations

from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engagements.antibot import client_ip, rate_limited
from engagements.organisation.enums import Channel
from engagements.organisation.queries import public_prefectures

from .. import services
from ..forms import ContactForm
from ..models import Message

SALT = "correspondence.contact-sent"
# Per IP: a handful of messages per hour is plenty for a person, little for a flood.
RATE_LIMIT, RATE_WINDOW = 5, 3600


@require_http_methods(["GET", "POST"])
def contact(request, prefecture: str):
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    form = ContactForm(request.POST or None, request.FILES or None, prefecture=prefecture)
    status = 200
    if request.method == "POST":
        if rate_limited(f"contact:{client_ip(request)}", limit=RATE_LIMIT, window=RATE_WINDOW):
            form.add_error(
                None,
                _(
                    "Trop de messages envoyés depuis votre connexion : réessayez dans une "
                    "heure, ou écrivez-nous par courrier."
                ),
            )
            status = 429
        elif form.is_valid():
            f = form.cleaned_data
            service = f["service"]
            try:
                message = services.create_message(
                    prefecture,
                    site=service.site,
                    service=service,
                    channel=Channel.WEB_FORM,
                    kind=f["kind"],
                    received_on=timezone.localdate(),
                    sender_name=f["name"],
                    sender_email=f["email"],
                    subject=f["subject"],
                    body=f["body"],
                    language=(get_language() or "fr")[:2],
                    attachments=[f["attachment"]] if f["attachment"] else [],
                )
            except services.RegisterError as exc:
                form.add_error(None, str(exc))
            else:
                token = signing.dumps(message.pk, salt=SALT)
                return redirect("correspondence:contact-sent", prefecture.slug, token)
        else:
            status = 400
    return render(
        request,
        "correspondence/public/contact.html",
        {"prefecture": prefecture, "form": form},
        status=status,
    )


@require_GET
def contact_sent(request, prefecture: str, token: str):
    """The reference and due date, reachable only through the signed link just given."""
    try:
        pk = signing.loads(token, salt=SALT, max_age=24 * 3600)
    except signing.BadSignature as exc:
        raise Http404("Lien expiré") from exc
    message = get_object_or_404(
        Message.objects.select_related("prefecture", "service", "site"),
        pk=pk,
        prefecture__slug=prefecture,
    )
    return render(
        request,
        "correspondence/public/contact_sent.html",
        {"prefecture": message.prefecture, "message": message},
    )
