"""Demo committee of the Hauts-de-Lys (invented people): four colleges, fifteen seats, two
meetings last year with attendance, decisions and approved, published minutes (the first
approved at the second meeting), one meeting held this year whose minutes await approval,
the next meeting convened (its invitation left as the delay says), a few suggestions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from .enums import (
    AgendaKind,
    AttendanceStatus,
    CommitteeKind,
    DecisionKind,
    DocumentKind,
    MeetingKind,
    MeetingStatus,
    MinutesStatus,
    SeatKind,
    SuggestionStatus,
)
from .models import College, Committee, Meeting, Minutes, Observation, Seat
from .services import meetings, minutes, suggestions

T, S = SeatKind.TITULAR, SeatKind.SUBSTITUTE
# (college, organisation, first name, last name, seat)
SEATS = [
    (
        "Associations d'usagers",
        "Association des déficients visuels des Hauts-de-Lys",
        "Odile",
        "Ferrandi",
        T,
    ),
    ("Associations d'usagers", "Association des déficients visuels des Hauts-de-Lys", "", "", S),
    (
        "Associations d'usagers",
        "Association des personnes handicapées moteur (délégation 96)",
        "Rachid",
        "Belkacem",
        T,
    ),
    (
        "Associations d'usagers",
        "Union départementale des associations familiales",
        "Eugénie",
        "Palmarola",
        T,
    ),
    (
        "Associations d'usagers",
        "Union départementale des associations familiales",
        "Loïc",
        "Varennes",
        S,
    ),
    ("Associations d'usagers", "Union des consommateurs des Hauts-de-Lys", "Sabine", "Quéré", T),
    ("Associations d'usagers", "Point d'accès au droit de Lysville", "", "", T),
    ("Élus locaux", "Mairie de Lysville — service population", "Hélène", "Marquès", T),
    ("Élus locaux", "Mairie de Sainte-Aure", "Julien", "Cazenave", T),
    ("Élus locaux", "Mairie de Sainte-Aure", "Nora", "Idrissi", S),
    (
        "Partenaires et services publics",
        "Délégué du Défenseur des droits",
        "Pierre-Yves",
        "Lannuzel",
        T,
    ),
    ("Partenaires et services publics", "Caisse d'allocations familiales", "Maëlle", "Guillou", T),
    ("Partenaires et services publics", "Bureau de poste de Lysville", "", "", S),
    (
        "Préfecture et sous-préfectures",
        "Préfecture des Hauts-de-Lys — secrétariat général",
        "Bastien",
        "Lefranc",
        T,
    ),
    ("Préfecture et sous-préfectures", "Sous-préfecture de Sainte-Aure", "Clémence", "Aubertin", T),
]


def _at(day: date, hour: int = 14) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _attend(meeting, rng, *, excused: int, represented: int) -> None:
    lines = list(meeting.attendance.all())
    rng.shuffle(lines)
    rows = {}
    for n, line in enumerate(lines):
        if n < excused:
            rows[line.pk] = (AttendanceStatus.EXCUSED, "")
        elif n < excused + represented:
            rows[line.pk] = (AttendanceStatus.REPRESENTED, "Mme Anne Suppléante")
        elif line.seat_kind == SeatKind.SUBSTITUTE:
            rows[line.pk] = (AttendanceStatus.ABSENT, "")
        else:
            rows[line.pk] = (AttendanceStatus.PRESENT, "")
    meetings.record_attendance(meeting, rows)


def _write(meeting, texts: list[str], decisions: list[tuple[int, str, str]], summary_en: str):
    draft = minutes.start_minutes(meeting)
    items = list(draft.items.select_related("agenda_item"))
    minutes.save_minutes(
        draft,
        kind="releve",
        introduction="Le président ouvre la séance et rappelle l'ordre du jour.",
        summary_en=summary_en,
        texts={item.pk: text for item, text in zip(items, texts, strict=False)},
    )
    for index, kind, text in decisions:
        minutes.add_decision(draft, kind=kind, text=text, agenda_item=items[index].agenda_item)
    return draft


def _mark_sent(draft: Minutes, day: date) -> None:
    # The demo does not e-mail invented addresses: record the sending without the outbox.
    Minutes.objects.filter(pk=draft.pk).update(
        status=MinutesStatus.SENT, sent_at=_at(day, 10), observations_until=day + timedelta(15)
    )
    draft.refresh_from_db()


# Minutes go on the public page a few days after their approval (the services stamp "now").
PUBLISHED_AFTER_APPROVAL = timedelta(days=4)


def _publish(approved: Minutes) -> None:
    minutes.publish_minutes(approved)
    approved.refresh_from_db()
    approved.published_at = _at(approved.approved_on + PUBLISHED_AFTER_APPROVAL, 10)
    approved.save(update_fields=["published_at"])


def _convene(meeting: Meeting) -> None:
    """Convene a meeting as the daily job does: its invitation leaves `invitation_days`
    before the meeting (the demo queues no mail to its invented addresses). An invitation
    whose day is still to come is left to the job: the meeting stays planned."""
    sent_on = meeting.day - timedelta(days=meeting.committee.invitation_days)
    if sent_on > timezone.localdate():
        return
    meetings.change_status(meeting, MeetingStatus.CONVENED)
    Meeting.objects.filter(pk=meeting.pk).update(invitation_sent_at=_at(sent_on, 10))
    meeting.log.filter(to_status=MeetingStatus.CONVENED).update(at=_at(sent_on, 10))
    meeting.refresh_from_db()


def _date_history(meeting: Meeting, days: dict[str, date]) -> None:
    """Put a past meeting's status changes on the days they would have happened (the
    services log them at the time of seeding)."""
    for status, day in days.items():
        meeting.log.filter(to_status=status).update(at=_at(day, 10))


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF showing one line (demo documents, no PDF engine needed)."""
    stream = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _attach(meeting) -> None:
    """The slides shown at the meeting (public once the minutes are) and a members' note."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .enums import DocumentAudience
    from .services import documents

    item = meeting.agenda.first()
    for name, title, audience in [
        ("calendrier-audit.pdf", "Calendrier de l'audit (diaporama)", DocumentAudience.PUBLIC),
        ("notes-de-preparation.pdf", "Notes de préparation", DocumentAudience.MEMBERS),
    ]:
        upload = SimpleUploadedFile(name, _tiny_pdf(title.encode("ascii", "replace").decode()))
        documents.add_document(
            meeting, upload=upload, title=title, audience=audience, agenda_item=item
        )


def _this_year_meeting(committee, rng, today: date, chair: str) -> Meeting | None:
    """A meeting held earlier this year (about eight weeks ago, or two early in the year;
    none in its first weeks), its minutes where they would be today: written ten days
    after, sent to the members for fifteen days of observations, then awaiting approval at
    the next meeting (one member made an observation). None when the year just began."""
    day = next(
        (
            d
            for d in (today - timedelta(weeks=8), today - timedelta(weeks=2))
            if d.year == today.year and d >= date(today.year, 1, 8)
        ),
        None,
    )
    if day is None:
        return None
    while day.weekday() not in (1, 3):  # Tuesdays and Thursdays
        day -= timedelta(days=1)
    if day.year != today.year:
        return None
    meeting = meetings.plan_meeting(
        committee,
        starts_at=_at(day),
        place="Préfecture, salle Jean Moulin",
        video_link="https://webconf.demo.test/clu-hauts-de-lys",
        kind=MeetingKind.ORDINARY,
        chair=chair,
    )
    for title, kind in [
        ("Résultats de l'audit de renouvellement", AgendaKind.INFORMATION),
        ("Suivi du plan d'actions", AgendaKind.DISCUSSION),
        ("Accueil des familles le samedi matin", AgendaKind.DISCUSSION),
    ]:
        meetings.add_agenda_item(meeting, title=title, kind=kind)
    _convene(meeting)
    _attend(meeting, rng, excused=2, represented=0)
    meetings.mark_held(meeting)
    drafted_on = day + timedelta(days=10)
    if drafted_on > today:  # being written
        draft = minutes.start_minutes(meeting)
        minutes.save_minutes(
            draft,
            kind="releve",
            introduction="Le président ouvre la séance et rappelle l'ordre du jour.",
            summary_en="",
            texts={draft.items.first().pk: "L'auditeur a relevé deux points forts."},
        )
        _date_history(
            meeting,
            {
                MeetingStatus.HELD: day,
                MeetingStatus.MINUTES_DRAFTED: min(today, day + timedelta(days=1)),
            },
        )
        return meeting
    draft = _write(
        meeting,
        [
            "L'auditeur présente ses conclusions ; l'accueil téléphonique est relevé comme "
            "point fort.",
            "Cinq actions sur sept sont réalisées ; l'affichage traduit est en place partout.",
            "Les effectifs ne permettent pas d'ouvrir le samedi ; des rendez-vous tardifs sont "
            "proposés le mardi.",
        ],
        [
            (1, DecisionKind.ACTION, "Publier chaque trimestre le suivi du plan d'actions."),
            (2, DecisionKind.OPINION, "Avis favorable aux rendez-vous du mardi soir."),
        ],
        "The renewal audit's results were presented and the action plan was followed up.",
    )
    _mark_sent(draft, drafted_on)
    observed_on = drafted_on + timedelta(days=3)
    if observed_on <= today:  # from her members' space, three days after the sending
        seat = Seat.objects.get(committee=committee, last_name="Palmarola")
        Observation.objects.create(
            minutes=draft,
            seat=seat,
            author=seat.user,
            author_label=seat.holder,
            text="Au point 3, préciser que les rendez-vous du mardi vont jusqu'à 19 h.",
            submitted_at=_at(observed_on, 18),
        )
    _date_history(
        meeting,
        {MeetingStatus.HELD: day, MeetingStatus.MINUTES_DRAFTED: drafted_on},
    )
    return meeting


def seed(ctx) -> None:
    prefecture, rng, today = ctx.prefecture, ctx.rng, ctx.today
    last = today.year - 1
    committee = Committee.objects.create(
        prefecture=prefecture,
        kind=CommitteeKind.JOINT,
        order_reference=f"{last - 1}-SG-0417",
        order_date=date(last - 1, 9, 12),
        # Ahead, as the quality demo's follow-up audit (today + 75 days) that it stands for.
        planned_audit_date=today + timedelta(days=75),
        invitation_days=15,
    )
    colleges: dict[str, College] = {}
    clu_user = ctx.users.get("clu")
    for college, organisation, first, last_name, kind in SEATS:
        if college not in colleges:
            colleges[college] = College.objects.create(
                committee=committee, name=college, position=len(colleges) + 1
            )
        email = f"{first.lower()}.{last_name.lower()}@membres.demo.test" if first else ""
        email = email.replace("ï", "i").replace("é", "e").replace("è", "e").replace("ë", "e")
        Seat.objects.create(
            committee=committee,
            college=colleges[college],
            organisation=organisation,
            first_name=first,
            last_name=last_name,
            email=email,
            kind=kind,
            mandate_start=date(last - 1, 9, 12),
            user=clu_user if (first, last_name) == ("Eugénie", "Palmarola") else None,
        )
    # A mandate that ended last summer: its holder stays in the spring minutes.
    ended: QuerySet[Seat] = Seat.objects.filter(committee=committee, last_name="Guillou")
    ended.update(mandate_end=date(last, 6, 30))
    Seat.objects.create(
        committee=committee,
        college=colleges["Partenaires et services publics"],
        organisation="Caisse d'allocations familiales",
        first_name="Tristan",
        last_name="Le Goff",
        email="tristan.legoff@membres.demo.test",
        kind=T,
        mandate_start=date(last, 7, 1),
    )

    chair = "le secrétaire général de la préfecture"
    spring = meetings.plan_meeting(
        committee,
        starts_at=_at(date(last, 3, 14)),
        place="Préfecture, salle Jean Moulin",
        video_link="https://webconf.demo.test/clu-hauts-de-lys",
        kind=MeetingKind.JOINT,
        chair=chair,
    )
    for title, kind, document in [
        ("Bilan annuel de la démarche qualité", AgendaKind.INFORMATION, ""),
        ("Résultats de l'enquête de satisfaction", AgendaKind.DISCUSSION, ""),
        (
            "Modèles de courriers soumis aux observations",
            AgendaKind.DECISION,
            DocumentKind.TEMPLATES,
        ),
        ("Plan d'actions de l'année", AgendaKind.DECISION, ""),
    ]:
        meetings.add_agenda_item(spring, title=title, kind=kind, document_key=document)
    _convene(spring)
    _attend(spring, rng, excused=3, represented=1)
    meetings.mark_held(spring)
    spring_minutes = _write(
        spring,
        [
            "Le référent qualité présente les indicateurs de l'année écoulée.",
            "Le taux de satisfaction globale progresse ; l'attente au guichet reste citée.",
            "Les membres ont relu les modèles de réponse ; deux reformulations sont proposées.",
            "Le plan d'actions est présenté et discuté.",
        ],
        [
            (
                2,
                DecisionKind.VALIDATION,
                "Les modèles de courriers sont validés sous réserve des deux reformulations.",
            ),
            (
                1,
                DecisionKind.OPINION,
                "Avis favorable à une enquête flash sur l'accueil téléphonique.",
            ),
            (
                3,
                DecisionKind.ACTION,
                "Traduire en anglais et en arabe l'affichage des horaires du hall.",
            ),
        ],
        "The committee reviewed last year's results and validated the letter templates.",
    )
    _mark_sent(spring_minutes, date(last, 3, 28))

    autumn = meetings.plan_meeting(
        committee,
        starts_at=_at(date(last, 10, 9), 10),
        place="Sous-préfecture de Sainte-Aure",
        kind=MeetingKind.BEFORE_AUDIT,
        chair=chair,
    )
    for title, kind in [
        ("Préparation de l'audit de renouvellement", AgendaKind.INFORMATION),
        ("Suivi des actions décidées en mars", AgendaKind.DISCUSSION),
    ]:
        meetings.add_agenda_item(autumn, title=title, kind=kind)
    _convene(autumn)
    _attend(autumn, rng, excused=2, represented=1)
    meetings.mark_held(autumn)
    minutes.approve_minutes(spring_minutes, at_meeting=autumn)
    _publish(spring_minutes)
    autumn_minutes = _write(
        autumn,
        [
            "Le relevé de la réunion du printemps est approuvé sans observation.",
            "Le calendrier de l'audit est présenté.",
            "L'affichage traduit est en place à Lysville, prévu à Sainte-Aure.",
        ],
        [
            (
                0,
                DecisionKind.VALIDATION,
                "Le relevé de décisions de la réunion de mars est approuvé.",
            ),
            (
                2,
                DecisionKind.ACTION,
                "Installer l'affichage traduit à la sous-préfecture de Sainte-Aure.",
            ),
        ],
        "Before the renewal audit, the committee approved the spring minutes "
        "and followed up on the actions.",
    )
    _attach(autumn)
    _mark_sent(autumn_minutes, date(last, 10, 20))
    minutes.approve_minutes(autumn_minutes, on=date(last, 11, 5))
    _publish(autumn_minutes)
    for meeting, approved in ((spring, spring_minutes), (autumn, autumn_minutes)):
        _date_history(
            meeting,
            {
                MeetingStatus.PLANNED: meeting.day - timedelta(days=45),
                MeetingStatus.CONVENED: meeting.day - timedelta(days=committee.invitation_days),
                MeetingStatus.HELD: meeting.day,
                MeetingStatus.MINUTES_DRAFTED: timezone.localtime(approved.sent_at).date(),
                MeetingStatus.MINUTES_APPROVED: approved.approved_on,
                MeetingStatus.PUBLISHED: timezone.localtime(approved.published_at).date(),
            },
        )

    this_year = _this_year_meeting(committee, rng, today, chair)

    # The next meeting, close enough for its invitation to have left (15 days before).
    next_day = today + timedelta(days=10)
    while next_day.weekday() > 3:
        next_day += timedelta(days=1)
    upcoming = meetings.plan_meeting(
        committee,
        starts_at=_at(next_day),
        place="Préfecture, salle Jean Moulin",
        video_link="https://webconf.demo.test/clu-hauts-de-lys",
        kind=MeetingKind.ORDINARY,
        chair=chair,
    )  # this year's minutes await approval: their approval opens the agenda
    for title, kind, document in [
        ("Bilan annuel et indicateurs", AgendaKind.INFORMATION, DocumentKind.CORRESPONDENCE),
        (
            "Modèles de courriers soumis aux observations",
            AgendaKind.DECISION,
            DocumentKind.TEMPLATES,
        ),
        ("Questions et suggestions des membres", AgendaKind.DISCUSSION, ""),
    ]:
        meetings.add_agenda_item(upcoming, title=title, kind=kind, document_key=document)
    _date_history(upcoming, {MeetingStatus.PLANNED: next_day - timedelta(days=45)})
    _convene(upcoming)
    if this_year is not None:
        _date_history(this_year, {MeetingStatus.PLANNED: this_year.day - timedelta(days=45)})

    seats = {s.last_name: s for s in Seat.objects.filter(committee=committee).exclude(last_name="")}
    for seat_name, text, status, answer, meeting in [
        (
            "Ferrandi",
            "Proposer les formulaires en gros caractères à l'accueil.",
            SuggestionStatus.ACCEPTED,
            "Des exemplaires en corps 18 sont disponibles au guichet 1 depuis juin.",
            spring,
        ),
        (
            "Quéré",
            "Indiquer sur le site internet le temps d'attente moyen au guichet.",
            SuggestionStatus.UNDER_STUDY,
            "La publication de l'affluence est à l'étude avec le service communication.",
            autumn,
        ),
        (
            "Palmarola",
            "Ouvrir une permanence le samedi matin pour les familles.",
            SuggestionStatus.DECLINED,
            "Les effectifs ne le permettent pas ; les rendez-vous du mardi soir restent ouverts.",
            autumn,
        ),
        (
            "Belkacem",
            "Ajouter une boucle magnétique au guichet de Sainte-Aure.",
            SuggestionStatus.SUBMITTED,
            "",
            None,
        ),
    ]:
        seat = seats[seat_name]
        suggestion = suggestions.submit_suggestion(
            committee,
            text=text,
            seat=seat,
            meeting=meeting,
            author=seat.user,
        )
        suggestion.submitted_on = meeting.day if meeting else today - timedelta(days=3)
        suggestion.save(update_fields=["submitted_on"])
        if answer:
            suggestions.answer_suggestion(suggestion, status=status, answer=answer)
