"""Demo quality data: the example referential and SP+ commitments, three sites' scopes,
last year's and this year's action plans (about 12 actions per site and year, in every
status, some late, sources of every kind, some published), last year's external audit with
findings and evidence, this year's self-evaluation in progress, a planned follow-up audit
and twenty SP+ experiences (one structure left unmatched on purpose)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from . import evidence as evidence_services
from . import referential as referential_services
from .enums import AssessmentKind, AssessmentStatus, FindingKind, ResultValue, StatusCode
from .models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Experience,
    Finding,
    StructureMapping,
)
from .services import allocate_reference, ensure_statuses

REFERENTIALS = Path(__file__).resolve().parent / "referentials"

# Two public summaries in the public's other languages (the others show in French, marked).
SUMMARY_TRANSLATIONS = {
    "Le temps d'attente estimé est affiché à l'entrée.": {
        "en": {"public_summary": "How long you may have to queue is shown at the entrance."},
        "uk": {"public_summary": "Орієнтовний час очікування показано біля входу."},
        "ar": {"public_summary": "يُعرض وقت الانتظار التقديري عند المدخل."},
    },
    "Des rendez-vous sont proposés le jeudi jusqu'à 19 h.": {
        "en": {"public_summary": "Appointments are available on Thursdays until 7 pm."},
        "uk": {"public_summary": "У четвер прийом за записом триває до 19:00."},
    },
}
ACTION_TITLES = [
    (
        "Afficher le temps d'attente estimé à l'accueil",
        "Le temps d'attente estimé est affiché à l'entrée.",
    ),
    (
        "Ouvrir des créneaux de rendez-vous le jeudi soir",
        "Des rendez-vous sont proposés le jeudi jusqu'à 19 h.",
    ),
    (
        "Réécrire le courrier de pièces manquantes en langage clair",
        "Le courrier de pièces manquantes a été réécrit en langage clair.",
    ),
    (
        "Former l'équipe d'accueil à l'orientation",
        "L'équipe d'accueil a été formée pour mieux vous orienter.",
    ),
    (
        "Installer une signalétique bilingue",
        "La signalétique est désormais en français et en anglais.",
    ),
    (
        "Publier les heures d'affluence sur le site internet",
        "Les heures les plus calmes pour venir sont publiées en ligne.",
    ),
    (
        "Ajouter des places assises dans le hall",
        "Des places assises ont été ajoutées dans le hall d'attente.",
    ),
    (
        "Rappeler les usagers la veille du rendez-vous",
        "Un SMS vous rappelle votre rendez-vous la veille.",
    ),
    (
        "Mettre à jour la liste des pièces pour les titres",
        "La liste des pièces à fournir a été simplifiée.",
    ),
    (
        "Créer une borne d'avis à la sortie",
        "Une borne vous permet de donner votre avis en sortant.",
    ),
    (
        "Accompagner les démarches en ligne au point numérique",
        "Un agent vous accompagne au point numérique.",
    ),
    ("Réduire le délai de réponse aux courriels", "Nous répondons plus vite à vos courriels."),
]
KINDS = [
    "complaint",
    "survey",
    "mystery_check",
    "committee",
    "audit",
    "sp_plus",
    "indicator",
    "internal",
]


def _sources(ctx):
    """Records to link actions to, per kind (those that exist in the demo)."""
    out: dict[str, list] = {k: [] for k in KINDS}
    from django.apps import apps

    if apps.is_installed("engagements.correspondence"):
        from engagements.correspondence import queries as correspondence_queries

        out["complaint"] = list(correspondence_queries.prefecture_topics(ctx.prefecture)[:4])
    if apps.is_installed("engagements.surveys"):
        from engagements.surveys import queries as survey_queries

        out["survey"] = list(survey_queries.prefecture_campaigns(ctx.prefecture)[:2])
        out["mystery_check"] = list(survey_queries.failed_check_results(ctx.prefecture)[:4])
    return out


def seed(ctx) -> None:
    from .sources import describe

    rng, prefecture, today = ctx.rng, ctx.prefecture, ctx.today
    lead = ctx.users.get("qualite")
    statuses = {s.code: s for s in ensure_statuses(prefecture)}
    by_base = {
        StatusCode.PLANNED: statuses["planned"],
        "started": statuses["started"],
        StatusCode.IN_PROGRESS: statuses["in_progress"],
        StatusCode.DONE: statuses["done"],
        StatusCode.ABANDONED: statuses["abandoned"],
    }

    # Referentials and scopes (seed 002: Antony 1 + 3, Boulogne 1 + 2: our three sites).
    example, _ = referential_services.import_referential(
        (REFERENTIALS / "qualepref-exemple.yaml").read_bytes()
    )
    sp_plus, _ = referential_services.import_referential(
        (REFERENTIALS / "services-publics-plus-2023.yaml").read_bytes()
    )
    scopes = {"lysville": [1, 3], "sainte-aure": [1, 3], "bellerive": [1, 2]}
    for slug, numbers in scopes.items():
        referential_services.set_site_scope(ctx.sites[slug], example, numbers)
    from .label_demo import seed_label_cycle

    seed_label_cycle(ctx)  # labels, trainings, diagnostic (no random draw)

    # Last year's external audit at the prefecture: six strong points, two progress tracks.
    site = ctx.sites["lysville"]
    audit = evidence_services.create_assessment(
        site=site,
        referential=example,
        kind=AssessmentKind.EXTERNAL_INITIAL,
        planned_on=today.replace(year=today.year - 1, month=10, day=14),
        assessor="Organisme certificateur (exemple)",
    )
    results = list(audit.results.select_related("commitment").order_by("pk"))
    for index, result in enumerate(results):
        value = ResultValue.PARTLY if index in (2, 7) else ResultValue.COMPLIANT
        evidence_services.record_result(result, value=value)
    strengths = [
        "Accueil courtois et disponible, salué par les usagers",
        "Horaires et coordonnées à jour sur tous les supports",
        "Registre des courriers tenu avec rigueur",
        "Résultats d'enquête affichés dans le hall",
        "Relecture des courriers types par le comité des usagers",
        "Suivi du premier créneau de rendez-vous disponible",
    ]
    for index, text in enumerate(strengths):
        evidence_services.add_finding(
            audit, kind=FindingKind.STRENGTH, text=text, commitment=results[index].commitment
        )
    tracks = [
        evidence_services.add_finding(
            audit,
            kind=FindingKind.IMPROVEMENT_TRACK,
            text="Réduire le délai de réponse aux courriels du bureau du séjour",
            commitment=results[2].commitment,
        ),
        evidence_services.add_finding(
            audit,
            kind=FindingKind.IMPROVEMENT_TRACK,
            text="Signaler plus clairement l'accès pour les personnes à mobilité réduite",
            commitment=results[3].commitment,
        ),
    ]
    for result in results[:5]:
        evidence_services.add_evidence(
            prefecture=prefecture,
            title=f"Preuve {result.commitment.ref} : {result.commitment.expected_evidence[0]}"
            if result.commitment.expected_evidence
            else f"Preuve {result.commitment.ref}",
            actor=lead,
            site=site,
            commitment=result.commitment,
            url=f"https://intranet.demo.test/qualite/preuves/{result.commitment.ref}",
            result=result,
        )
    evidence_services.set_status(audit, AssessmentStatus.DONE)
    # This year's self-evaluation in progress at Sainte-Aure; a follow-up audit planned.
    self_eval = evidence_services.create_assessment(
        site=ctx.sites["sainte-aure"],
        referential=example,
        kind=AssessmentKind.SELF,
        planned_on=today - timedelta(days=20),
    )
    for result in list(self_eval.results.order_by("pk"))[:5]:
        evidence_services.record_result(
            result, value=rng.choice([ResultValue.COMPLIANT, ResultValue.PARTLY])
        )
    evidence_services.set_status(self_eval, AssessmentStatus.IN_PROGRESS)
    evidence_services.create_assessment(
        site=site,
        referential=example,
        kind=AssessmentKind.EXTERNAL_FOLLOW_UP,
        planned_on=today + timedelta(days=75),
        assessor="Organisme certificateur (exemple)",
    )
    evidence_services.create_assessment(
        site=site,
        referential=sp_plus,
        kind=AssessmentKind.SELF,
        planned_on=today - timedelta(days=200),
    )

    # SP+ experiences: two structures mapped, one left unmatched on purpose.
    StructureMapping.objects.create(
        prefecture=prefecture, structure="Préfecture de Lysville", site=site
    )
    StructureMapping.objects.create(
        prefecture=prefecture,
        structure="Sous-préfecture de Sainte-Aure",
        site=ctx.sites["sainte-aure"],
    )
    structures = [
        "Préfecture de Lysville",
        "Préfecture de Lysville",
        "Sous-préfecture de Sainte-Aure",
        "Bureau des titres de Bellerive",
    ]
    feelings = ["Positif", "Neutre", "Négatif"]
    experiences = []
    for n in range(20):
        published = today - timedelta(days=rng.randint(5, 330))
        answered = published + timedelta(days=rng.randint(1, 12)) if rng.random() < 0.9 else None
        structure = structures[n % len(structures)]
        experiences.append(
            Experience.objects.create(
                prefecture=prefecture,
                external_id=f"SPP-{today.year}-{n + 1:04d}",
                structure=structure,
                site=ctx.sites["lysville"]
                if structure == "Préfecture de Lysville"
                else ctx.sites["sainte-aure"]
                if structure.startswith("Sous-préfecture")
                else None,
                title=rng.choice(
                    [
                        "Attente avant le rendez-vous",
                        "Renouvellement de titre de séjour",
                        "Réponse à mon courriel",
                        "Accueil au guichet",
                    ]
                ),
                description="Récit d'usager inventé pour la démonstration.",
                feeling=rng.choice(feelings),
                published_on=published,
                first_answer_on=answered,
                answer="Merci pour votre message ; nous avons transmis au service."
                if answered
                else "",
                improvement="Mieux informer sur le délai d'attente" if n % 5 == 0 else "",
            )
        )

    # Action plans: last year (validated, mostly closed) and this year (every status).
    sources = _sources(ctx)
    sources["audit"] = list(Finding.objects.filter(pk__in=[t.pk for t in tracks]))
    sources["sp_plus"] = [e for e in experiences if e.improvement][:3]
    for year in (today.year - 1, today.year):
        last_year = year < today.year
        for slug in ("lysville", "sainte-aure", "bellerive"):
            site = ctx.sites[slug]
            plan = ActionPlan.objects.create(prefecture=prefecture, site=site, year=year)
            if last_year or slug == "lysville":
                plan.validated_by = lead
                plan.validated_at = timezone.make_aware(datetime(year, 1, 20, 10, 0))
                plan.presented_on = plan.validated_at.date() + timedelta(days=30)
                plan.save()
            services = [s for key, s in ctx.services.items() if key.startswith(f"{slug}/")]
            parent = None
            for index in range(12):
                title, summary = ACTION_TITLES[(index + len(slug)) % len(ACTION_TITLES)]
                kind_of_source = KINDS[(index + year) % len(KINDS)]
                if last_year:
                    base = rng.choices(
                        [StatusCode.DONE, StatusCode.ABANDONED, StatusCode.IN_PROGRESS],
                        weights=[8, 1, 2],
                    )[0]
                else:
                    base = [
                        StatusCode.PLANNED,
                        "started",
                        StatusCode.IN_PROGRESS,
                        StatusCode.DONE,
                        StatusCode.PLANNED,
                        StatusCode.IN_PROGRESS,
                    ][index % 6]
                status = by_base[base]
                opened = date(year, 1, 10) + timedelta(days=rng.randint(0, 60))
                if opened > today:
                    opened = today - timedelta(days=1)
                due = opened + timedelta(days=rng.randint(30, 300))
                if not last_year and status.base != StatusCode.DONE:
                    # Open actions of this year: a few overdue, most due in the coming months.
                    due = max(today + timedelta(days=rng.randint(-25, 160)), opened)
                closed = None
                if status.base in (StatusCode.DONE, StatusCode.ABANDONED):
                    closed = min(due + timedelta(days=rng.randint(-40, 20)), today)
                    closed = max(closed, opened)
                action = Action(
                    prefecture=prefecture,
                    plan=plan,
                    site=site,
                    reference=allocate_reference(prefecture, year),
                    title=title,
                    kind=rng.choice(["immediate", "corrective", "preventive", "improvement"]),
                    owner=lead if index % 3 == 0 else None,
                    service=services[index % len(services)] if services else None,
                    opened_on=opened,
                    start_on=opened,
                    due_on=due,
                    closed_on=closed,
                    status=status,
                    progress=status.default_progress,
                    parent=parent if index in (4, 5) else None,
                    source_kind=kind_of_source,
                    public_summary=summary,
                    translations=SUMMARY_TRANSLATIONS.get(summary, {}),
                    is_public=status.base == StatusCode.DONE and index % 2 == 0,
                )
                if status.base == StatusCode.DONE:
                    action.effectiveness_check = (
                        "Vérifié au bilan : la situation signalée ne se reproduit plus."
                    )
                    action.effectiveness_checked_on = closed
                pool = sources.get(kind_of_source) or []
                if pool:
                    record = pool[index % len(pool)]
                    info = describe(record)
                    action.source_type = ContentType.objects.get_for_model(record)
                    action.source_id = record.pk
                    action.source_label = info.label[:300]
                action.save()
                if index == 3:
                    parent = action
                ActionUpdate.objects.create(
                    action=action,
                    kind="created",
                    on=opened,
                    author=lead,
                    text="Action inscrite au plan.",
                    to_status=by_base[StatusCode.PLANNED].label,
                    progress=0,
                )
                if status.base != StatusCode.PLANNED:
                    ActionUpdate.objects.create(
                        action=action,
                        kind="status",
                        on=closed or opened + timedelta(days=15),
                        author=lead,
                        from_status=by_base[StatusCode.PLANNED].label,
                        to_status=status.label,
                        progress=status.default_progress,
                    )
            if parent is not None:
                from .services import roll_up

                roll_up(parent, actor=lead)
