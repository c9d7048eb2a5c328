"""Demo surveys: last year's campaigns (194, 176 and 105 answers, as seed 002), this year's,
a running star poster, an end-of-call survey and a mystery-check round (one crossed)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from . import demo_languages
from .defaults import END_OF_CALL, STARS, create_questionnaire
from .enums import (
    NOT_CONCERNED,
    CampaignKind,
    Channel,
    CheckKind,
    CheckStatus,
    CommentStatus,
    QuestionKind,
)
from .models import (
    Answer,
    Campaign,
    CheckLog,
    CheckResult,
    Comment,
    Grid,
    GridCriterion,
    MysteryCheck,
    Response,
)
from .queries import check_score
from .services import detect_personal_data

# Weights of the points 1..4 of a scale answer; tuned so overall satisfaction lands near
# seed 002's published figures (85.7 %, 90 %, 92.5 %).
SCALE_WEIGHTS = {
    "lysville": [4, 10, 44, 42],
    "sainte-aure": [3, 7, 45, 45],
    "bellerive": [2, 6, 42, 50],
}
CHANNEL_WEIGHTS = [(Channel.PAPER, 58), (Channel.QR, 24), (Channel.KIOSK, 12), (Channel.WEB, 6)]
COMMENTS = [
    ("Accueil très aimable, merci à l'agent du guichet 3.", CommentStatus.PUBLISHED, ["praise"]),
    (
        "Trop d'attente le lundi matin, il faudrait plus de guichets.",
        CommentStatus.PUBLISHED,
        ["waiting"],
    ),
    (
        "Les panneaux pour trouver le bureau des titres ne sont pas clairs.",
        CommentStatus.PUBLISHED,
        ["premises"],
    ),
    ("Rappelez-moi au 06 12 34 56 78 pour mon dossier svp", CommentStatus.PENDING, []),
    (
        "Mon numéro étranger est 7512345678, mon titre est bloqué depuis 3 mois",
        CommentStatus.PENDING,
        [],
    ),
    ("Pas de chaises en nombre suffisant dans la salle d'attente.", CommentStatus.PENDING, []),
]


def _pick(rng, weighted):
    total = sum(w for _, w in weighted)
    roll = rng.uniform(0, total)
    for item, weight in weighted:
        roll -= weight
        if roll <= 0:
            return item
    return weighted[-1][0]


def _fill(ctx, campaign, count, weights, *, channel=None, questions=None):
    rng = ctx.rng
    questions = questions or list(campaign.questionnaire.questions.all())
    services = list(campaign.services.all())
    days = max(((campaign.ends_on or ctx.today) - campaign.starts_on).days, 0)
    responses = []
    paper = 0
    for _ in range(count):
        chosen = channel or _pick(rng, CHANNEL_WEIGHTS)
        serial = ""
        if chosen == Channel.PAPER:
            paper += 1
            serial = f"{campaign.pk}-{paper:04d}"
        responses.append(
            Response(
                campaign=campaign,
                service=rng.choice(services),
                channel=chosen,
                language="en" if rng.random() < 0.06 else "fr",
                answered_on=campaign.starts_on + timedelta(days=rng.randint(0, days)),
                serial=serial,
            )
        )
    Response.objects.bulk_create(responses)
    responses = list(campaign.responses.order_by("pk"))
    answers = []
    for response in responses:
        for q in questions:
            if q.kind == QuestionKind.TEXT:
                continue
            blank = 0.2 if q.code == "pmr" else 0.06
            if rng.random() < blank:
                continue
            if q.not_concerned and rng.random() < 0.6:
                answers.append(Answer(response=response, question=q, value=NOT_CONCERNED))
                continue
            if q.kind == QuestionKind.SCALE:
                value = rng.choices([1, 2, 3, 4], weights=weights)[0]
            elif q.kind == QuestionKind.STARS:
                value = rng.choices([1, 2, 3, 4, 5], weights=[3, 4, 9, 34, 50])[0]
            else:
                value = rng.choices([1, 2], weights=[12, 88])[0]
            answers.append(Answer(response=response, question=q, value=value))
    Answer.objects.bulk_create(answers, batch_size=2000)
    return responses


GERMAN_QUESTIONS = {
    "courtoisie": "Wie beurteilen Sie die Höflichkeit und Verfügbarkeit der Mitarbeiter?",
    "pmr": "Falls Sie in Ihrer Mobilität eingeschränkt sind: War der Empfang angepasst?",
    "langage": "Wie beurteilen Sie die Verständlichkeit der Informationen?",
    "orientation": "Wie beurteilen Sie die Weiterleitung an den richtigen Ansprechpartner?",
    "signaletique": "Wie beurteilen Sie die Beschilderung zum Dienst?",
    "confort": "Wie beurteilen Sie den Komfort und die Ausstattung des Wartebereichs?",
    "confidentialite": "Wie beurteilen Sie die Vertraulichkeit Ihres Gesprächs?",
    "attente": "Wie beurteilen Sie die Wartezeit?",
    "global": "Sind Sie insgesamt mit dem Empfang zufrieden?",
    "commentaire": "Eine Anmerkung, ein Vorschlag?",
}
GERMAN_INTERFACE = {
    "heading": "Ihre Meinung",
    "intro": "Anonyme Antwort: Wir speichern weder Ihren Namen noch Ihre Adresse. Beantworten "
    "Sie mindestens eine Frage; die anderen sind freiwillig.",
    "submit": "Meinung absenden",
    "empty": "Bitte beantworten Sie mindestens eine Frage.",
    "languages": "Sprache des Fragebogens",
    "scale_1": "Überhaupt nicht zufrieden",
    "scale_2": "Wenig zufrieden",
    "scale_3": "Zufrieden",
    "scale_4": "Sehr zufrieden",
    "no": "Nein",
    "yes": "Ja",
    "not_concerned": "Nicht betroffen",
    "comment_help": "Geben Sie weder Ihren Namen noch Ihre Kontaktdaten an.",
}


def seed(ctx) -> None:
    prefecture, services, sites = ctx.prefecture, ctx.services, ctx.sites
    today = ctx.today
    last, this = today.year - 1, today.year
    yearly = create_questionnaire(prefecture, f"Enquête annuelle de satisfaction {last}")
    yearly.extra_languages = ["de"]
    yearly.save(update_fields=["extra_languages"])
    # A complete German translation (questions and page strings): German is offered.
    for q in yearly.questions.all():
        q.translations = {**q.translations, "de": {"text": GERMAN_QUESTIONS[q.code]}}
        q.save(update_fields=["translations"])
    yearly.interface_translations = {"de": GERMAN_INTERFACE}
    yearly.save(update_fields=["interface_translations"])
    stars = create_questionnaire(prefecture, "Avis en étoiles", STARS)
    end_of_call = create_questionnaire(prefecture, "Enquête de fin d'appel", END_OF_CALL)
    # Arabic, Spanish, Portuguese, Ukrainian: the questions translated, so offered.
    for questionnaire, key in ((yearly, "yearly"), (stars, "stars"), (end_of_call, "end_of_call")):
        demo_languages.translate(questionnaire, key)

    def in_scope(site_slug):
        return [s for key, s in services.items() if key.startswith(f"{site_slug}/")]

    plan = [
        ("lysville", date(last, 11, 28), date(last, 12, 18), 194),
        ("sainte-aure", date(last, 3, 23), date(last, 4, 20), 176),
        ("bellerive", date(last, 3, 23), date(last, 4, 20), 105),
        ("sainte-aure", date(this, 3, 23), date(this, 4, 20), 158),
        ("bellerive", date(this, 3, 23), date(this, 4, 20), 97),
        ("lysville", date(this, 11, 28), date(this, 12, 18), 0),
    ]
    for slug, start, end, count in plan:
        campaign = Campaign.objects.create(
            prefecture=prefecture,
            site=sites[slug],
            questionnaire=yearly,
            name=f"Enquête de satisfaction {start.year} — {sites[slug].name}",
            starts_on=start,
            ends_on=end,
            token=f"{slug[:5]}{start.year % 100}",
        )
        campaign.services.set(in_scope(slug))
        if count and end <= today:
            responses = _fill(ctx, campaign, count, SCALE_WEIGHTS[slug])
            comment_question = yearly.questions.get(code="commentaire")
            reviewer = ctx.users.get("qualite")
            Comment.objects.bulk_create(
                Comment(
                    response=responses[i * 7],
                    question=comment_question,
                    text=text,
                    status=status,
                    tags=tags,
                    flags=detect_personal_data(text),
                    reviewed_by=reviewer if status != CommentStatus.PENDING else None,
                    reviewed_at=timezone.now() if status != CommentStatus.PENDING else None,
                )
                for i, (text, status, tags) in enumerate(COMMENTS)
            )

    poster = Campaign.objects.create(
        prefecture=prefecture,
        site=sites["lysville"],
        questionnaire=stars,
        kind=CampaignKind.STARS,
        name="Avis en étoiles — Lysville",
        starts_on=date(this, 1, 2),
        token="etoiles",
    )
    poster.services.set(in_scope("lysville"))
    _fill(ctx, poster, 64, None, channel=Channel.STARS)
    call = Campaign.objects.create(
        prefecture=prefecture,
        site=sites["lysville"],
        questionnaire=end_of_call,
        kind=CampaignKind.END_OF_CALL,
        name="Enquête de fin d'appel — standard",
        starts_on=date(this, 6, 1),
        token="appel",
    )
    call.services.set(in_scope("lysville")[:1])
    _fill(ctx, call, 41, None, channel=Channel.END_OF_CALL)
    _seed_mystery(ctx)


CALL_GRID = [
    "Décroché en 5 sonneries au plus",
    "Formule d'accueil (préfecture, service, prénom)",
    "Information exacte et complète",
    "Courtoisie tout au long de l'appel",
    "Orientation vers le bon interlocuteur si besoin",
]
EMAIL_GRID = [
    "Réponse dans le délai annoncé (5 jours ouvrés)",
    "Formule de politesse et signature identifiable",
    "Réponse exacte et complète",
    "Langage clair",
]


def _grid(prefecture, kind, name, labels):
    grid = Grid.objects.create(prefecture=prefecture, kind=kind, name=name)
    GridCriterion.objects.bulk_create(
        GridCriterion(grid=grid, position=i, label=label) for i, label in enumerate(labels)
    )
    return grid


def _seed_mystery(ctx) -> None:
    rng, prefecture, other = ctx.rng, ctx.prefecture, ctx.other_prefecture
    lead = ctx.users.get("qualite")
    call = _grid(prefecture, CheckKind.CALL, "Appel mystère — grille Qual-e-pref", CALL_GRID)
    mail = _grid(prefecture, CheckKind.EMAIL, "Courriel mystère — grille Qual-e-pref", EMAIL_GRID)
    targets = [s for key, s in ctx.services.items() if s.site.prefecture_id == prefecture.pk][:6]
    round_start = ctx.today - timedelta(days=60)
    for i, service in enumerate(targets):
        grid = call if i % 2 == 0 else mail
        checker = other if i == 1 else prefecture  # one crossed check done by Sarre-Orientale
        check = MysteryCheck.objects.create(
            prefecture=prefecture,
            service=service,
            grid=grid,
            checker_prefecture=checker,
            planned_on=round_start + timedelta(days=7 * i),
            status=CheckStatus.DONE,
            performed_at=timezone.make_aware(
                datetime.combine(round_start + timedelta(days=7 * i), time(10, 30))
            ),
        )
        CheckLog.objects.bulk_create(
            [
                CheckLog(
                    check_run=check, from_status="", to_status=CheckStatus.PLANNED, actor=lead
                ),
                CheckLog(
                    check_run=check, from_status=CheckStatus.PLANNED, to_status=CheckStatus.DONE
                ),
            ]
        )
        CheckResult.objects.bulk_create(
            CheckResult(check_run=check, criterion=c, passed=rng.random() < 0.78)
            for c in grid.criteria.all()
        )
        check.score = check_score(check) or Decimal("0")
        check.save(update_fields=["score"])
    # Failed criteria become quality actions in the quality app's demo.
    # Planned: one by the prefecture itself, one crossed (Sarre-Orientale checks Lysville).
    for checker, days in ((prefecture, 10), (other, 17)):
        check = MysteryCheck.objects.create(
            prefecture=prefecture,
            service=targets[0],
            grid=call,
            checker_prefecture=checker,
            planned_on=ctx.today + timedelta(days=days),
        )
        CheckLog.objects.create(check_run=check, from_status="", to_status=CheckStatus.PLANNED)
    # And the other way round: the demo prefecture checks one of Sarre-Orientale's services.
    other_service = next(
        (s for key, s in ctx.services.items() if key.startswith("sarrebourg-fictif/")), None
    )
    if other_service is not None:
        other_grid = _grid(other, CheckKind.CALL, "Appel mystère — Sarre-Orientale", CALL_GRID)
        check = MysteryCheck.objects.create(
            prefecture=other,
            service=other_service,
            grid=other_grid,
            checker_prefecture=prefecture,
            planned_on=ctx.today + timedelta(days=5),
        )
        CheckLog.objects.create(check_run=check, from_status="", to_status=CheckStatus.PLANNED)
