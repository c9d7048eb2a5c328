"""Public survey pages: anonymous, one answer per browser session and campaign, rate-limited.

The interface is translated with Django i18n (FR/EN); the questions come from the database
in the visitor's language (`?langue=xx` for languages a prefecture adds).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engagements.antibot import client_ip, rate_limited
from engagements.organisation.models import Prefecture, Service

from .. import translations
from ..enums import CampaignKind, Channel
from ..forms import AnswerForm
from ..models import Campaign
from ..services import SurveyError, claim_invitation, submit_response

SESSION_KEY = "surveys_answered"
# Per address and hour; a kiosk tablet shares one address for a whole waiting room.
LIMITS = {"default": 20, Channel.KIOSK: 300}

LANGUAGE_NAMES = {
    "fr": "Français",
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "ar": "العربية",
    "tr": "Türkçe",
    "ru": "Русский",
    "uk": "Українська",
    "zh": "中文",
    "ro": "Română",
    "pl": "Polski",
}


def _open_campaign(token: str) -> Campaign:
    campaign = get_object_or_404(
        Campaign.objects.select_related("site", "prefecture", "questionnaire"),
        token=token,
        prefecture__is_published=True,
    )
    return campaign


def _question_language(request: HttpRequest, offered: list[str]) -> str:
    """The language asked for (?langue=), if offered; else the page's, if offered; else French."""
    wanted = request.GET.get("langue") or request.POST.get("langue") or ""
    if wanted in offered:
        return wanted
    page = translation.get_language() or "fr"
    # A page in Arabic whose questionnaire has no Arabic questions yet: the questions
    # in French, as written.
    return page if page in offered else "fr"


def _language_links(request: HttpRequest, offered: list[str]) -> list[tuple[str, str, str]]:
    """(code, name, href) of each offered language, keeping the other parameters (?canal=)."""
    links = []
    for code in offered:
        query = request.GET.copy()
        query["langue"] = code
        links.append((code, LANGUAGE_NAMES.get(code, code), f"?{query.urlencode()}"))
    return links


def _already_answered(request: HttpRequest, campaign: Campaign) -> bool:
    return campaign.pk in request.session.get(SESSION_KEY, [])


def _remember(request: HttpRequest, campaign: Campaign) -> None:
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, []), campaign.pk][-50:]


@require_GET
def prefecture_surveys(request: HttpRequest, prefecture: str) -> HttpResponse:
    """The prefecture's open surveys and star pages, per site and service."""
    found = get_object_or_404(Prefecture, slug=prefecture, is_published=True)
    today = timezone.localdate()
    campaigns = (
        Campaign.objects.filter(prefecture=found, starts_on__lte=today)
        .exclude(ends_on__lt=today)
        .exclude(kind=CampaignKind.END_OF_CALL)
        .select_related("site")
        # Only the services that take answers (a closed service's link would be a 404).
        .prefetch_related(Prefetch("services", queryset=Service.objects.filter(is_active=True)))
        .order_by("site__position", "site__name", "kind")
    )
    # A campaign none of whose services takes answers any more has nothing to offer.
    campaigns = [campaign for campaign in campaigns if campaign.services.all()]
    return render(
        request,
        "surveys/public/prefecture.html",
        {"prefecture": found, "campaigns": campaigns},
    )


@require_GET
def campaign_entry(request: HttpRequest, token: str) -> HttpResponse:
    """The short link: pick the service (or go straight to it when there is one)."""
    campaign = _open_campaign(token)
    services = list(campaign.services.filter(is_active=True))
    if len(services) == 1:
        url = reverse("surveys:answer", args=[campaign.token, services[0].slug])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    return render(
        request,
        "surveys/public/choose.html",
        {"campaign": campaign, "services": services, "open": campaign.is_open()},
    )


def _survey_page(
    request: HttpRequest,
    campaign: Campaign,
    service: Service | None,
    *,
    channel: str,
    kiosk: bool = False,
    invitation_token: str = "",
) -> HttpResponse:
    questions = list(campaign.questionnaire.questions.all())
    offered = translations.offered_languages(campaign.questionnaire, questions)
    language = _question_language(request, offered)
    ui = translations.interface(campaign.questionnaire, language)
    context = {
        "campaign": campaign,
        "service": service,
        "kiosk": kiosk,
        "question_language": language,
        "question_dir": "rtl" if language in settings.LANGUAGES_BIDI else "ltr",
        "languages": _language_links(request, offered),
        "ui": ui,
    }
    if not campaign.is_open():
        # A poster put up before the campaign starts: "not yet open", not "closed" (410).
        if campaign.starts_on > timezone.localdate():
            return render(request, "surveys/public/not_started.html", context)
        return render(request, "surveys/public/closed.html", context, status=410)
    if not kiosk and not invitation_token and _already_answered(request, campaign):
        return render(request, "surveys/public/already.html", context)
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        language=language,
        ui=ui,
    )
    if request.method == "POST":
        limit = LIMITS.get(channel, LIMITS["default"])
        if rate_limited(f"surveys:{channel}:{client_ip(request)}", limit=limit, window=3600):
            return render(request, "surveys/public/too_many.html", context, status=429)
        if form.is_valid():
            try:
                with transaction.atomic():  # a link is used only if the answer is saved
                    if invitation_token:
                        claim_invitation(invitation_token)
                    submit_response(
                        campaign,
                        service=service,
                        channel=channel,
                        language=language,
                        values=form.values(),
                        comments=form.comments(),
                    )
            except SurveyError as exc:
                form.add_error(None, str(exc))
            else:
                if not kiosk:
                    _remember(request, campaign)
                return redirect(_thanks_url(campaign, service if kiosk else None))
    context["form"] = form
    context["star_form"] = campaign.kind == CampaignKind.STARS
    return render(request, "surveys/public/answer.html", context)


def _thanks_url(campaign: Campaign, kiosk_service: Service | None) -> str:
    """The thank-you page; a kiosk's goes back to the same service's questionnaire."""
    url = reverse("surveys:thanks", args=[campaign.token])
    return url + "?borne=" + kiosk_service.slug if kiosk_service else url


def _service(campaign: Campaign, slug: str) -> Service:
    return get_object_or_404(campaign.services.filter(is_active=True), slug=slug)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str, service: str) -> HttpResponse:
    """The questionnaire reached by QR code (default) or a link on the website (?canal=web)."""
    campaign = _open_campaign(token)
    requested = Channel.WEB if request.GET.get("canal") == "web" else Channel.QR
    return _survey_page(
        request,
        campaign,
        _service(campaign, service),
        channel=campaign.public_channel(requested),
    )


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, token: str, service: str) -> HttpResponse:
    """Full-screen tablet mode: back to the start after each answer and after inactivity."""
    campaign = _open_campaign(token)
    return _survey_page(
        request,
        campaign,
        _service(campaign, service),
        channel=campaign.public_channel(Channel.KIOSK),
        kiosk=True,
    )


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The single-use link e-mailed after an appointment."""
    from ..models import Invitation

    found = (
        Invitation.objects.select_related("campaign", "campaign__questionnaire", "service")
        .filter(token=token)
        .first()
    )
    if found is None or found.used_at or found.expires_at <= timezone.now():
        return render(request, "surveys/public/link_used.html", status=410)
    return _survey_page(
        request,
        found.campaign,
        found.service,
        channel=Channel.APPOINTMENT_EMAIL,
        invitation_token=token,
    )


@require_GET
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    campaign = _open_campaign(token)
    kiosk_service = request.GET.get("borne", "")
    restart = None
    if kiosk_service:
        service = campaign.services.filter(slug=kiosk_service).first()
        if service is None:
            raise Http404(_("Service inconnu"))
        restart = reverse("surveys:kiosk", args=[campaign.token, service.slug])
    return render(
        request,
        "surveys/public/thanks.html",
        {
            "campaign": campaign,
            "kiosk": bool(restart),
            "restart_url": restart,
            # The thank-you screen stays a few seconds, never longer than the idle delay.
            "return_seconds": min(8, campaign.kiosk_idle_seconds),
        },
    )
