"""Public pages: the "Nous écrire" contact form and "Suivre ma demande" (French and English)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages as flash
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engagements.antibot import client_ip, rate_limited
from engagements.organisation.enums import Channel
from engagements.organisation.queries import public_prefectures
from engagements.shell.content_language import long_date

from .. import services
from ..enums import Status
from ..forms import ContactForm, DocumentUploadForm, FollowLookupForm, MoreTimeForm
from ..models import Message
from ..services import follow as follow_link
from ..services import missing_documents

SALT = "correspondence.contact-sent"
# The message this browser just sent: its page shows the address only to that browser.
SENT_KEY = "correspondence-sent"
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
                request.session[SENT_KEY] = message.pk
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
    follow = reverse(
        "correspondence:follow", args=[message.prefecture.slug, follow_link.follow_token(message)]
    )
    # The address the acknowledgement and the answer go to, so that a typo is seen now (in
    # the browser that sent the message only: the link itself may be shared).
    mine = request.session.get(SENT_KEY) == message.pk
    return render(
        request,
        "correspondence/public/contact_sent.html",
        {
            "prefecture": message.prefecture,
            "message": message,
            "follow_url": follow,
            "email": message.sender_email if mine else "",
            "phone": follow_link.contact_phone(message),
        },
    )


# Per IP, like the contact form: enough for a person, little for someone guessing pairs.
FOLLOW_RATE_LIMIT, UPLOAD_RATE_LIMIT = 10, 20


@require_http_methods(["GET", "POST"])
def follow_lookup(request, prefecture: str):
    """Reference + e-mail: the follow link is mailed when the pair matches a request, and
    the page answers the same whether it does or not (nobody learns which pairs exist)."""
    prefecture = get_object_or_404(public_prefectures(), slug=prefecture)
    form = FollowLookupForm(request.POST or None)
    status, sent = 200, False
    if request.method == "POST":
        if rate_limited(
            f"follow:{client_ip(request)}", limit=FOLLOW_RATE_LIMIT, window=RATE_WINDOW
        ):
            form.add_error(
                None,
                _(
                    "Trop de demandes envoyées depuis votre connexion : réessayez dans une "
                    "heure, ou utilisez le lien de votre accusé de réception."
                ),
            )
            status = 429
        elif form.is_valid():
            follow_link.send_follow_link(
                prefecture,
                reference=form.cleaned_data["reference"],
                email=form.cleaned_data["email"],
            )
            sent = True
            form = FollowLookupForm()
        else:
            status = 400
    return render(
        request,
        "correspondence/public/follow_lookup.html",
        {"prefecture": prefecture, "form": form, "sent": sent},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def follow(request, prefecture: str, token: str):
    """Where the request stands, reached through its signed link; add a document."""
    message = follow_link.message_for_token(token, prefecture)
    if message is None:
        raise Http404(_("Ce lien de suivi n'est pas valide."))
    ended = follow_link.follow_link_expired(message)
    if ended is not None:
        return _follow_expired(request, message, ended)
    can_add = message.status != Status.CLOSED and message.purged_at is None
    form = DocumentUploadForm(request.POST or None, request.FILES or None) if can_add else None
    status = 200
    if request.method == "POST":
        if form is None:
            return redirect(request.path)
        if rate_limited(
            f"follow-upload:{client_ip(request)}", limit=UPLOAD_RATE_LIMIT, window=RATE_WINDOW
        ):
            form.add_error(
                None, _("Trop de documents envoyés depuis votre connexion : réessayez plus tard.")
            )
            status = 429
        elif form.is_valid():
            try:
                missing_documents.add_document_from_person(message, form.cleaned_data["document"])
            except services.RegisterError:
                form.add_error(None, _("Cette demande est close : contactez le service."))
                status = 400
            else:
                flash.success(
                    request,
                    _("Votre document est bien reçu : un accusé de réception vous est envoyé."),
                )
                return redirect(request.path)
        else:
            status = 400
    return _follow_page(request, message, form=form, status=status)


def _follow_expired(request, message: Message, ended):
    """The link of a request answered or closed long ago: say why it no longer works and
    what to do instead (410: the page is gone on purpose, not mistyped)."""
    return render(
        request,
        "correspondence/public/follow_expired.html",
        {
            "prefecture": message.prefecture,
            "message": message,
            "ended": ended,
            "stopped": ended + timedelta(days=settings.CORRESPONDENCE_FOLLOW_LINK_DAYS + 1),
            "phone": follow_link.contact_phone(message),
        },
        status=410,
    )


def _follow_page(request, message: Message, *, form=None, more_time_form=None, status=200):
    wait = missing_documents.pending_request(message) if message.status == Status.WAITING else None
    if more_time_form is None and missing_documents.can_ask_for_more_time(wait):
        more_time_form = MoreTimeForm(wait=wait, limit=missing_documents.extension_limit(wait))
    shown = message.purged_at is None
    return render(
        request,
        "correspondence/public/follow.html",
        {
            "prefecture": message.prefecture,
            "message": message,
            "wait": wait,
            "form": form,
            "more_time_form": more_time_form,
            "more_time_url": reverse(
                "correspondence:follow-more-time",
                args=[message.prefecture.slug, follow_link.follow_token(message)],
            ),
            "documents": list(message.attachments.only("name", "created_at")) if shown else [],
            "shown": shown,
        },
        status=status,
    )


@require_http_methods(["POST"])
def follow_more_time(request, prefecture: str, token: str):
    """The person asks for more time to send the missing documents (one request, granted
    up to the prefecture's limit; beyond it, or a second time, the service decides)."""
    message = follow_link.message_for_token(token, prefecture)
    if message is None:
        raise Http404(_("Ce lien de suivi n'est pas valide."))
    ended = follow_link.follow_link_expired(message)
    if ended is not None:
        return _follow_expired(request, message, ended)
    follow_url = reverse("correspondence:follow", args=[prefecture, token])
    wait = missing_documents.pending_request(message) if message.status == Status.WAITING else None
    if not missing_documents.can_ask_for_more_time(wait):
        return redirect(follow_url)
    form = MoreTimeForm(request.POST, wait=wait, limit=missing_documents.extension_limit(wait))
    if rate_limited(
        f"follow-more-time:{client_ip(request)}", limit=FOLLOW_RATE_LIMIT, window=RATE_WINDOW
    ):
        form.add_error(None, _("Trop de demandes envoyées depuis votre connexion."))
        return _follow_page(request, message, more_time_form=form, status=429)
    if form.is_valid():
        try:
            wait = missing_documents.ask_for_more_time(
                message, until=form.cleaned_data["until"], reason=form.cleaned_data["reason"]
            )
        except services.RegisterError as exc:
            limit = missing_documents.extension_limit(wait)
            form.add_error(
                "until",
                _("Choisissez une date après le %(ends)s et au plus tard le %(limit)s.")
                % {"ends": long_date(wait.ends_on), "limit": long_date(limit)}
                if "date" in str(exc)
                else str(exc),
            )
        else:
            flash.success(
                request,
                _("Délai accordé : transmettez vos pièces au plus tard le %(day)s.")
                % {"day": long_date(wait.ends_on)},
            )
            return redirect(follow_url)
    return _follow_page(request, message, more_time_form=form, status=400)
