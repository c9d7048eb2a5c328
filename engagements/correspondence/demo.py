"""Demo register shaped like seed 002: a year of messages (about 380 at the prefecture,
14 and 5 at the sub-prefectures), topics 43 % / 37 % / rest, complaints answered on time
about three times out of four, some pending and late today; the template library with two
acknowledgements, several answers and the missing-documents form (8 days, seed 001)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from engagements import words
from engagements.calendar.stored import ensure_covering
from engagements.calendar.workdays import calendar_for, due_for
from engagements.organisation import references
from engagements.organisation.enums import Channel

from .enums import AnswerChannel, ClosedReason, EventKind, Kind, Status, TemplatePurpose
from .models import (
    Answer,
    Message,
    MessageEvent,
    Observation,
    RegisterSettings,
    Template,
    TemplateVersion,
    Topic,
    VersionEvent,
)

TOPICS = [
    "Délai d'instruction des titres de séjour",
    "Difficulté à obtenir un rendez-vous",
    "Accueil téléphonique",
    "Permis de conduire et cartes grises",
    "Naturalisation",
    "Accueil au guichet",
]
TOPIC_WEIGHTS = [43, 37, 8, 6, 4, 2]
FIRST = ["Léa", "Karim", "Sofia", "Thomas", "Aïcha", "Marc", "Inès", "Yann", "Nadia", "Hugo"]
LAST = ["Martin", "Benali", "Rossi", "Nguyen", "Diallo", "Lefèvre", "Moreau", "Kowalski"]
SUBJECTS = {
    0: ["Dossier de titre de séjour sans réponse", "Renouvellement de titre en attente"],
    1: ["Impossible de prendre rendez-vous", "Aucun créneau disponible en ligne"],
    2: ["Personne ne répond au téléphone", "Attente téléphonique trop longue"],
    3: ["Carte grise non reçue", "Permis de conduire : où en est ma demande ?"],
    4: ["Suivi de ma demande de naturalisation", "Entretien de naturalisation"],
    5: ["Accueil au guichet", "Remerciements pour l'accueil"],
}
THANKS = "Remerciements pour l'accueil"
THANKS_BODY = (
    "Bonjour,\n\nJe tenais à remercier l'agent du guichet pour son accueil et ses "
    "explications claires.\n\nCordialement,\n"
)
VEHICLES = 3  # index of "Permis de conduire et cartes grises": handled by the CERT

EMAIL_SIGNATURE = (
    "\n\n{signataire_prenom} {signataire_nom}\n{signataire_fonction}\n{direction} — "
    "{service_nom}\n{prefecture_nom}, {prefecture_adresse}\n{prefecture_telephone} — "
    "{prefecture_site}"
)
LETTER_FRAME = (
    "{expediteur}\nAffaire suivie par : {service_coordonnees}\n\n{lieu}, le {date_du_jour}\n\n"
    "Destinataire : {usager_nom}, {usager_adresse}\n\nObjet : {objet} (réf. {reference})\n\n"
    "Madame, Monsieur,\n\n{texte}\n\nJe vous prie d'agréer, Madame, Monsieur, l'expression "
    "de mes salutations distinguées.\n\n{signataire_prenom} {signataire_nom}\n"
    "{signataire_fonction}\n\n{prefecture_nom} — {prefecture_adresse} — "
    "{prefecture_telephone} — {prefecture_site}"
)
TEMPLATES = [
    (
        "Accusé de réception (courriel)",
        TemplatePurpose.ACKNOWLEDGEMENT,
        AnswerChannel.EMAIL,
        "Accusé de réception de votre message {reference}",
        "Madame, Monsieur,\n\nNous avons bien reçu le {date_reception} votre message, "
        "enregistré sous la référence {reference}. Il est traité par {service_article} "
        "({service_coordonnees}), qui vous répondra au plus tard le {date_echeance}.\n\n"
        "Inutile de nous écrire à nouveau d'ici là : pour compléter votre demande, répondez "
        "à ce courriel en gardant la référence dans l'objet.\n\n{direction}\n{prefecture_nom}, "
        "{prefecture_adresse}",
    ),
    (
        "Accusé de réception (courrier)",
        TemplatePurpose.ACKNOWLEDGEMENT,
        AnswerChannel.LETTER,
        "Accusé de réception — {objet}",
        LETTER_FRAME.replace(
            "{texte}",
            "Votre courrier reçu le {date_reception} est enregistré sous la référence "
            "{reference}. Il est traité par {service_article}, qui vous répondra au plus tard "
            "le {date_echeance}.",
        ),
    ),
    (
        "Réponse : délai d'instruction du titre de séjour",
        TemplatePurpose.COMPLAINT_ANSWER,
        AnswerChannel.EMAIL,
        "Votre dossier de titre de séjour — réf. {reference}",
        "Madame, Monsieur {usager_nom},\n\nVous nous avez écrit le {date_reception} au sujet "
        "du délai d'instruction de votre demande de titre de séjour. Nous comprenons votre "
        "inquiétude.\n\n[Indiquez ici l'état du dossier après l'avoir consulté.]\n\nVotre "
        "récépissé vous permet de rester en situation régulière jusqu'à la décision."
        + EMAIL_SIGNATURE,
    ),
    (
        "Réponse : difficulté à obtenir un rendez-vous",
        TemplatePurpose.COMPLAINT_ANSWER,
        AnswerChannel.EMAIL,
        "Votre demande de rendez-vous — réf. {reference}",
        "Madame, Monsieur {usager_nom},\n\nNous regrettons vos difficultés à obtenir un "
        "rendez-vous. De nouveaux créneaux sont ouverts chaque semaine.\n\n[Proposez un "
        "créneau ou une démarche en ligne adaptée à la situation.]" + EMAIL_SIGNATURE,
    ),
    (
        "Réponse à une demande d'information",
        TemplatePurpose.INFORMATION_ANSWER,
        AnswerChannel.EMAIL,
        "Votre demande d'information — réf. {reference}",
        "Madame, Monsieur {usager_nom},\n\nEn réponse à votre message du {date_reception} :"
        "\n\n[Réponse.]" + EMAIL_SIGNATURE,
    ),
    (
        "Réponse à une réclamation (courrier)",
        TemplatePurpose.COMPLAINT_ANSWER,
        AnswerChannel.LETTER,
        "Réponse à votre réclamation — {objet}",
        LETTER_FRAME.replace(
            "{texte}",
            "Vous avez bien voulu nous faire part, le {date_reception}, de votre "
            "mécontentement. [Réponse personnalisée après examen du dossier.]",
        ),
    ),
    (
        "Réponse à une suggestion",
        TemplatePurpose.SUGGESTION_ANSWER,
        AnswerChannel.EMAIL,
        "Merci pour votre suggestion — réf. {reference}",
        "Madame, Monsieur {usager_nom},\n\nMerci pour votre suggestion du {date_reception}. "
        "Elle sera présentée au comité local des usagers.\n\n[Précisez la suite donnée.]"
        + EMAIL_SIGNATURE,
    ),
    (
        "Fiche pièces manquantes",
        TemplatePurpose.MISSING_DOCUMENTS,
        AnswerChannel.LETTER,
        "Pièces manquantes — {objet}",
        LETTER_FRAME.replace(
            "{texte}",
            "L'examen de votre dossier montre qu'il manque les pièces suivantes :\n\n"
            "[Liste des pièces.]\n\nVous disposez de 8 jours à compter de la date de ce "
            "courrier pour nous les transmettre, soit jusqu'au {date_limite_pieces} inclus. "
            "Si vous ne pouvez pas respecter ce délai, "
            "prévenez {service_article} en indiquant pourquoi : votre dossier ne sera pas classé "
            "sans que nous ayons pris en compte votre situation.",
        ),
    ),
]


def seed(ctx) -> None:
    prefecture = ctx.prefecture
    rng = ctx.rng
    today = ctx.today
    RegisterSettings.objects.create(prefecture=prefecture)
    topics = [
        Topic.objects.create(prefecture=prefecture, name=name, position=i)
        for i, name in enumerate(TOPICS)
    ]
    quality = ctx.users["qualite"]
    agent = ctx.users["agent"]
    _seed_templates(ctx, quality)

    plan = [
        ("lysville", ["lysville/sejour"] * 6 + ["lysville/cert", "lysville/naturalisations"], 380),
        ("sainte-aure", ["sainte-aure/sejour", "sainte-aure/accueil"], 14),
        ("bellerive", ["bellerive/accueil"], 5),
    ]
    start = today - timedelta(days=365)
    calendars = {}
    rows = []
    for site_slug, service_keys, count in plan:
        site = ctx.sites[site_slug]
        calendar = calendars.setdefault(site.pk, calendar_for(prefecture, site))
        for _ in range(count):
            received = calendar.next_working_day(start + timedelta(days=rng.randrange(365)))
            if received > today:
                received = today
            rows.append((received, site, ctx.services[rng.choice(service_keys)], calendar, False))
    # A few fresh ones so that the worklist has pending and late messages today.
    site = ctx.sites["lysville"]
    for days_ago in (0, 1, 2, 3, 9, 12, 16, 20):
        received = today - timedelta(days=days_ago)
        rows.append((received, site, ctx.services["lysville/sejour"], calendars[site.pk], False))
    # Sainte-Aure keeps its 14 messages of the year (seed 002), two of them still to answer
    # (one late): its site manager's register is not empty on the demo's first morning.
    sainte_aure = [i for i, row in enumerate(rows) if row[1] == ctx.sites["sainte-aure"]]
    for index, days_ago in zip(sainte_aure, (2, 16), strict=False):
        _received, site, service, calendar, _open = rows[index]
        received = calendar.next_working_day(today - timedelta(days=days_ago))
        rows[index] = (min(received, today), site, service, calendar, True)
    rows.sort(key=lambda row: row[0])

    counters: dict[int, int] = {}
    messages = []
    now = timezone.now()
    for received, site, service, calendar, keep_open in rows:
        topic_index = rng.choices(range(len(TOPICS)), weights=TOPIC_WEIGHTS)[0]
        channel = rng.choices(
            [Channel.EMAIL, Channel.LETTER, Channel.WEB_FORM, Channel.BOX, Channel.SP_PLUS],
            weights=[55, 20, 15, 6, 4],
        )[0]
        kind = rng.choices([Kind.COMPLAINT, Kind.INFORMATION, Kind.SUGGESTION], [60, 35, 5])[0]
        subject = rng.choice(SUBJECTS[topic_index])
        if subject == THANKS:
            kind = Kind.SUGGESTION  # thanks are positive feedback, never a complaint
        if topic_index == VEHICLES and site.slug == "lysville":
            service = ctx.services["lysville/cert"]  # driving licences and registrations
        due_date = due_for(prefecture, site, channel, received, calendar=calendar, kind=kind)
        deadline, due = due_date.deadline_days, due_date.due_on
        counters[received.year] = counters.get(received.year, 0) + 1
        first, last = rng.choice(FIRST), rng.choice(LAST)
        status, answered, closed_reason, closed_on = Status.NEW, None, "", None
        roll = rng.random()
        recent = (today - received).days < 21
        if roll < 0.03:
            status, closed_reason, closed_on = Status.CLOSED, ClosedReason.DUPLICATE, received
        elif not recent or roll < 0.35:
            # About three answers in four within the deadline (seed 002: 73.6 %).
            delay = (
                rng.randint(0, min(deadline, 5))
                if rng.random() < 0.78
                else rng.randint(deadline + 1, deadline + 4)
            )
            candidate = calendar.add_working_days(received, delay)
            if candidate <= today and not (recent and rng.random() < 0.3):
                status, answered = Status.ANSWERED, candidate
            elif recent:
                status = Status.ASSIGNED if rng.random() < 0.5 else Status.NEW
        if keep_open:
            status, answered, closed_reason, closed_on = Status.NEW, None, "", None
        messages.append(
            Message(
                prefecture=prefecture,
                year=received.year,
                reference=f"{received.year}-{counters[received.year]:06d}",
                site=site,
                service=service,
                channel=channel,
                kind=kind,
                topic=topics[topic_index],
                sender_name=f"{first} {last}",
                sender_email=""
                if channel in (Channel.LETTER, Channel.BOX)
                else f"{first.lower()}.{last.lower()}@exemple.test".replace("ï", "i")
                .replace("è", "e")
                .replace("é", "e"),
                sender_address=f"{rng.randint(1, 90)} rue des Écoles\n96000 Lysville"
                if channel in (Channel.LETTER, Channel.BOX)
                else "",
                subject=subject,
                body=(
                    THANKS_BODY
                    if subject == THANKS
                    else "Bonjour,\n\nJe vous écris au sujet de mon dossier. "
                    "Pouvez-vous me dire où il en est ?\n\nCordialement,\n"
                )
                + f"{first} {last}",
                received_on=received,
                deadline_days=deadline,
                due_on=due,
                status=status,
                answered_on=answered,
                closed_reason=closed_reason,
                closed_on=closed_on,
                assigned_to=agent if status in (Status.ASSIGNED, Status.ANSWERED) else None,
                # Acknowledged the day it arrived, well before the answer's deadline.
                acknowledged_at=min(
                    timezone.make_aware(datetime.combine(received, time(9, 30))), now
                )
                if status != Status.CLOSED
                else None,
            )
        )
        # The demo's past acknowledgements went out on the day (never queued again).
        if messages[-1].sender_email:
            messages[-1].acknowledged_at = min(_at(received, 12), now)
    Message.objects.bulk_create(messages, batch_size=500)
    # Records arriving extend the figures' stored working-day calendars to their days.
    ensure_covering(
        prefecture, *(m.received_on for m in messages), *(m.answered_on for m in messages)
    )
    for year, last in counters.items():
        references.claim_number(prefecture, references.MESSAGES, year, last)
    created = list(Message.objects.filter(prefecture=prefecture))
    agent_title = agent.roles.exclude(title="").values_list("title", flat=True).first() or ""
    # Each message's history on its own days (created, acknowledged, assigned, answered,
    # sent, closed), never all stamped with the moment the demo was seeded.
    events, times, answers = [], [], []

    def event(message, at, **fields) -> None:
        events.append(MessageEvent(message=message, **fields))
        times.append(min(at, now))

    for message in created:
        received = message.received_on
        event(message, _at(received, 9), kind=EventKind.CREATED, to_status="new")
        if message.sender_email and message.acknowledged_at:
            event(
                message,
                message.acknowledged_at,
                kind=EventKind.ACKNOWLEDGED,
                text=f"Envoyé à {message.sender_email}",
            )
        if message.status in (Status.ASSIGNED, Status.ANSWERED):
            event(
                message,
                _at(received, 14),
                actor=quality,
                kind=EventKind.ASSIGNED,
                from_status="new",
                to_status="assigned",
                text=words.person(agent),
            )
        if message.status == Status.ANSWERED:
            answered_at = _at(message.answered_on, 16)
            event(
                message,
                answered_at,
                actor=agent,
                kind=EventKind.ANSWERED,
                from_status="assigned",
                to_status="answered",
            )
            if message.sender_email:
                event(
                    message,
                    answered_at + timedelta(minutes=1),
                    kind=EventKind.ANSWER_SENT,
                    text=f"Envoyée à {message.sender_email}",
                )
            answers.append(
                Answer(
                    message=message,
                    channel=AnswerChannel.EMAIL if message.sender_email else AnswerChannel.LETTER,
                    answered_on=message.answered_on,
                    subject=f"Votre message {message.reference}",
                    text="Madame, Monsieur,\n\nVoici la réponse à votre demande.",
                    author=agent,
                    signatory=agent.get_full_name(),
                    sent_at=min(answered_at + timedelta(minutes=1), now)
                    if message.sender_email
                    else None,
                    signatory_title=agent_title,
                )
            )
        elif message.status == Status.CLOSED:
            event(
                message,
                _at(message.closed_on, 11),
                kind=EventKind.CLOSED,
                from_status="new",
                to_status="closed",
                text="Doublon",
            )
    MessageEvent.objects.bulk_create(events, batch_size=1000)
    # `at` is stamped on creation (auto_now_add): set afterwards to each event's moment.
    for item, at in zip(events, times, strict=True):
        item.at = at
    MessageEvent.objects.bulk_update(events, ["at"], batch_size=1000)
    Answer.objects.bulk_create(answers, batch_size=500)


def _seed_templates(ctx, quality) -> None:
    prefecture = ctx.prefecture
    published_at = timezone.now() - timedelta(days=60)
    for name, purpose, channel, subject, body in TEMPLATES:
        template = Template.objects.create(
            prefecture=prefecture, name=name, purpose=purpose, channel=channel
        )
        version = TemplateVersion.objects.create(
            template=template,
            number=1,
            subject=subject,
            body=body,
            status="published",
            created_by=quality,
            submitted_at=published_at - timedelta(days=20),
            observations_until=(published_at - timedelta(days=5)).date(),
            published_at=published_at,
        )
        for from_status, to_status in (
            ("", "draft"),
            ("draft", "submitted"),
            ("submitted", "published"),
        ):
            VersionEvent.objects.create(
                version=version, actor=quality, from_status=from_status, to_status=to_status
            )
    # One new version under review by the CLU, with a member's observation.
    template = Template.objects.get(
        prefecture=prefecture, purpose=TemplatePurpose.MISSING_DOCUMENTS
    )
    first = template.versions.get()
    review = TemplateVersion.objects.create(
        template=template,
        number=2,
        subject=first.subject,
        body=first.body.replace("[Liste des pièces.]", "[Liste des pièces, une par ligne.]"),
        status="submitted",
        created_by=quality,
        submitted_at=timezone.now() - timedelta(days=3),
        observations_until=ctx.today + timedelta(days=12),
    )
    VersionEvent.objects.create(version=review, actor=quality, to_status="submitted")
    Observation.objects.create(
        version=review,
        author=ctx.users["clu"],
        text="Préciser à qui envoyer les pièces (adresse ou courriel du service).",
    )


def _at(day, hour: int):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))
