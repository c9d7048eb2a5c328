"""Agents' screens: campaigns, results, posters, coupons, comment review, questionnaires."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engagements.csvio import csv_response
from engagements.db_router import replica_reads
from engagements.organisation.access import agent_view
from engagements.organisation.enums import Indicator
from engagements.pdf import render_pdf
from engagements.qr import qr_data_uri
from engagements.shell.pages import render_agents

from .. import services
from ..enums import CampaignKind, CommentStatus, CommentTag, Criterion, QuestionKind
from ..forms import (
    CampaignForm,
    CopyForm,
    CouponForm,
    CouponPrintForm,
    LanguagesForm,
    QuestionForm,
    ReviewForm,
    TranslationForm,
)
from ..models import Answer, Campaign, Comment, Question, Questionnaire
from ..queries import bar_chart, campaign_results, figures_by
from ..services import PERSONAL_DATA_LABELS, SurveyError


def _campaigns(request: HttpRequest):
    return request.access.scope(
        Campaign.objects.select_related("site", "questionnaire"),
        request.prefecture,
        site_field="site",
        service_field=None,
    )


def _questionnaires(request: HttpRequest):
    return request.access.scope(
        Questionnaire.objects.all(), request.prefecture, site_field=None, service_field=None
    )


def _short_url(request: HttpRequest, campaign: Campaign, service=None) -> str:
    # Printed on posters: the canonical public address, not whatever host served this page.
    if service is None:
        return settings.SITE_URL + reverse("surveys:campaign", args=[campaign.token])
    return settings.SITE_URL + reverse("surveys:answer", args=[campaign.token, service.slug])


def _kiosk_url(campaign: Campaign, service) -> str:
    return settings.SITE_URL + reverse("surveys:kiosk", args=[campaign.token, service.slug])


# Campaigns -------------------------------------------------------------------------------


@agent_view("read_figures")
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = list(_campaigns(request).annotate(responses_count=Count("responses")))
    # Overall satisfaction of every campaign in one query (its own question, indicators.md).
    overall = figures_by(
        Answer.objects.filter(
            response__campaign__in=campaigns, question__criterion=Criterion.OVERALL
        ),
        "response__campaign_id",
    )
    for campaign in campaigns:
        figure = overall.get(campaign.pk, {"criteria": {}})["criteria"].get(Criterion.OVERALL)
        campaign.overall = figure.as_dict() if figure else {"rate": None}
    pending = request.access.scope(
        Comment.objects.filter(status=CommentStatus.PENDING),
        request.prefecture,
        prefecture_field="response__campaign__prefecture",
        site_field="response__campaign__site",
        service_field="response__service",
    ).count()
    return render_agents(
        request,
        "surveys/agents/campaigns.html",
        {"campaigns": campaigns, "pending_comments": pending, "today": timezone.localdate()},
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    campaign = get_object_or_404(_campaigns(request), pk=pk) if pk else None
    form = CampaignForm(request.POST or None, instance=campaign, prefecture=request.prefecture)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_campaign(
                form.save(commit=False), list(form.cleaned_data["services"]), actor=request.user
            )
        except SurveyError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"La campagne « {saved.name} » est enregistrée.")
            return redirect("surveys:agents-campaign", request.prefecture.slug, saved.pk)
    return render_agents(
        request,
        "surveys/agents/form.html",
        {"form": form, "title": f"Campagne : {campaign.name}" if campaign else "Nouvelle campagne"},
    )


@agent_view("read_figures")
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    results = campaign_results(campaign, service_ids=_visible_services(request))
    comments = list(
        _published_comments(request, campaign)
        .select_related("response__service")
        .order_by("-pk")[:50]
    )
    for comment in comments:
        comment.tag_labels = [CommentTag(t).label for t in comment.tags if t in CommentTag.values]
    # Criteria below the satisfaction target offer "create an action" (quality app).
    target = request.prefecture.target_for(campaign.starts_on.year, Indicator.SATISFACTION)
    can_work = request.access.can(request.prefecture, "work")
    for row in results["criteria"]:
        row["below_target"] = can_work and row["rate"] is not None and row["rate"] < target
    return render_agents(
        request,
        "surveys/agents/results.html",
        {
            "campaign": campaign,
            "results": results,
            "chart": bar_chart(results["criteria"]),
            "comments": comments,
            "short_url": _short_url(request, campaign),
            "can_work": can_work,  # posters and coupon entry (an auditor only reads)
        },
    )


def _published_comments(request: HttpRequest, campaign: Campaign):
    """The comments reviewed and published, as the results page and the report show them.

    A reviewer may publish a comment in which a name, a phone or an address was detected
    (he judged it a false alarm): the auditor, who reads no one's personal data, gets only
    the comments where nothing was detected."""
    comments = Comment.objects.filter(response__campaign=campaign, status=CommentStatus.PUBLISHED)
    if not request.access.sees_people(request.prefecture):
        comments = comments.filter(flags=[])
    return comments


def _visible_services(request: HttpRequest) -> set[int] | None:
    if request.access.sees_whole_prefecture(request.prefecture):
        return None
    return request.access.service_ids(request.prefecture)


@agent_view("read_figures")
@replica_reads
def campaign_csv(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    results = campaign_results(campaign, service_ids=_visible_services(request))

    def fmt(value):
        return "" if value is None else str(value).replace(".", ",")

    rows = []
    for row in results["criteria"]:
        rows.append(
            ["critère", "ensemble", row["label"], row["answers"], row["satisfied"]]
            + [row["dissatisfied"], fmt(row["rate"]), fmt(row["net"])]
        )
    for row in results["questions"]:
        rows.append(
            ["question", row["code"], row["label"], row["answers"], row["satisfied"]]
            + [row["dissatisfied"], fmt(row["rate"]), fmt(row["net"])]
        )
    # The questionnaires received per service and channel, as the page and the PDF show
    # them; the other rows count the answers given to a criterion (blanks left out).
    received = "Questionnaires reçus"
    for service in results["services"]:
        rows.append(["service", service["label"], received, service["responses"]] + [""] * 4)
        for label, cell in zip(results["criteria_labels"], service["cells"], strict=True):
            rows.append(
                ["service", service["label"], label, cell["answers"], cell["satisfied"]]
                + [cell["dissatisfied"], fmt(cell["rate"]), fmt(cell["net"])]
            )
    for channel in results["channels"]:
        cell = channel["overall"]
        rows.append(["canal", channel["label"], received, channel["responses"]] + [""] * 4)
        rows.append(
            ["canal", channel["label"], "Satisfaction globale", cell["answers"], cell["satisfied"]]
            + [cell["dissatisfied"], fmt(cell["rate"]), fmt(cell["net"])]
        )
    return csv_response(
        f"enquete-{campaign.pk}.csv",
        ["rubrique", "groupe", "libellé", "réponses", "satisfaits", "insatisfaits", "taux", "net"],
        rows,
    )


@agent_view("read_figures")
@replica_reads
def campaign_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    results = campaign_results(campaign, service_ids=_visible_services(request))
    comments = _published_comments(request, campaign).order_by("-pk")[:30]
    # Per service: criteria as rows, four services per table (landscape): no column is cut.
    labels = results["criteria_labels"]
    chunks = [results["services"][i : i + 4] for i in range(0, len(results["services"]), 4)]
    service_tables = [
        {
            "services": chunk,
            "rows": [(label, [s["cells"][i] for s in chunk]) for i, label in enumerate(labels)],
        }
        for chunk in chunks
    ]
    pdf = render_pdf(
        "surveys/pdf/report.html",
        {
            "campaign": campaign,
            "results": results,
            "service_tables": service_tables,
            "comments": comments,
            "chart": bar_chart(results["criteria"]),
            "generated_on": timezone.localdate(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"rapport-enquete-{campaign.pk}.pdf"
    )
    return response


# Posters and coupons ----------------------------------------------------------------------


@agent_view("work")
def posters(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    rows = [
        {
            "service": s,
            "url": _short_url(request, campaign, s),
            "kiosk": _kiosk_url(campaign, s),
        }
        # A closed service takes no answer: its poster's QR code would lead to a 404.
        for s in campaign.services.filter(is_active=True)
    ]
    return render_agents(
        request,
        "surveys/agents/posters.html",
        {"campaign": campaign, "rows": rows, "print_form": CouponPrintForm()},
    )


@agent_view("work")
def poster_pdf(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    service = get_object_or_404(campaign.services.filter(is_active=True), pk=service_pk)
    url = _short_url(request, campaign, service)
    from .. import translations
    from .public import LANGUAGE_NAMES

    # The poster announces the languages the questionnaire is actually offered in.
    languages = translations.offered_languages(campaign.questionnaire)
    pdf = render_pdf(
        "surveys/pdf/poster.html",
        {
            "campaign": campaign,
            "service": service,
            "url": url,
            "qr": qr_data_uri(url, scale=10),
            "languages": languages,
            "language_names": [LANGUAGE_NAMES.get(code, code) for code in languages],
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"affiche-{campaign.pk}-{service.slug}.pdf"
    )
    return response


@agent_view("work")
def coupons_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    if request.method != "GET":  # after the lookup: a foreign record stays a 404
        return HttpResponseNotAllowed(["GET"])
    form = CouponPrintForm(request.GET or None)
    if not form.is_valid():
        messages.error(request, "Indiquez le premier numéro et le nombre de coupons.")
        return redirect("surveys:agents-posters", request.prefecture.slug, campaign.pk)
    try:
        serials = services.coupon_serials(
            campaign, form.cleaned_data["first"], form.cleaned_data["count"]
        )
    except SurveyError as exc:
        messages.error(request, str(exc))
        return redirect("surveys:agents-posters", request.prefecture.slug, campaign.pk)
    pdf = render_pdf(
        "surveys/pdf/coupons.html",
        {
            "campaign": campaign,
            "serials": serials,
            "questions": list(campaign.questionnaire.questions.all()),
            "url": _short_url(request, campaign),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"coupons-{campaign.pk}.pdf"
    )
    return response


# Paper coupons come back from the urns for a while after a campaign ends.
COUPONS_TYPED_AFTER_END = timedelta(days=90)


@agent_view("work")
@require_GET
def coupon_campaigns(request: HttpRequest) -> HttpResponse:
    """Where an agent finds the campaigns whose paper coupons he may type in (the entry page
    is one per campaign, and the campaigns' list is for those who read the figures)."""
    today = timezone.localdate()
    campaigns = (
        _campaigns(request)
        .filter(kind=CampaignKind.CAMPAIGN, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today - COUPONS_TYPED_AFTER_END))
        .annotate(coupons=Count("responses", filter=~Q(responses__serial="")))
        .order_by("-starts_on", "name")
    )
    return render_agents(
        request, "surveys/agents/coupon_campaigns.html", {"campaigns": list(campaigns)}
    )


@agent_view("work")
@require_http_methods(["GET", "POST"])
def coupon_entry(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(_campaigns(request), pk=pk)
    initial = {"service": request.GET.get("service")}
    # An agent types the coupons of the services he works for, not his colleagues'.
    form = CouponForm(
        request.POST or None,
        campaign=campaign,
        initial=initial,
        service_ids=_visible_services(request),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.enter_coupon(
                campaign,
                actor=request.user,
                service=form.cleaned_data["service"],
                serial=form.cleaned_data["serial"],
                values=form.values(),
                comment=form.comment(),
            )
        except SurveyError as exc:
            form.add_error("serial", str(exc))
        else:
            messages.success(request, f"Coupon n° {form.cleaned_data['serial']} enregistré.")
            url = reverse("surveys:agents-coupon-entry", args=[request.prefecture.slug, pk])
            # Keep the service: a pile of coupons usually comes from one counter.
            return redirect(f"{url}?service={form.cleaned_data['service'].pk}")
    entered = campaign.responses.exclude(serial="").count()
    return render_agents(
        request,
        "surveys/agents/coupon_entry.html",
        {"campaign": campaign, "form": form, "entered": entered},
    )


# Comments ----------------------------------------------------------------------------------


def _comments(request: HttpRequest):
    return request.access.scope(
        Comment.objects.select_related("response__campaign", "response__service", "question"),
        request.prefecture,
        prefecture_field="response__campaign__prefecture",
        site_field="response__campaign__site",
        service_field="response__service",
    )


@agent_view("manage")
@require_GET
def comment_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("statut", CommentStatus.PENDING)
    if status not in CommentStatus.values:
        status = CommentStatus.PENDING
    comments = list(_comments(request).filter(status=status)[:100])
    for comment in comments:
        comment.flag_labels = [PERSONAL_DATA_LABELS.get(f, f) for f in comment.flags]
        comment.form = ReviewForm(
            prefix=f"c{comment.pk}",
            initial={"status": comment.status, "tags": comment.tags},
        )
    return render_agents(
        request,
        "surveys/agents/comments.html",
        {
            "comments": comments,
            "status": status,
            "statuses": CommentStatus.choices,
        },
    )


@agent_view("manage")
@require_POST
def comment_review(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(_comments(request), pk=pk)
    form = ReviewForm(request.POST, prefix=f"c{comment.pk}")
    if not form.is_valid():
        messages.error(request, "Choisissez de publier ou d'écarter le commentaire.")
    else:
        try:
            services.review_comment(
                comment,
                actor=request.user,
                status=form.cleaned_data["status"],
                tags=form.cleaned_data["tags"],
            )
        except SurveyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Commentaire relu.")
    return redirect("surveys:agents-comments", request.prefecture.slug)


# Questionnaires -------------------------------------------------------------------------


@agent_view("manage")
@require_GET
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    return render_agents(
        request,
        "surveys/agents/questionnaires.html",
        {"questionnaires": _questionnaires(request).prefetch_related("questions")},
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(_questionnaires(request), pk=pk)
    locked = questionnaire.has_answers()
    form = QuestionForm(request.POST or None, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_question(form.save(commit=False), actor=request.user)
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Question ajoutée.")
            return redirect("surveys:agents-questionnaire", request.prefecture.slug, pk)
    from .. import translations

    questions = list(questionnaire.questions.all())
    language_status = [
        (lang, translations.missing(questionnaire, lang, questions))
        for lang in questionnaire.extra_languages
    ]
    return render_agents(
        request,
        "surveys/agents/questionnaire.html",
        {
            "questionnaire": questionnaire,
            "questions": questions,
            "language_status": language_status,
            "locked": locked,
            "form": form,
            "copy_form": CopyForm(initial={"name": f"{questionnaire.name} (copie)"}),
            "languages_form": LanguagesForm(
                initial={"languages": ", ".join(questionnaire.extra_languages)}
            ),
            "kinds": QuestionKind,
        },
    )


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(_questionnaires(request), pk=pk)
    question = get_object_or_404(
        Question.objects.filter(questionnaire=questionnaire), pk=question_pk
    )
    form = QuestionForm(request.POST or None, instance=question, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_question(form.save(commit=False), actor=request.user)
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Question enregistrée.")
            return redirect("surveys:agents-questionnaire", request.prefecture.slug, pk)
    return render_agents(
        request,
        "surveys/agents/form.html",
        {"form": form, "title": f"Question {question.code}"},
    )


@agent_view("manage")
@require_POST
def questionnaire_languages(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(_questionnaires(request), pk=pk)
    form = LanguagesForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("languages", [])))
    else:
        try:
            services.set_languages(
                questionnaire, form.cleaned_data["languages"], actor=request.user
            )
        except SurveyError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, "Langues enregistrées : traduisez maintenant chaque question."
            )
    return redirect("surveys:agents-questionnaire", request.prefecture.slug, pk)


@agent_view("manage")
@require_http_methods(["GET", "POST"])
def questionnaire_translation(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """Translate a questionnaire into an added language: questions and page strings."""
    from .. import translations

    questionnaire = get_object_or_404(_questionnaires(request), pk=pk)
    if language not in questionnaire.extra_languages:
        raise Http404("Langue non ajoutée à ce questionnaire")
    form = TranslationForm(request.POST or None, questionnaire=questionnaire, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = services.save_translation(
                questionnaire,
                language,
                questions=form.questions_data(),
                interface=form.interface_data(),
                actor=request.user,
            )
        except SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            left = translations.missing(questionnaire, language)
            if left:
                messages.warning(
                    request,
                    f"Traduction enregistrée. Reste à traduire avant de proposer la langue "
                    f"« {language} » au public : {', '.join(left)}.",
                )
            else:
                messages.success(
                    request, f"Traduction complète : la langue « {language} » est proposée."
                )
            return redirect("surveys:agents-questionnaire", request.prefecture.slug, pk)
    return render_agents(
        request,
        "surveys/agents/form.html",
        {
            "form": form,
            "title": f"Traduction « {language} » de {questionnaire.name}",
            "missing": translations.missing(questionnaire, language),
        },
    )


@agent_view("manage")
@require_POST
def questionnaire_copy(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = get_object_or_404(_questionnaires(request), pk=pk)
    form = CopyForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    copy = services.copy_questionnaire(questionnaire, actor=request.user, name=name)
    messages.success(request, f"Copie « {copy.name} » créée : vous pouvez la modifier.")
    return redirect("surveys:agents-questionnaire", request.prefecture.slug, copy.pk)
