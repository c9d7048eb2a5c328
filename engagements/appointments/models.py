"""Procedures, schedules, slots, bookings, waiting list and partner tokens.

Correctness lives in PostgreSQL: a slot's `booked` counter is only moved by conditional
UPDATEs (`booked < capacity`) and a CheckConstraint forbids overbooking; partial unique
constraints forbid two active bookings of the same person for one procedure.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from simple_history.models import HistoricalRecords

from engagements.shell.content_language import Localised, lines, localise, page_language
from engagements.shell.personal_data import normalise_email, normalise_phone

from .enums import (
    ACTIVE_STATUSES,
    BookingStatus,
    Channel,
    NoShowPolicy,
    WaitlistStatus,
)

HOLD_MINUTES = 15
REBOOKING_DAYS = 42  # six weeks for a late person's rebooking link
SHORT_CODE_LENGTH = 12  # characters of the token in SMS links: 72 random bits


def new_token() -> str:
    return secrets.token_urlsafe(32)


REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O/1/I: read over the phone


def new_reference() -> str:
    # 32 letters: each random byte picks one uniformly (256 = 8 × 32), one read of the
    # system's random source for the whole reference.
    return "".join(REFERENCE_ALPHABET[byte % 32] for byte in secrets.token_bytes(8))


def normalise_foreign_number(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def identity_hash(kind: str, key: str) -> str:
    """Keyed hash (HMAC-SHA256 with SECRET_KEY) of a normalised identity key, "" for none.

    Kept after the personal details are purged so that the no-show policy, which looks
    back further than the retention period, still recognises the person; without the key
    it cannot be reversed or recomputed from a list of addresses.
    """
    if not key:
        return ""
    message = f"appointments-identity:{kind}:{key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


# Names of the desk's languages, as typed in French by the agents, for English pages.
LANGUAGE_NAMES_EN = {
    "français": "French",
    "anglais": "English",
    "arabe": "Arabic",
    "espagnol": "Spanish",
    "allemand": "German",
    "italien": "Italian",
    "portugais": "Portuguese",
    "russe": "Russian",
    "ukrainien": "Ukrainian",
    "turc": "Turkish",
    "chinois": "Chinese",
    "roumain": "Romanian",
    "polonais": "Polish",
    "tamoul": "Tamil",
    "ourdou": "Urdu",
    "dari": "Dari",
    "pachto": "Pashto",
    "langue des signes française": "French Sign Language",
    "lsf": "French Sign Language (LSF)",
}


class Procedure(models.Model):
    """A démarche bookable at one site, for one service."""

    prefecture = models.ForeignKey(
        "organisation.Prefecture", on_delete=models.PROTECT, related_name="procedures"
    )
    site = models.ForeignKey("organisation.Site", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        "organisation.Service", on_delete=models.PROTECT, related_name="procedures"
    )
    name = models.CharField("nom", max_length=200)
    name_en = models.CharField("nom en anglais", max_length=200, blank=True)
    description = models.TextField("présentation", blank=True)
    duration_minutes = models.PositiveSmallIntegerField("durée (minutes)", default=15)
    capacity = models.PositiveSmallIntegerField("places par créneau", default=1)
    opens_days_ahead = models.PositiveSmallIntegerField(
        "ouverture (jours avant)",
        default=28,
        help_text="Un créneau devient réservable N jours avant.",
    )
    opens_at = models.TimeField("heure d'ouverture des créneaux", default=time(8, 0))
    closes_hours_before = models.PositiveSmallIntegerField("fermeture (heures avant)", default=2)
    asks_foreign_number = models.BooleanField("demande le numéro étranger", default=False)
    requires_permit_expiry = models.BooleanField(
        "demande la date d'expiration du titre", default=False
    )
    renewal_from_days = models.PositiveSmallIntegerField(
        "réservable à partir de (jours avant expiration)", default=120
    )
    renewal_until_days = models.PositiveSmallIntegerField(
        "réservable jusqu'à (jours avant expiration)", default=1
    )
    priority_share = models.PositiveSmallIntegerField(
        "part des créneaux réservée aux titres expirant sous 2 mois (%)", default=0
    )
    priority_release_hours = models.PositiveSmallIntegerField(
        "libération des créneaux prioritaires (heures avant)", default=48
    )
    documents = models.TextField("pièces à apporter (une par ligne)", blank=True)
    documents_en = models.TextField(
        "pièces à apporter, en anglais (une par ligne, dans le même ordre)", blank=True
    )
    # {"uk": {"name": "…", "documents": "…"}, "ar": {…}}: the public flows' other languages
    # (English keeps `name_en` and `documents_en`); engagements/shell/content_language.py.
    translations = models.JSONField("traductions", default=dict, blank=True)
    languages = models.CharField("langues de l'accueil", max_length=200, default="français")
    max_reschedules = models.PositiveSmallIntegerField("déplacements permis", default=2)
    no_show_policy = models.CharField(
        "politique d'absence", max_length=10, choices=NoShowPolicy.choices, default="confirm"
    )
    no_show_limit = models.PositiveSmallIntegerField("absences tolérées", default=2)
    no_show_period_days = models.PositiveSmallIntegerField("période (jours)", default=182)
    no_show_wait_weeks = models.PositiveSmallIntegerField("attente (semaines)", default=4)
    is_public = models.BooleanField("réservable en ligne", default=True)
    waiting_room = models.BooleanField(
        "salle d'attente à l'ouverture",
        default=False,
        help_text="Les personnes arrivées avant l'heure d'ouverture des créneaux attendent dans "
        "une salle d'attente ; à l'ouverture, leur ordre de passage est tiré au sort, puis "
        "elles entrent à un rythme tenu par le serveur (contre les robots qui revendent les "
        "rendez-vous).",
    )
    waiting_room_minutes = models.PositiveSmallIntegerField(
        "ouverture de la salle d'attente (minutes avant l'heure d'ouverture)", default=30
    )
    survey_invitation = models.BooleanField(
        "invitation à l'enquête de satisfaction après le rendez-vous",
        default=True,
        help_text="Envoyée par courriel quand la personne est marquée « venue », si une "
        "enquête est en cours pour le service.",
    )
    documents_before = models.BooleanField(
        "documents à envoyer avant le rendez-vous",
        default=False,
        help_text="Après la réservation, la personne envoie les pièces depuis la page de son "
        "rendez-vous ; elle est relancée deux jours avant la fin du délai et peut demander "
        "plus de temps. Délai dépassé : rien n'est annulé, le rendez-vous va dans la liste "
        "« pièces en attente — délai dépassé ».",
    )
    documents_before_days = models.PositiveSmallIntegerField(
        "délai pour envoyer les documents (jours, indicatif)",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    documents_extension_days = models.PositiveSmallIntegerField(
        "délai complémentaire que la personne peut demander (jours)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Compté après le premier délai, sans dépasser la veille du rendez-vous ; "
        "un agent peut accorder davantage.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "démarche"
        ordering = ["site__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} — {self.site.name}"

    def display_name(self, language: str | None = None) -> Localised:
        """The name in `language` where it is written, French otherwise (knowing which)."""
        if language == "en":
            return Localised(self.name_en, "en") if self.name_en else Localised(self.name, "fr")
        return localise(self.translations, "name", self.name, language or "fr")

    @property
    def no_show_months(self) -> int:
        return max(1, round(self.no_show_period_days / 30.4))

    def document_list(self, language: str | None = None) -> list[Localised]:
        """Documents to bring, in the page's language where they are translated (each item
        knows its language: French ones are marked on a page in another language)."""
        language = page_language(language)
        if language == "en":
            if self.documents_en.strip():
                return lines(Localised(self.documents_en, "en"))
            return lines(Localised(self.documents, "fr"))
        return lines(localise(self.translations, "documents", self.documents, language))

    def languages_display(self, language: str | None = None) -> str:
        """The desk's languages ("français, anglais") named in the page's language."""
        language = language or translation.get_language() or "fr"
        if language != "en":
            return self.languages
        names = [part.strip() for part in self.languages.replace(" et ", ",").split(",")]
        return ", ".join(LANGUAGE_NAMES_EN.get(n.lower(), n) for n in names if n)

    def opening_of(self, slot_start: datetime) -> datetime:
        """When a slot becomes bookable online."""
        local = timezone.localtime(slot_start)
        day = local.date() - timedelta(days=self.opens_days_ahead)
        return timezone.make_aware(datetime.combine(day, self.opens_at))

    def closing_of(self, slot_start: datetime) -> datetime:
        return slot_start - timedelta(hours=self.closes_hours_before)


class ScheduleRule(models.Model):
    """One opening range of a weekly template (two ranges a day make a break)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(
        "jour",
        choices=[
            (i, d)
            for i, d in enumerate(
                ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
            )
        ],  # noqa: E501
    )
    starts_at = models.TimeField("début")
    ends_at = models.TimeField("fin")
    valid_from = models.DateField("à partir du", null=True, blank=True)
    valid_until = models.DateField("jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "plage horaire"
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appt_rule_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Slot(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField("début", db_index=True)
    ends_at = models.DateTimeField("fin")
    capacity = models.PositiveSmallIntegerField("places")
    # Seats held or confirmed. Only moved by conditional UPDATEs in services.py.
    booked = models.PositiveSmallIntegerField("places prises", default=0)
    priority = models.BooleanField("réservé aux titres expirant bientôt", default=False)
    blocked = models.BooleanField("fermé", default=False)

    class Meta:
        verbose_name = "créneau"
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="appt_slot_not_overbooked"
            ),
            models.UniqueConstraint(fields=["procedure", "starts_at"], name="appt_slot_unique"),
            # The target of the bookings' foreign key on (slot_id, procedure_id).
            models.UniqueConstraint(fields=["id", "procedure"], name="appt_slot_id_procedure"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%d/%m/%Y %H:%M} ({self.procedure.name})"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


class Booking(models.Model):
    # Unique by constraints in Meta (appt_booking_reference_unique, appt_booking_token_unique),
    # not `unique=True`, which on PostgreSQL also builds a LIKE index every booking writes.
    reference = models.CharField("référence", max_length=12, default=new_reference)
    # Secret of the manage link: only this gives access to the person's details, ICS and PDF.
    token = models.CharField(max_length=64, default=new_token)
    # One foreign key on (slot_id, procedure_id) to the slot's (id, procedure_id) on
    # PostgreSQL (migration 0014, appt_booking_slot_fk) instead of one per column: the
    # booking's procedure is its slot's, and the check at commit locks only the slot row
    # the booking has just updated, not the procedure's row, which every booking of the
    # procedure would lock at the same moment (a MultiXact and a WAL record each).
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="bookings", db_constraint=False
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="bookings", db_constraint=False
    )
    status = models.CharField(
        "statut", max_length=20, choices=BookingStatus.choices, default=BookingStatus.HELD
    )
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    partner = models.CharField("partenaire", max_length=200, blank=True)
    # Indexed where set only (Meta.indexes): most bookings are made online, with no agent.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    language = models.CharField(max_length=5, default="fr")
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    foreign_number = models.CharField("numéro étranger", max_length=20, blank=True)
    permit_expires_on = models.DateField("expiration du titre", null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    # Normalised identities for "one active booking per person and procedure".
    email_key = models.CharField(max_length=254, blank=True)
    phone_key = models.CharField(max_length=30, blank=True)
    foreign_number_key = models.CharField(max_length=20, blank=True)
    # Keyed hashes of the keys above: they outlive the purge (no-show policy look-back).
    email_hash = models.CharField(max_length=64, blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    foreign_number_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="accueilli par",
        db_index=False,
    )
    reschedule_count = models.PositiveSmallIntegerField(default=0)
    needs_day_before_confirmation = models.BooleanField(default=False)
    day_before_confirmed_at = models.DateTimeField(null=True, blank=True)
    reminder_email_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sms_sent_at = models.DateTimeField(null=True, blank=True)
    rebooking_token = models.CharField(max_length=64, blank=True)
    rebooking_expires_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        ordering = ["slot__starts_at", "last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", key],
                condition=Q(status__in=ACTIVE_STATUSES) & ~Q(**{key: ""}),
                name=f"appt_one_active_per_{key}",
            )
            for key in ("email_key", "phone_key", "foreign_number_key")
        ] + [
            models.UniqueConstraint(fields=["reference"], name="appt_booking_reference_unique"),
            # One index for both lookups of the token: by equality (links) and by its
            # start (SMS short links, LIKE 'x%', which needs the pattern operator class;
            # its `=` is the same equality).
            models.UniqueConstraint(
                fields=["token"],
                opclasses=["varchar_pattern_ops"],
                name="appt_booking_token_unique",
            ),
        ]
        indexes = [
            # Holds waiting for their confirmation link, swept when expired: only they are
            # indexed (a partner's booking, confirmed at once, writes no entry).
            models.Index(
                fields=["hold_expires_at"],
                condition=Q(status="held"),
                name="appt_booking_holds",
            ),
            # Partial indexes: a booking writes an entry only for what it has (most have
            # no agent, no phone or no foreign number). A lookup by value reaches them
            # (PostgreSQL proves `x_hash = 'value'` implies `NOT (x_hash = '')`).
            models.Index(
                fields=["created_by"],
                condition=Q(created_by__isnull=False),
                name="appt_booking_created_by",
            ),
            models.Index(
                fields=["checked_in_by"],
                condition=Q(checked_in_by__isnull=False),
                name="appt_booking_checked_in_by",
            ),
            # Looked up by equality only: plain indexes (no LIKE twin, as db_index would add).
            *(
                models.Index(fields=[field], condition=~Q(**{field: ""}), name=name)
                for field, name in (
                    ("email_hash", "appt_booking_email_hash"),
                    ("phone_hash", "appt_booking_phone_hash"),
                    ("foreign_number_hash", "appt_booking_fn_hash"),
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.last_name.upper()} {self.first_name}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def moves_used_up(self) -> bool:
        """The person has moved it as many times as the procedure allows (agents still may)."""
        return self.reschedule_count >= self.procedure.max_reschedules

    @property
    def may_be_moved(self) -> bool:
        """The person may still move it from the manage page (and the mails offer it)."""
        return self.status == BookingStatus.CONFIRMED and not self.moves_used_up

    @property
    def short_code(self) -> str:
        """The start of the secret token (72 random bits) for links that must fit in an SMS."""
        return self.token[:SHORT_CODE_LENGTH]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def set_identity_keys(self) -> None:
        self.email_key = normalise_email(self.email)
        self.phone_key = normalise_phone(self.phone)
        self.foreign_number_key = normalise_foreign_number(self.foreign_number)
        self.email_hash = identity_hash("email", self.email_key)
        self.phone_hash = identity_hash("phone", self.phone_key)
        self.foreign_number_hash = identity_hash("foreign_number", self.foreign_number_key)

    def agent_url(self, prefecture_slug: str = "") -> str:
        from django.urls import reverse

        slug = prefecture_slug or self.procedure.prefecture.slug
        return reverse("appointments:agents-booking", args=[slug, self.pk])


class BookingDocumentWait(models.Model):
    """The wait for the documents a procedure asks before the appointment (the rule of
    engagements/waits.py: indicative days, one request for more time up to the procedure's
    limit, a reminder two days before the end). Past `ends_on` nothing is cancelled by
    itself: `overdue_on` lists the booking "pièces en attente — délai dépassé" until an
    agent extends the wait, cancels the booking (`closed`) or keeps it (`kept_on`)."""

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="documents_wait")
    requested_on = models.DateField("demandées le")
    first_ends_on = models.DateField("attendues d'abord jusqu'au")
    ends_on = models.DateField("attendues jusqu'au")
    reminded_on = models.DateField("relance envoyée le", null=True, blank=True)
    extension_asked_on = models.DateField(
        "délai complémentaire demandé par la personne le", null=True, blank=True
    )
    extension_reason = models.TextField("motif du délai complémentaire", blank=True)
    overdue_on = models.DateField("délai dépassé depuis le", null=True, blank=True)
    received_on = models.DateField("premier document reçu le", null=True, blank=True)
    kept_on = models.DateField("rendez-vous maintenu sans les pièces le", null=True, blank=True)
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed = models.BooleanField("rendez-vous annulé faute de pièces", default=False)

    class Meta:
        verbose_name = "attente de pièces avant un rendez-vous"
        verbose_name_plural = "attentes de pièces avant un rendez-vous"
        indexes = [models.Index(fields=["overdue_on"], name="appt_docwait_overdue")]

    def __str__(self) -> str:
        return f"{self.booking.reference} — {self.ends_on:%d/%m/%Y}"

    @property
    def pending(self) -> bool:
        return self.received_on is None and not self.closed and self.kept_on is None

    @property
    def extended(self) -> bool:
        return self.ends_on > self.first_ends_on


def booking_document_path(instance: BookingDocument, filename: str) -> str:
    extension = filename.rpartition(".")[2].lower()[:5] if "." in filename else "bin"
    booking = instance.booking
    return (
        f"appointments/{booking.procedure.prefecture_id}/{booking.pk}/"
        f"{secrets.token_hex(8)}.{extension}"
    )


class BookingDocument(models.Model):
    """A document the person sent from the booking's page (PDF, JPEG or PNG, checked from
    its bytes); agents of the prefecture read it on the booking."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=booking_document_path, max_length=300)
    name = models.CharField("nom", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "document envoyé avant le rendez-vous"
        verbose_name_plural = "documents envoyés avant le rendez-vous"

    def __str__(self) -> str:
        return self.name


class BookingLog(models.Model):
    """One row per status transition (and notable event) of a booking."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="logs")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    # Indexed where set only (Meta.indexes): a booking's first log row has no agent online.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(
                fields=["actor"],
                condition=Q(actor__isnull=False),
                name="appt_bookinglog_actor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '·'} → {self.to_status}"


class SlotLog(models.Model):
    """Who opened, closed, reopened or moved a slot, and when."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="logs")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.note


class WaitlistEntry(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="waitlist")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    first_name = models.CharField("prénom", max_length=100)
    last_name = models.CharField("nom", max_length=100)
    email = models.EmailField("courriel")
    language = models.CharField(max_length=5, default="fr")
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    created_at = models.DateTimeField(default=timezone.now)
    offered_slot = models.ForeignKey(
        Slot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    offer_sent_at = models.DateTimeField(null=True, blank=True)
    # True while the offered slot's seat is kept for this person (counted in Slot.booked);
    # cleared by the one conditional UPDATE that gives the seat back or hands it over.
    holds_seat = models.BooleanField(default=False)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "email"],
                condition=Q(status__in=["waiting", "offered"]),
                name="appt_waitlist_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.last_name} ({self.get_status_display()})"


class WaitlistLog(models.Model):
    """A waiting-list entry's history as the agents read it (an address corrected by the
    person). It holds no address: the entry has the current one, and an old address would
    outlive the mistake it was (the entry and its history go together at the purge)."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="logs")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.note


class ApiToken(models.Model):
    """A partner's API token; only its SHA-256 is stored."""

    prefecture = models.ForeignKey(
        "organisation.Prefecture", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("partenaire", max_length=200)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, prefecture, name: str) -> tuple[ApiToken, str]:
        raw = "eng_" + secrets.token_urlsafe(32)
        return cls.objects.create(prefecture=prefecture, name=name, token_hash=cls.hash(raw)), raw


class WaitingRoom(models.Model):
    """The waiting room of one opening (a procedure's slots opening at its set time)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    opening = models.DateTimeField("ouverture")
    # When the order of the people present before the opening was drawn at random;
    # admissions are counted from then.
    drawn_at = models.DateTimeField(null=True, blank=True)
    last_position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "salle d'attente"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "opening"], name="appt_room_once")
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.opening:%Y-%m-%d %H:%M}"


class WaitingTicket(models.Model):
    """A place in a waiting room. No personal data: a random token (in a signed cookie)
    and a hash of the browser's session key, so another browser cannot use it."""

    room = models.ForeignKey(WaitingRoom, on_delete=models.CASCADE, related_name="tickets")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    browser_hash = models.CharField(max_length=64)
    joined_at = models.DateTimeField(default=timezone.now)
    position = models.PositiveIntegerField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "place en salle d'attente"
        constraints = [
            models.UniqueConstraint(fields=["room", "position"], name="appt_ticket_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.room_id} #{self.position or '?'}"


class IdempotencyKey(models.Model):
    """A partner's `Idempotency-Key` on POST /api/v1/bookings and the answer it got, kept 24
    hours: a retry with the same key and body gets that answer again, never a second
    booking."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    booking = models.ForeignKey(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "clé d'idempotence"
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="appt_idempotency_key_once")
        ]

    def __str__(self) -> str:
        return self.key


__all__ = ["WaitlistStatus", "BookingStatus", "Channel"]
