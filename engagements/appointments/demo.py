"""Demo appointments: procedures at each demo site, slots for the coming weeks, bookings in
every status, and last month's history with about 30 % no-shows (before reminders)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from django.utils import timezone

from engagements.calendar.workdays import calendar_for

from . import services
from .enums import BookingStatus, Channel, WaitlistStatus
from .models import Booking, BookingLog, Procedure, ScheduleRule, WaitlistEntry
from .services import seats

FIRST_NAMES = [
    "Amina", "Bruno", "Chloé", "Dimitri", "Elif", "Fatou", "Gaspard", "Hanna", "Ibrahim",
    "Jeanne", "Kenji", "Leïla", "Marius", "Nadia", "Omar", "Paula", "Quentin", "Rokia",
    "Samuel", "Tania", "Ugo", "Vesna", "Wassim", "Yasmine", "Zoé",
]  # fmt: skip
LAST_NAMES = [
    "Abadie", "Benali", "Carvalho", "Diallo", "Estève", "Fofana", "Garnier", "Haddad",
    "Ivanova", "Jolivet", "Kouassi", "Lemaire", "Mendes", "Nguyen", "Ouattara", "Perrin",
    "Quéré", "Rakoto", "Sarr", "Traoré", "Urvoy", "Vidal", "Weber", "Yilmaz", "Zerbib",
]  # fmt: skip

SEJOUR_DOCS = (
    "Passeport ou pièce d'identité\nConvocation ou récapitulatif de rendez-vous\n"
    "Titre de séjour actuel ou récépissé\nTimbre fiscal électronique"
)
SEJOUR_DOCS_EN = (
    "Passport or identity document\nNotice or appointment summary\n"
    "Current residence permit or receipt\nElectronic tax stamp"
)

# (service key, name, English name, minutes, capacity, options, weekly ranges)
PROCEDURES = [
    ("lysville/sejour", "Remise de titre de séjour", "Residence permit collection", 15, 2,
     {"documents": SEJOUR_DOCS, "documents_en": SEJOUR_DOCS_EN, "asks_foreign_number": True},
     [(d, time(9), time(12)) for d in range(5)] + [(d, time(13, 30), time(16)) for d in range(4)]),
    ("lysville/sejour", "Renouvellement de titre de séjour", "Residence permit renewal", 30, 1,
     {"documents": SEJOUR_DOCS, "documents_en": SEJOUR_DOCS_EN, "asks_foreign_number": True,
      "requires_permit_expiry": True,
      "priority_share": 25, "no_show_policy": "wait"},
     [(d, time(9), time(12)) for d in (0, 2, 4)]),
    ("lysville/naturalisations", "Naturalisation — entretien", "Naturalisation interview", 45, 1,
     {"documents": "Convocation\nPièce d'identité\nOriginaux des pièces du dossier",
      "documents_en": "Notice\nIdentity document\nOriginals of the file's documents",
      "opens_days_ahead": 56},
     [(d, time(9), time(12)) for d in (1, 3)]),
    ("lysville/cert", "Titre d'identité républicain / DCEM", "Travel document (TIR/DCEM)",
     20, 1, {"documents": "Titre de séjour du parent\nActe de naissance de l'enfant\nPhoto",
             "documents_en": "Parent's residence permit\nChild's birth certificate\nPhoto"},
     [(d, time(14), time(16)) for d in (0, 3)]),
    ("sainte-aure/sejour", "Remise de titre de séjour", "Residence permit collection", 15, 1,
     {"documents": SEJOUR_DOCS, "documents_en": SEJOUR_DOCS_EN, "asks_foreign_number": True},
     [(d, time(9), time(11, 30)) for d in (1, 3)]),
    ("pan-lysville/accompagnement", "Point d'accueil numérique — accompagnement",
     "Digital help desk — assisted online procedures", 30, 2,
     {"documents": "Identifiants de connexion (France Connect, ANEF…)\nPièces à téléverser",
      "documents_en": "Login details (France Connect, ANEF…)\nDocuments to upload",
      "languages": "français, anglais, arabe"},
     [(d, time(9), time(12)) for d in range(5)]),
]  # fmt: skip


def _service(ctx, key: str):
    services = ctx.services
    if key in services:
        return services[key]
    site_slug = key.split("/")[0]
    return next((s for k, s in services.items() if k.startswith(site_slug + "/")), None)


ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# The bookings whose seat stays counted in `Slot.booked`, as the services leave it: a
# check-in or an absence keeps it; a cancellation or a lapsed hold gives it back (the
# demo's morning read "0 / 2" on slots whose people had come).
SEATED = {
    BookingStatus.HELD,
    BookingStatus.CONFIRMED,
    BookingStatus.ATTENDED,
    BookingStatus.LATE,
    BookingStatus.NO_SHOW,
}
CHANNELS = [Channel.ONLINE, Channel.AGENT, Channel.PARTNER, Channel.API]


def _booking(rng, procedure, slot, status, person: int, now, agent=None) -> Booking:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    created = slot.starts_at - timedelta(days=rng.randint(2, 30))
    came = status in (BookingStatus.ATTENDED, BookingStatus.LATE)
    held = status == BookingStatus.HELD
    ascii_name = f"{first}.{last}".lower().translate(str.maketrans("ïéèë", "ieee"))
    expires = None
    if procedure.requires_permit_expiry:
        day = timezone.localtime(slot.starts_at).date()
        expires = day + timedelta(days=rng.randint(20, 100))
    return Booking(
        reference="D" + "".join(rng.choice(ALPHABET) for _ in range(7)),
        procedure=procedure,
        slot=slot,
        status=status,
        channel=rng.choices(CHANNELS, weights=[80, 10, 6, 4])[0],
        first_name=first,
        last_name=last,
        email=f"{ascii_name}.{person}@exemple.test",
        phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{person % 100:02d}",
        foreign_number=str(rng.randint(10**9, 10**10 - 1)) if procedure.asks_foreign_number else "",
        permit_expires_on=expires,
        created_at=created,
        confirmed_at=None if held else created,
        hold_expires_at=now + timedelta(minutes=10) if held else None,
        # Arrivals within the reception hours (08:45 at the earliest), by the demo agent.
        checked_in_at=slot.starts_at + timedelta(minutes=rng.randint(-10, 20)) if came else None,
        checked_in_by=agent if came else None,
        cancelled_at=created + timedelta(days=1) if "cancelled" in status else None,
    )


# The booking flows' other languages for the first procedure (the others show in French,
# marked as such): what a référent types in the procedure form.
SEJOUR_DOCS_TRANSLATED = {
    "uk": "Паспорт або посвідчення особи\nЗапрошення або підсумок запису\n"
    "Чинна посвідка на проживання або тимчасова довідка\nЕлектронна гербова марка",
    "ar": "جواز السفر أو وثيقة الهوية\nالاستدعاء أو ملخص الموعد\n"
    "بطاقة الإقامة الحالية أو الوصل\nالطابع الجبائي الإلكتروني",
}
TRANSLATIONS = {
    "Remise de titre de séjour": {
        "uk": {"name": "Видача посвідки на проживання", "documents": SEJOUR_DOCS_TRANSLATED["uk"]},
        "ar": {"name": "تسليم بطاقة الإقامة", "documents": SEJOUR_DOCS_TRANSLATED["ar"]},
    },
}


# Who receives the people at each site's counter (named on the attendance certificate):
# the site's own demo user; the Lysville agent elsewhere.
RECEIVED_BY = {"sainte-aure": "chef-site"}


AFTERNOON = (time(14), time(16, 30))


def _sessions_today(first_day) -> list[list[tuple]]:
    """Each procedure's weekly ranges, plus sessions on the demo's first working day at a
    site that holds none that day, or none in the afternoon: whatever day and hour the
    demo is loaded, every site's reception list has people to receive (the site manager of
    Sainte-Aure, open on Tuesday and Thursday mornings, saw an empty list on other days,
    and only past appointments after lunch)."""
    weekday = first_day.weekday()

    def site_of(key: str) -> str:
        return key.split("/")[0]

    that_day = [(site_of(key), ranges) for key, *_rest, ranges in PROCEDURES]
    open_that_day = {site for site, ranges in that_day for d, _a, _b in ranges if d == weekday}
    afternoon = {
        site
        for site, ranges in that_day
        for d, _a, b in ranges
        if d == weekday and b > AFTERNOON[0]
    }
    sessions, added = [], set()
    for site, ranges in that_day:
        ranges = list(ranges)
        if site not in added:
            if site not in open_that_day:
                _d, starts, ends = ranges[0]
                ranges.append((weekday, starts, ends))
            if site not in afternoon:
                ranges.append((weekday, *AFTERNOON))
            added.add(site)
        sessions.append(ranges)
    return sessions


def seed(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    prefecture = ctx.prefecture
    procedures: list[Procedure] = []
    # Today, or Monday for a demo loaded at the weekend (slots fall on working days only).
    first_day = calendar_for(prefecture).next_working_day(today)
    for (key, name, name_en, minutes, capacity, options, _ranges), ranges in zip(
        PROCEDURES, _sessions_today(first_day), strict=True
    ):
        service = _service(ctx, key)
        if service is None:
            continue
        procedure = Procedure.objects.create(
            prefecture=prefecture,
            site=service.site,
            service=service,
            name=name,
            name_en=name_en,
            translations=TRANSLATIONS.get(name, {}),
            duration_minutes=minutes,
            capacity=capacity,
            **options,
        )
        ScheduleRule.objects.bulk_create(
            ScheduleRule(procedure=procedure, weekday=d, starts_at=a, ends_at=b)
            for d, a, b in ranges
        )
        services.generate_slots(
            procedure, start=today - timedelta(days=35), end=today + timedelta(days=35)
        )
        procedures.append(procedure)

    now = timezone.now()
    bookings: list[Booking] = []
    booked: Counter[int] = Counter()
    person = 0
    for procedure in procedures:
        for slot in procedure.slots.all():
            days_ahead = (timezone.localtime(slot.starts_at).date() - today).days
            for _seat in range(slot.capacity):
                past = slot.starts_at < now
                fill = 0.85 if past else max(0.15, 0.8 - days_ahead * 0.025)
                if rng.random() > fill:
                    continue
                person += 1
                if past:
                    roll = rng.random()
                    status = (
                        BookingStatus.NO_SHOW
                        if roll < 0.27
                        else BookingStatus.LATE
                        if roll < 0.31
                        else BookingStatus.CANCELLED_BY_USER
                        if roll < 0.37
                        else BookingStatus.EXPIRED
                        if roll < 0.38
                        else BookingStatus.ATTENDED
                    )
                else:
                    roll = rng.random()
                    status = (
                        BookingStatus.CANCELLED_BY_USER
                        if roll < 0.08
                        else BookingStatus.CANCELLED_BY_SERVICE
                        if roll < 0.1
                        else BookingStatus.HELD
                        if roll < 0.12 and days_ahead > 1
                        else BookingStatus.CONFIRMED
                    )
                receiver = RECEIVED_BY.get(procedure.site.slug, "agent")
                booking = _booking(
                    rng, procedure, slot, status, person, now, agent=ctx.users.get(receiver)
                )
                booking.set_identity_keys()
                bookings.append(booking)
                if status in SEATED:
                    booked[slot.pk] += 1
    Booking.objects.bulk_create(bookings, batch_size=500)
    for slot_id, count in booked.items():
        seats.add_seats(slot_id, count)
    BookingLog.objects.bulk_create(
        [
            BookingLog(booking=b, at=b.created_at, from_status="", to_status=b.status, note="Démo")
            for b in Booking.objects.filter(procedure__prefecture=prefecture)
        ],
        batch_size=500,
    )
    # A waiting list on the naturalisation interviews (always full).
    naturalisation = next((p for p in procedures if p.name.startswith("Naturalisation")), None)
    if naturalisation:
        for i in range(4):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            WaitlistEntry.objects.create(
                procedure=naturalisation,
                first_name=first,
                last_name=last,
                email=f"attente.{i}@exemple.test",
                status=WaitlistStatus.WAITING,
                created_at=datetime.combine(today, time(8)).astimezone() - timedelta(days=i),
            )
