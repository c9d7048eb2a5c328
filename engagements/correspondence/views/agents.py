"""The agents' space of the register: worklist, entry, a message's page, answers, figures."""

from __future__ import annotations

import re
from datetime import date

from django.contrib import messages as flash
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import normalize_newlines
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.csvio import csv_response
from engagements.db_router import replica_reads
from engagements.organisation.access import agent_view, refuse_without_people
from engagements.organisation.enums import Channel, Indicator
from engagements.organisation.models import Service
from engagements.outbox import queries as outbox_queries
from engagements.outbox import services as outbox_services
from engagements.pdf import render_pdf
from engagements.shell.content_language import long_date
from engagements.shell.pages import render_agents

from .. import placeholders, queries, services
from ..enums import AnswerChannel, ClosedReason, Status, TemplatePurpose, VersionStatus
from ..forms import (
    AnswerForm,
    AssignForm,
    ClassifyForm,
    CloseForm,
    CloseOverdueForm,
    CommentForm,
    DocumentsReceivedForm,
    DocumentsRequestForm,
    EntryForm,
    ExtendWaitForm,
    FiguresForm,
    WorklistFilterForm,
    agents_choices,
)
from ..models import Answer, Attachment, Message, RegisterSettings, TemplateVersion, Topic
from .worklist_rows import ROW_FIELDS, worklist_rows

PAGE_SIZE = 50


def scoped_messages(request):
    """The messages this user may see in this prefecture (never fetch, then check)."""
    return request.access.scope(Message.objects.all(), request.prefecture)


def _get_message(request, pk: int) -> Message:
    return get_object_or_404(
        scoped_messages(request).select_related(
            "prefecture",
            "site",
            "service",
            "topic",
            "assigned_to",
            "suspected_duplicate_of__site",
            "suspected_duplicate_of__service",
        ),
        pk=pk,
    )


def _assignable(message: Message):
    """Who may be given this message: those who may work on its service (or, for a message
    of a whole site, on that site's services)."""
    services_qs = (
        Service.objects.filter(pk=message.service_id)
        if message.service_id
        else Service.objects.filter(site=message.site_id)
    )
    return agents_choices(message.prefecture, services_qs)


def _back(message: Message):
    return redirect("correspondence:agents-detail", message.prefecture.slug, message.pk)


def _form_errors(form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''} : {' '.join(errors)}".strip(" :")
        for name, errors in form.errors.items()
    )


@agent_view("read_records")
@require_GET
def worklist(request):
    """Open messages sorted by due date, with filters, search and bulk assignment."""
    prefecture = request.prefecture
    today = timezone.localdate()
    sites = request.access.sites(prefecture)
    services_qs = request.access.services(prefecture)
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = WorklistFilterForm(data, sites=sites, services=services_qs)
    base = scoped_messages(request)
    qs = queries.with_new_reply(base)
    if form.is_valid():
        filters = form.cleaned_data
        if filters["q"] and not request.access.sees_people(prefecture):
            # An auditor finds a message by its reference: the text search reads the
            # senders' names and addresses and what they wrote.
            qs = qs.filter(reference__icontains=filters["q"].strip())
            filters = {**filters, "q": ""}
        qs = queries.filter_worklist(qs, filters, today=today, user=request.user)
    # Newest first, for the messages received, answered or closed lately; else by due date.
    newest = form.is_valid() and form.cleaned_data["tri"] == "recus"
    qs = (
        qs.select_related("site", "service", "assigned_to")
        .only(*ROW_FIELDS)
        .annotate(asked_late=queries.late_wait())
        .order_by(*(("-received_on", "-pk") if newest else ("due_on", "pk")))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = worklist_rows(
        page.object_list,
        today=today,
        list_url=reverse("correspondence:agents-list", args=[prefecture.slug]),
    )
    can_work = request.access.can(prefecture, "work")
    querystring = data.copy()
    querystring.pop("page", None)
    return render_agents(
        request,
        "correspondence/agents/worklist.html",
        {
            "form": form,
            "page": page,
            "sorted_by": "date de réception, les plus récents d'abord" if newest else "échéance",
            "beyond_status": _beyond_status(form, base, querystring, page, today, request.user),
            "rows": rows,
            "today": today,
            "counts": queries.open_counts(base, today=today, user=request.user),
            "can_work": can_work,
            "assign_form": AssignForm(agents=agents_choices(prefecture, services_qs))
            if can_work
            else None,
            "querystring": querystring.urlencode(),
        },
    )


def _beyond_status(form, base, querystring, page, today, user) -> dict | None:
    """A search narrowed by the status (the list opens on "À traiter"): how many messages
    it finds in every status, when that is more, and the link to them. A reference read
    out on the phone, of a message already answered, found nothing, with no word why."""
    if not form.is_valid() or not form.cleaned_data["q"].strip():
        return None
    status = form.cleaned_data["status"]
    if not status:
        return None
    everywhere = queries.filter_worklist(
        base, {**form.cleaned_data, "status": ""}, today=today, user=user
    ).count()
    if everywhere <= page.paginator.count:
        return None
    wider = querystring.copy()
    wider["status"] = ""
    return {
        "status": dict(form.fields["status"].choices)[status],
        "sentence": ngettext(
            "%(n)d message correspond",
            "%(n)d messages correspondent",
            everywhere,
        )
        % {"n": everywhere},
        "querystring": wider.urlencode(),
    }


@agent_view("work")
@require_POST
def bulk_assign(request):
    """Give the ticked messages to an agent, then back to the list with its filters."""
    form = AssignForm(
        request.POST,
        agents=agents_choices(request.prefecture, request.access.services(request.prefecture)),
    )
    ids = [int(i) for i in request.POST.getlist("messages") if i.isdigit()]
    if not form.is_valid() or not ids:
        flash.error(request, "Choisissez au moins un message et un agent.")
    else:
        try:
            count = services.assign_messages(
                scoped_messages(request).filter(pk__in=ids),
                agent=form.cleaned_data["agent"],
                actor=request.user,
            )
        except services.RegisterError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(
                request,
                ngettext("%(n)d message attribué.", "%(n)d messages attribués.", count)
                % {"n": count},
            )
    # Back to the list as it was filtered (re-encoded: only a query string, never a URL).
    url = reverse("correspondence:agents-list", args=[request.prefecture.slug])
    filters = QueryDict(request.POST.get("filters", "")).urlencode()
    return redirect(f"{url}?{filters}" if filters else url)


@agent_view("work")
@require_http_methods(["GET", "POST"])
def new_message(request):
    """Register a letter, a suggestion-box form, an SP+ experience or a forwarded e-mail."""
    prefecture = request.prefecture
    form = EntryForm(
        request.POST or None,
        request.FILES or None,
        prefecture=prefecture,
        services=request.access.services(prefecture),
    )
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data
        try:
            message = services.create_message(
                prefecture,
                site=f["service"].site,
                service=f["service"],
                channel=f["channel"],
                kind=f["kind"],
                topic=f["topic"],
                received_on=f["received_on"],
                sender_name=f["sender_name"],
                sender_email=f["sender_email"],
                sender_address=f["sender_address"],
                sender_phone=f["sender_phone"],
                subject=f["subject"],
                body=f["body"],
                attachments=f["scans"],
                social_account=f["social_account"],
                actor=request.user,
            )
        except services.RegisterError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(
                request,
                f"Message enregistré sous la référence {message.reference}, "
                f"à traiter au plus tard le {message.due_on:%d/%m/%Y}.",
            )
            return _back(message)
    if request.method == "POST" and "scans" not in form.errors:
        _files_not_kept(form, request.FILES.getlist("scans"))
    return render_agents(request, "correspondence/agents/new.html", {"form": form})


def _files_not_kept(form, uploads) -> None:
    """A browser never fills a file field again: the form sent back with an error had lost
    the scans the agent chose, without a word, and the letter was registered without them."""
    if uploads:
        names = ", ".join(upload.name for upload in uploads)
        form.add_error(
            "scans",
            f"Les fichiers choisis ({names}) n'ont pas été gardés : choisissez-les à nouveau "
            "avant d'enregistrer.",
        )


@agent_view("read_records")
def detail(request, pk: int):
    # Fetch first (404 for others' records), then refuse other methods.
    message = _get_message(request, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    prefecture = request.prefecture
    today = timezone.localdate()
    related = scoped_messages(request).filter(duplicate_of=message).only("pk", "reference")
    new_reply_at, new_document_at = queries.new_reply_dates(message)
    answers = list(message.answers.select_related("author"))
    deliveries = _deliveries(message, answers)
    for item in answers:
        item.deliveries = [d for d in deliveries if d.record_id == item.pk and d.is_answer]
    delay = queries.answer_delay(message)
    duplicate_window = duplicate_seen = None
    if message.suspected_duplicate_of_id and message.is_open:
        duplicate_window = RegisterSettings.for_prefecture(prefecture).duplicate_window
        # The look-up spans the prefecture: the other message may be another service's,
        # which this agent can neither open nor merge into (both gave him a 404).
        duplicate_seen = (
            scoped_messages(request).filter(pk=message.suspected_duplicate_of_id).exists()
        )
    document_requests = list(message.document_requests.select_related("requested_by"))
    printable = message.channel in (Channel.LETTER, Channel.BOX) or document_requests
    forwarded_to = services.messages.forwarded_to(message)
    # The letters' check, once for the acknowledgement's and the transmission's letters.
    transmission_letter = bool(forwarded_to) and not message.sender_email
    letter_missing = (
        _letter_missing(message, request.user) if printable or transmission_letter else ""
    )
    return render_agents(
        request,
        "correspondence/agents/detail.html",
        {
            "message": message,
            "duplicate_window": duplicate_window,
            "duplicate_seen": duplicate_seen,
            # The printable letters offered by the check their PDFs apply.
            "letter_missing": letter_missing if printable else "",
            # Sent on to another administration: the person is told which (L114-2), by the
            # mail sent at closing or by the letter printed here.
            "forwarded_to": forwarded_to,
            "forwarded_letter_missing": letter_missing if transmission_letter else "",
            "late": message.is_late(today),
            "new_reply_at": new_reply_at,
            "new_document_at": new_document_at,
            "document_requests": document_requests,
            "documents_request_form": DocumentsRequestForm(),
            "documents_received_form": DocumentsReceivedForm(initial={"received_on": today}),
            "extend_form": ExtendWaitForm(),
            "close_overdue_form": CloseOverdueForm(),
            "delay": delay,
            "on_time": delay is not None and delay <= message.deadline_days,
            "events": message.events.select_related("actor"),
            "answers": answers,
            "ack_deliveries": [d for d in deliveries if not d.is_answer],
            "attachments": message.attachments.all(),
            "related": related,
            "can_work": request.access.can(prefecture, "work"),
            "assign_form": AssignForm(
                agents=_assignable(message), initial={"agent": message.assigned_to_id}
            ),
            # "Me l'attribuer": one click for the agent who takes the message himself.
            "can_take": message.is_open
            and message.assigned_to_id != request.user.pk
            and _assignable(message).filter(pk=request.user.pk).exists(),
            "classify_form": ClassifyForm(
                prefecture=prefecture,
                services=_destinations(message),
                initial={
                    "kind": message.kind,
                    "topic": message.topic_id,
                    "service": message.service_id,
                },
            ),
            "close_form": CloseForm(),
            "comment_form": CommentForm(),
        },
    )


def _deliveries(message: Message, answers: list[Answer]) -> list:
    """The acknowledgement's and the answers' e-mails, each marked `is_answer`."""
    deliveries = list(outbox_queries.deliveries_for_all([message, *answers]))
    answer_type = ContentType.objects.get_for_model(Answer)
    for delivery in deliveries:
        delivery.is_answer = delivery.record_type_id == answer_type.pk
    return deliveries


@agent_view("work")
@require_POST
def resend(request, pk: int, delivery_pk: int):
    """Resend a failed acknowledgement or answer of this message ("Renvoyer")."""
    message = _get_message(request, pk)
    answers = list(message.answers.all())
    allowed = [d.pk for d in _deliveries(message, answers)]
    failed = outbox_queries.failed_for(request.prefecture).filter(pk__in=allowed)
    done, text = outbox_services.resend_among(failed, delivery_pk, actor=request.user)
    (flash.success if done else flash.error)(request, text)
    return _back(message)


@agent_view("work")
@require_POST
def assign(request, pk: int):
    message = _get_message(request, pk)
    form = AssignForm(request.POST, agents=_assignable(message))
    if form.is_valid():
        try:
            services.assign_message(message, agent=form.cleaned_data["agent"], actor=request.user)
        except services.RegisterError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, "Message attribué.")
    else:
        flash.error(request, _form_errors(form))
    return _back(message)


def _destinations(message: Message):
    """The services a message may be sent on to: any active one of its prefecture (mail
    reaches the wrong bureau, and its agent must be able to pass it on), and its own."""
    return (
        Service.objects.filter(site__prefecture=message.prefecture_id)
        .filter(Q(is_active=True) | Q(pk=message.service_id))
        .select_related("site")
    )


@agent_view("work")
@require_POST
def classify(request, pk: int):
    """Reclassify a message, or send it on to another service ("Classement")."""
    message = _get_message(request, pk)
    form = ClassifyForm(
        request.POST, prefecture=request.prefecture, services=_destinations(message)
    )
    if form.is_valid():
        try:
            services.update_classification(message, actor=request.user, **form.cleaned_data)
        except services.RegisterError as exc:
            flash.error(request, str(exc))
        else:
            if not scoped_messages(request).filter(pk=message.pk).exists():
                # Sent on to a service this agent does not work on: his page would be a 404.
                flash.success(
                    request,
                    f"Message {message.reference} transmis à "
                    f"{form.cleaned_data['service'].name} : il ne figure plus dans votre "
                    "registre.",
                )
                return redirect("correspondence:agents-list", request.prefecture.slug)
            flash.success(request, "Classement enregistré.")
    else:
        flash.error(request, _form_errors(form))
    return _back(message)


def _templates_for(message: Message):
    """Published versions usable to answer this message (its service's and common ones).
    Not the acknowledgement, nor the missing-documents sheet: documents are asked for with
    "Demander des pièces", which opens the wait and prints the sheet with its list and last
    day; sent as an answer, the sheet had neither and the message counted as answered."""
    return (
        TemplateVersion.objects.filter(
            template__prefecture=message.prefecture, status=VersionStatus.PUBLISHED
        )
        .exclude(
            template__purpose__in=[
                TemplatePurpose.ACKNOWLEDGEMENT,
                TemplatePurpose.MISSING_DOCUMENTS,
            ]
        )
        .filter(Q(template__service__isnull=True) | Q(template__service=message.service_id))
        .select_related("template")
    )


@agent_view("work")
@require_http_methods(["GET", "POST"])
def answer(request, pk: int):
    """Pick a template, get it filled, edit freely, send by e-mail or produce the letter."""
    message = _get_message(request, pk)
    if message.status == Status.CLOSED:
        flash.error(request, f"Le message {message.reference} est clos : rouvrez-le d'abord.")
        return _back(message)
    templates = _templates_for(message)
    if not message.sender_address:  # a letter needs a postal address
        templates = templates.exclude(template__channel=AnswerChannel.LETTER)
    available = sorted(
        templates,
        key=lambda v: (v.template.purpose != _purpose_for(message), v.template.name),
    )
    chosen = None
    if request.method == "GET" and request.GET.get("template", "").isdigit():
        chosen = next((v for v in available if v.pk == int(request.GET["template"])), None)
    default_channel = AnswerChannel.EMAIL if message.sender_email else AnswerChannel.LETTER
    # The template's way when the person can be answered that way (an e-mail template for a
    # letter without e-mail ticked no way at all, and the written answer came back refused).
    # (Letter templates are not offered without a postal address.)
    usable = chosen is not None and (
        chosen.template.channel != AnswerChannel.EMAIL or bool(message.sender_email)
    )
    initial = {
        "channel": chosen.template.channel if usable else default_channel,
        "answered_on": timezone.localdate(),
        "subject": f"Votre message {message.reference} : {message.subject}".strip(" :"),
    }
    if chosen:
        values = placeholders.values_for(message, signatory=request.user)
        initial.update(
            subject=placeholders.fill(chosen.subject, values),
            text=placeholders.fill(chosen.body, values),
            template_version=chosen.pk,
        )
    form = AnswerForm(request.POST or None, initial=initial, message=message)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data
        version = next((v for v in available if v.pk == f["template_version"]), None)
        try:
            answer = services.answer_message(
                message,
                actor=request.user,
                subject=f["subject"],
                text=f["text"],
                channel=f["channel"],
                template_version=version,
                answered_on=f["answered_on"],
            )
        except services.UnfinishedAnswer as exc:
            form.add_error("text", str(exc))
        except services.RegisterError as exc:
            form.add_error(None, str(exc))
        else:
            if answer.channel == AnswerChannel.EMAIL:
                flash.success(
                    request,
                    f"Réponse enregistrée : envoi en cours à {message.sender_email} "
                    "(son état s'affiche sous la réponse).",
                )
            else:
                flash.success(request, "Réponse enregistrée : imprimez le courrier PDF.")
            return _back(message)
    return render_agents(
        request,
        "correspondence/agents/answer.html",
        {"message": message, "form": form, "available": available, "chosen": chosen},
    )


def _purpose_for(message: Message) -> str:
    return {
        "complaint": TemplatePurpose.COMPLAINT_ANSWER,
        "suggestion": TemplatePurpose.SUGGESTION_ANSWER,
    }.get(message.kind, TemplatePurpose.INFORMATION_ANSWER)


@agent_view("work")
@require_POST
def close(request, pk: int):
    message = _get_message(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.close_message(
                message,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except services.RegisterError as exc:
            flash.error(request, str(exc))
        else:
            if form.cleaned_data["reason"] != ClosedReason.FORWARDED:
                flash.success(request, "Message clos sans réponse.")
            elif message.sender_email:
                flash.success(
                    request,
                    f"Message clos : {message.sender_email} est avisé par courriel de sa "
                    "transmission.",
                )
            else:
                flash.warning(
                    request,
                    "Message clos. L'usager n'a pas donné de courriel : envoyez-lui par courrier "
                    "la lettre de transmission, à imprimer depuis cette page.",
                )
    else:
        flash.error(request, _form_errors(form))
    return _back(message)


@agent_view("work")
@require_POST
def reopen(request, pk: int):
    message = _get_message(request, pk)
    try:
        services.reopen_message(message, actor=request.user)
    except services.RegisterError as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, "Message rouvert.")
    return _back(message)


@agent_view("work")
@require_POST
def comment(request, pk: int):
    message = _get_message(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_message(message, actor=request.user, text=form.cleaned_data["text"])
        flash.success(request, "Commentaire ajouté.")
    else:
        flash.error(request, _form_errors(form))
    return _back(message)


@agent_view("work")
@require_POST
def duplicate(request, pk: int):
    """Link, merge or dismiss a suspected duplicate."""
    message = _get_message(request, pk)
    action = request.POST.get("action")
    try:
        if action == "dismiss":
            services.dismiss_duplicate(message, actor=request.user)
            flash.success(request, "Signalement écarté.")
        else:
            original = get_object_or_404(
                scoped_messages(request), reference=request.POST.get("original", "").strip()
            )
            if action == "merge":
                services.merge_duplicate(message, original=original, actor=request.user)
                flash.success(request, f"Fusionné dans {original.reference}.")
                return _back(original)
            services.link_duplicate(message, original=original, actor=request.user)
            flash.success(request, f"Lié à {original.reference}.")
    except services.RegisterError as exc:
        flash.error(request, str(exc))
    return _back(message)


@agent_view("work")
@require_POST
def request_documents(request, pk: int):
    """Ask the person for missing documents: the message waits, the clock stops."""
    message = _get_message(request, pk)
    form = DocumentsRequestForm(request.POST)
    if form.is_valid():
        try:
            wait = services.request_documents(
                message, actor=request.user, documents=form.cleaned_data["documents"]
            )
        except services.RegisterError as exc:
            flash.error(request, str(exc))
        else:
            clock = (
                "Pièces demandées après l'échéance : le délai n'est pas suspendu, le message "
                "reste en retard"
                if wait.made_late
                else "Pièces demandées : le délai est suspendu"
            )
            flash.success(
                request,
                f"{clock} ; l'usager a jusqu'au {wait.ends_on:%d/%m/%Y} pour les transmettre.",
            )
    else:
        flash.error(request, _form_errors(form))
    return _back(message)


@agent_view("work")
@require_POST
def documents_received(request, pk: int):
    """Record documents received by post, at the counter or by e-mail: the message resumes."""
    message = _get_message(request, pk)
    form = DocumentsReceivedForm(request.POST)
    if form.is_valid():
        try:
            services.record_documents_received(
                message,
                actor=request.user,
                received_on=form.cleaned_data["received_on"],
                note=form.cleaned_data["note"],
            )
        except services.RegisterError as exc:
            flash.error(request, str(exc))
        else:
            flash.success(request, "Pièces reçues : le traitement reprend.")
    else:
        flash.error(request, _form_errors(form))
    return _back(message)


def _body_paragraphs(message: Message, text: str) -> list[str]:
    """The text's paragraphs without the blocks the letter layout prints itself: the sender
    block (letterhead), "Destinataire :" (window address) and the prefecture's address line
    (page footer), which a letter-type filled from the library also carries. Line breaks
    are normalised first: a browser posts a textarea's as CRLF."""
    prefecture = message.prefecture
    sender = f"{prefecture.name} — {(message.service or message.site).name}"  # {expediteur}
    footer = f"{prefecture.name} — "
    date_place = f"{message.site.city}, le "
    kept = []
    for paragraph in normalize_newlines(text).split("\n\n"):
        bare = paragraph.strip()
        if not bare:
            continue
        if bare.startswith(sender) or bare.startswith("Destinataire :"):
            continue
        # The layout dates the letter the day it is answered (the text may carry the day
        # the template was filled in).
        if bare.startswith(date_place) and "\n" not in bare:
            continue
        if bare.startswith(footer) and prefecture.postal_address in bare:
            continue
        kept.append(paragraph)
    return kept


def _letter_context(
    message: Message,
    *,
    subject: str,
    text: str,
    answered_on: date,
    signatory: str,
    signatory_title: str = "",
):
    """Every mandatory block of seed 000 is in the layout; a block the text already carries
    (a letter-type filled from the library) is not repeated."""
    site = message.site
    date_text = long_date(answered_on, language="fr")  # "1er mars 2026"
    date_place = f"{site.city}, le {date_text}"
    return {
        "message": message,
        "prefecture": message.prefecture,
        "site": site,
        "service": message.service,
        "subject": subject,
        "paragraphs": _body_paragraphs(message, text),
        "date": answered_on,
        "date_place": date_place,
        "show_subject": "Objet :" not in text,
        "signatory": signatory,
        "signatory_title": signatory_title,
        "show_signature": not (signatory and signatory in text),
    }


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{name}")
    return response


@agent_view("read_records")
def answer_pdf(request, answer_pk: int):
    """The answer as an A4 letter for a window envelope."""
    # Fetch first (404 for others' records), then refuse other methods.
    answer = get_object_or_404(
        Answer.objects.filter(message__in=scoped_messages(request)).select_related(
            "message__prefecture", "message__site", "message__service", "author"
        ),
        pk=answer_pk,
    )
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refuse_without_people(request)
    context = _letter_context(
        answer.message,
        subject=answer.subject,
        text=answer.text,
        answered_on=answer.answered_on,
        signatory=answer.signatory,
        signatory_title=answer.signatory_title
        or placeholders.signatory_of(answer.author, answer.message.prefecture)[2],
    )
    pdf = render_pdf("correspondence/pdf/letter.html", context)
    return _pdf_response(pdf, f"reponse-{answer.message.reference}.pdf")


def letter_values(message: Message, user, *, subject: str, today: date | None = None):
    """The placeholder values of a letter printed for this message and signed by `user`;
    `subject` is the letter's object where the message has none (each letter has its own)."""
    values = placeholders.values_for(message, signatory=user, today=today)
    values["objet"] = values["objet"] or subject
    return values


def signed_by(values: dict[str, str]) -> dict[str, str]:
    """The signature block of a letter from its values (the checked ones)."""
    names = (values["signataire_prenom"], values["signataire_nom"])
    return {
        "signatory": " ".join(name for name in names if name),
        "signatory_title": values["signataire_fonction"],
    }


def _letter_refused(request, message: Message, values: dict[str, str]) -> HttpResponse | None:
    """The same mandatory-block check as every outgoing letter (seed 000): a letter without
    the person's postal address, or another block, is not printed; back to the message with
    the reason."""
    refusal = placeholders.outgoing_error(AnswerChannel.LETTER, values)
    if not refusal:
        return None
    if not message.sender_address and message.sender_email:
        # Nothing to complete: the person gave no address, the e-mail is the way.
        refusal = (
            f"Pas de courrier à imprimer pour le message {message.reference} : l'usager n'a "
            "pas donné d'adresse postale ; il reçoit nos courriels."
        )
    flash.error(request, refusal)
    return _back(message)


def _letter_missing(message: Message, user) -> str:
    """Why the message's page offers no printable letter, by the check the PDFs apply
    (`_letter_refused`): "" when its letters can be printed and signed by `user`."""
    if not message.sender_address:
        return "l'usager n'a pas donné d'adresse postale"
    values = letter_values(message, user, subject=message.reference)
    missing = placeholders.outgoing_missing(AnswerChannel.LETTER, values)
    return f"il manque {', '.join(missing)}" if missing else ""


@agent_view("read_records")
def ack_letter(request, pk: int):
    """Printable acknowledgement letter for postal mail, from the published template."""
    # Fetch first (404 for others' records), then refuse other methods.
    message = _get_message(request, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refuse_without_people(request)
    version = services.messages.published_version(
        message.prefecture, TemplatePurpose.ACKNOWLEDGEMENT, AnswerChannel.LETTER, message.service
    )
    sent_on = (
        timezone.localtime(message.acknowledged_at).date()
        if message.acknowledged_at
        else timezone.localdate()
    )
    values = letter_values(
        message, request.user, subject=f"Accusé de réception — {message.reference}", today=sent_on
    )
    refused = _letter_refused(request, message, values)
    if refused:
        return refused
    if version:
        subject = placeholders.fill(version.subject, values)
        text = placeholders.fill(version.body, values)
    else:
        subject = f"Accusé de réception — {message.reference}"
        text = (
            f"Madame, Monsieur,\n\nNous avons bien reçu le {values['date_reception']} votre "
            f"courrier, enregistré sous la référence {message.reference}. Il est traité par "
            f"{values['service_article']} ({values['service_coordonnees']}), qui vous répondra "
            f"au plus tard le {values['date_echeance']}.\n\nVeuillez agréer, Madame, Monsieur, "
            "l'expression de nos salutations distinguées."
        )
    context = _letter_context(
        message,
        subject=subject,
        text=text,
        answered_on=sent_on,
        **signed_by(values),
    )
    return _pdf_response(
        render_pdf("correspondence/pdf/letter.html", context),
        f"accuse-reception-{message.reference}.pdf",
    )


@agent_view("read_records")
def forwarded_letter(request, pk: int):
    """The letter telling a person without e-mail that his request went to another
    administration, and which (code des relations entre le public et l'administration,
    art. L114-2); those with an address got the mail when the message was closed."""
    message = _get_message(request, pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refuse_without_people(request)
    recipient = services.messages.forwarded_to(message)
    if not recipient:
        raise Http404
    values = letter_values(
        message, request.user, subject=f"Transmission de votre demande — {message.reference}"
    )
    refused = _letter_refused(request, message, values)
    if refused:
        return refused
    closed_on = long_date(message.closed_on, language="fr")
    text = (
        f"Madame, Monsieur,\n\nVotre courrier reçu le {values['date_reception']}, enregistré "
        f"sous la référence {message.reference}, relève de la compétence d'une autre "
        f"administration : {recipient}. Nous le lui avons transmis le {closed_on}, comme le "
        "prévoit l'article L.\u00a0114-2 du code des relations entre le public et "
        "l'administration. C'est elle qui vous répondra ; pour toute question sur votre "
        "demande, adressez-vous désormais à elle.\n\nVeuillez agréer, Madame, Monsieur, "
        "l'expression de nos salutations distinguées."
    )
    context = _letter_context(
        message,
        subject=f"Transmission de votre demande — {message.reference}",
        text=text,
        answered_on=message.closed_on,
        **signed_by(values),
    )
    return _pdf_response(
        render_pdf("correspondence/pdf/letter.html", context),
        f"transmission-{message.reference}.pdf",
    )


# "[Liste des pièces.]" in the seeded "Fiche pièces manquantes" (or a reworded variant).
LIST_MARKER = re.compile(r"\[Liste des pièces[^\]\n]*\]")
# The first seeded sheet counted the days from the letter's arrival, a date the system does
# not know: its sentence is replaced by the date the wait ends on.
OLD_DAYS_WORDING = (
    "Vous disposez de 8 jours à compter de la réception de ce courrier pour nous les transmettre."
)


DAYS_SENTENCE = re.compile(
    r"Vous disposez de \d+ jours à compter de la date de ce courrier pour nous les "
    r"transmettre, soit jusqu'au [^.\n]* inclus\."
)


def _days_wording(wait) -> str:
    """The sentence that gives the person the wait's last day, as the system keeps it."""
    # Written as the letter's other dates are ("12 mars 2026", "1er avril 2026").
    ends = long_date(wait.ends_on, language="fr")
    if wait.extended:
        return f"Vous avez jusqu'au {ends} inclus pour nous les transmettre."
    return (
        f"Vous disposez de {wait.DAYS} jours à compter de la date de ce courrier pour nous les "
        f"transmettre, soit jusqu'au {ends} inclus."
    )


def tell_the_service(service_contact: str, *, closed: bool = False) -> str:
    """The flow's "tell the service why" sentence, from the template its e-mails include (the
    letters are in French, whatever language the agent's page is in)."""
    with translation.override("fr"):
        return render_to_string(
            "correspondence/mail/_tell_the_service.txt",
            {"service_name": service_contact, "closed": closed},
        )


@agent_view("read_records")
def documents_letter(request, pk: int, wait_pk: int):
    """The "fiche pièces manquantes" of a wait, to post to a person without e-mail."""
    # Fetch first (404 for others' records), then refuse other methods.
    message = _get_message(request, pk)
    wait = get_object_or_404(message.document_requests, pk=wait_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refuse_without_people(request)
    version = services.messages.published_version(
        message.prefecture, TemplatePurpose.MISSING_DOCUMENTS, AnswerChannel.LETTER, message.service
    )
    subject = f"Pièces manquantes — {message.reference}"
    values = letter_values(message, request.user, subject=subject)
    refused = _letter_refused(request, message, values)
    if refused:
        return refused
    listing = "\n".join(f"– {document}" for document in wait.document_list)
    # The sheet states the very date the system closes the wait on (`wait.ends_on`).
    values["date_limite_pieces"] = f"{wait.ends_on:%d/%m/%Y}"
    if version:
        subject = placeholders.fill(version.subject, values)
        text = placeholders.fill(version.body, values)
        if LIST_MARKER.search(text):
            text = LIST_MARKER.sub(lambda _m: listing, text, count=1)
        else:
            text = f"Pièces manquantes :\n{listing}\n\n{text}"
        text = text.replace(OLD_DAYS_WORDING, _days_wording(wait))
        # An extended wait: "8 jours" no longer holds, the last day does.
        text = DAYS_SENTENCE.sub(lambda _m: _days_wording(wait), text)
        # The last day may now be written long ("12 mars 2026"): looked for in both forms,
        # or the sheet printed the sentence a second time under the list.
        if not any(
            day in text
            for day in (values["date_limite_pieces"], long_date(wait.ends_on, language="fr"))
        ):
            text = text.replace(listing, f"{listing}\n\n{_days_wording(wait)}", 1)
    else:
        text = (
            "Madame, Monsieur,\n\nL'examen de votre dossier montre qu'il manque les pièces "
            f"suivantes :\n\n{listing}\n\n{_days_wording(wait)} "
            f"{tell_the_service(values['service_coordonnees'])}\n\nVeuillez agréer, Madame, "
            "Monsieur, l'expression de nos salutations distinguées."
        )
    context = _letter_context(
        message,
        subject=subject,
        text=text,
        answered_on=wait.requested_on,
        **signed_by(values),
    )
    return _pdf_response(
        render_pdf("correspondence/pdf/letter.html", context),
        f"pieces-manquantes-{message.reference}.pdf",
    )


@agent_view("read_records")
def attachment(request, attachment_pk: int):
    # Fetch first (404 for others' records), then refuse other methods.
    item = get_object_or_404(
        Attachment.objects.filter(message__in=scoped_messages(request)), pk=attachment_pk
    )
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    refuse_without_people(request)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        # The record outlived its file (storage restored from an older backup, purge…).
        raise Http404("Cette pièce jointe n'est plus disponible sur le serveur.") from exc
    # The stored, checked type with a matching name (not the type the sender's name suggests).
    return FileResponse(
        handle, filename=item.served_name, as_attachment=True, content_type=item.served_type
    )


def _figures_data(request):
    """The figures page (and its CSV): one SQL statement per year (this year and the
    previous one, evaluated at the same date), whatever the number of messages."""
    prefecture = request.prefecture
    today = timezone.localdate()
    sites = request.access.sites(prefecture)
    form = FiguresForm(request.GET or {"year": today.year}, sites=sites)
    # A field in error (shown on the form) falls back to its default; the others, still
    # shown as chosen, apply (an invalid year dropped the nature or site chosen beside it).
    form.is_valid()
    cleaned = form.cleaned_data
    year = cleaned.get("year") or today.year
    at = cleaned.get("at") or today
    site = cleaned.get("site")
    filters = {"site": site} if site is not None else {}
    for name in ("kind", "channel"):
        if cleaned.get(name):
            filters[name] = cleaned[name]
    qs = request.access.scope(queries.year_messages(prefecture, year), prefecture)
    previous_qs = request.access.scope(queries.year_messages(prefecture, year - 1), prefecture)
    # A short shared cache: the page over a million messages costs its SQL once a minute.
    total, by_dimension = queries.cached_figures_by(qs.filter(**filters), at=at)
    previous, before_by_dimension = queries.cached_figures_by(previous_qs.filter(**filters), at=at)
    tables = []
    for by, label in queries.DIMENSIONS.items():
        rows = by_dimension[by]
        # Months compare with the same month of the previous year.
        previous_rates = {
            (row["key"].month if by == "month" else row["key"]): row["rate_on_time"]
            for row in before_by_dimension[by]
        }
        for row in rows:
            key = row["key"].month if by == "month" else row["key"]
            row["previous_rate"] = previous_rates.get(key)
        tables.append({"by": by, "label": label, "rows": rows})
    # The prefecture's targets, or the site's where it overrides them.
    targets = prefecture.targets_for(year, site)
    return {
        "form": form,
        "year": year,
        "at": at,
        "site": site,
        "filters": filters,
        "total": total,
        "previous": previous,
        "target_rate": targets[Indicator.CORRESPONDENCE_RATE],
        "target_delay": targets[Indicator.CORRESPONDENCE_DELAY],
        "tables": tables,
    }


@agent_view("read_figures")
@require_GET
@replica_reads
def figures(request):
    data = _figures_data(request)
    data["querystring"] = request.GET.urlencode()
    data["filters_line"] = _filters_line(data)
    # Topics become "create an action" sources (quality app) for those who may act.
    can_work = request.access.can(request.prefecture, "work")
    topics = {t.pk: t for t in Topic.objects.filter(prefecture=request.prefecture)}
    for table in data["tables"]:
        for row in table["rows"]:
            row["source"] = topics.get(row["key"]) if can_work and table["by"] == "topic" else None
    # Without a figure (no answer yet), whether the target is met is not known: "—", not "non".
    total, target = data["total"], data["target_rate"]
    rate = total["rate_on_time"]
    data["rate_met"] = None if rate is None else rate >= target
    delay = total["average_delay"]
    data["delay_met"] = None if delay is None else delay <= data["target_delay"]
    data["deadline_measured"] = queries.deadline_measured(request.prefecture)
    return render_agents(request, "correspondence/agents/figures.html", data)


# French column names of the figures CSV (docs/indicators.md), in queries.FIGURE_KEYS order.
FIGURE_HEADERS = {
    "answered": "répondus",
    "on_time": "dans les délais",
    "late": "en retard (sans réponse)",
    "pending": "en attente",
    "excluded": "clos sans réponse (exclus)",
    "rate_on_time": "taux dans les délais (%)",
    "average_delay": "délai moyen (jours ouvrés)",
}


def _filters_line(data) -> str:
    """What the figures were filtered on, as shown above the tables."""
    form = data["form"]
    parts = []
    if data["site"] is not None:
        parts.append(f"site : {data['site'].name}")
    for name in ("kind", "channel"):
        value = data["filters"].get(name)
        if value:
            parts.append(
                f"{form.fields[name].label.lower()} : {dict(form.fields[name].choices)[value]}"
            )
    return " ; ".join(parts)


@agent_view("read_figures")
@require_GET
@replica_reads
def figures_csv(request):
    """The figures page as CSV (one line per dimension value)."""
    data = _figures_data(request)
    columns = list(queries.FIGURE_KEYS)
    targets = [data["target_rate"], data["target_delay"]]
    total, previous = data["total"], data["previous"]
    # The page's summary: this year against its targets and the previous year, which has
    # its own line (evaluated at the same date), as the page shows it.
    rows = [
        [
            "ensemble",
            data["year"],
            total["total"],
            *[total[c] for c in columns],
            "",
            previous["rate_on_time"],
            *targets,
        ],
        ["ensemble", data["year"] - 1, previous["total"], *[previous[c] for c in columns]]
        + ["", "", "", ""],
    ]
    for table in data["tables"]:
        for row in table["rows"]:
            rows.append(
                [
                    table["label"],
                    row["label"],
                    row["total"],
                    *[row[c] for c in columns],
                    row["share"],
                    row["previous_rate"],
                    "",
                    "",
                ]
            )
    header = ["dimension", "valeur", "total", *[FIGURE_HEADERS[c] for c in columns]]
    header += [
        "part des messages (%)",
        f"taux {data['year'] - 1} (%)",
        "cible taux (%)",
        "cible délai (jours ouvrés)",
    ]
    parts = [request.prefecture.slug, str(data["year"])]
    if data["site"] is not None:
        parts.append(data["site"].slug)
    parts += [data["filters"][name] for name in ("kind", "channel") if name in data["filters"]]
    return csv_response(f"courriers-{'-'.join(parts)}.csv", header, rows)
