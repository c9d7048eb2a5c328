"""The comité local des usagers: composition (colleges, seats), meetings, attendance,
minutes, decisions and members' suggestions.

Attendance rows copy the member's name, organisation and college when the meeting is
prepared, so old minutes stay true after mandates change. Approved minutes are frozen: a
correction is a new version (see `Minutes.save`)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from engagements.organisation.models import Prefecture

from .enums import (
    AgendaKind,
    AttendanceStatus,
    Civility,
    CommitteeKind,
    DecisionKind,
    DocumentAudience,
    DocumentKind,
    MeetingKind,
    MeetingStatus,
    MinutesKind,
    MinutesStatus,
    SeatKind,
    SuggestionStatus,
)


class FrozenMinutes(ValidationError):
    """Raised when something tries to change approved minutes."""


class Committee(models.Model):
    prefecture = models.OneToOneField(
        Prefecture, on_delete=models.CASCADE, related_name="committee"
    )
    kind = models.CharField(
        "nature", max_length=10, choices=CommitteeKind.choices, default=CommitteeKind.CLU
    )
    order_reference = models.CharField(
        "arrêté de composition (référence)", max_length=100, blank=True
    )
    order_date = models.DateField("date de l'arrêté", null=True, blank=True)
    planned_audit_date = models.DateField(
        "date du prochain audit",
        null=True,
        blank=True,
        help_text="Utilisée tant que le module qualité ne fournit pas la date de l'audit.",
    )
    invitation_days = models.PositiveSmallIntegerField(
        "envoi de la convocation (jours avant la réunion)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "comité local des usagers"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.prefecture.name}"


class College(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="colleges")
    name = models.CharField("collège", max_length=200)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "collège"
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="college_name_per_committee")
        ]

    def __str__(self) -> str:
        return self.name


class SeatQuerySet(models.QuerySet):
    def active_on(self, day: date):
        return self.filter(
            models.Q(mandate_start__isnull=True) | models.Q(mandate_start__lte=day),
            models.Q(mandate_end__isnull=True) | models.Q(mandate_end__gte=day),
        )

    def overlapping(self, start: date, end: date):
        """Seats whose mandate overlaps [start, end] (an empty end means still running)."""
        return self.filter(
            models.Q(mandate_start__isnull=True) | models.Q(mandate_start__lte=end),
            models.Q(mandate_end__isnull=True) | models.Q(mandate_end__gte=start),
        )


class Seat(models.Model):
    """A seat in a college for one mandate, held by an organisation, maybe by a named person.
    A renewed mandate is a new row: past years keep theirs."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="seats")
    organisation = models.CharField("organisme", max_length=200)
    first_name = models.CharField("prénom", max_length=100, blank=True)
    last_name = models.CharField("nom", max_length=100, blank=True)
    civility = models.CharField(
        "civilité", max_length=10, choices=Civility.choices, blank=True, default=""
    )
    email = models.EmailField("courriel", blank=True)
    kind = models.CharField("siège", max_length=10, choices=SeatKind.choices)
    mandate_start = models.DateField("début du mandat", null=True, blank=True)
    mandate_end = models.DateField("fin du mandat", null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
    )
    history = HistoricalRecords()

    objects = SeatQuerySet.as_manager()

    class Meta:
        verbose_name = "siège"
        ordering = ["college__position", "college__name", "organisation", "kind", "last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "college",
                    "organisation",
                    "first_name",
                    "last_name",
                    "kind",
                    "mandate_start",
                ],
                name="seat_identity",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(mandate_end__isnull=True)
                | models.Q(mandate_start__isnull=True)
                | models.Q(mandate_end__gte=models.F("mandate_start")),
                name="seat_mandate_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} ({self.get_kind_display().lower()})"

    @property
    def person_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def holder(self) -> str:
        return f"{self.person_name}, {self.organisation}" if self.person_name else self.organisation

    def is_active_on(self, day: date) -> bool:
        return (self.mandate_start is None or self.mandate_start <= day) and (
            self.mandate_end is None or self.mandate_end >= day
        )


class Meeting(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField("date et heure")
    duration_minutes = models.PositiveSmallIntegerField(
        "durée (minutes)", default=120, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    place = models.CharField("lieu", max_length=300, blank=True)
    video_link = models.URLField("lien de visioconférence", blank=True)
    kind = models.CharField(
        "nature", max_length=20, choices=MeetingKind.choices, default=MeetingKind.ORDINARY
    )
    status = models.CharField(
        "état", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    chair = models.CharField("présidence", max_length=200, blank=True)
    invitation_sent_at = models.DateTimeField("convocation envoyée le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "réunion"
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.get_kind_display()} du {local:%d/%m/%Y}"

    @property
    def day(self) -> date:
        return timezone.localtime(self.starts_at).date()

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def current_minutes(self) -> Minutes | None:
        return self.minutes.order_by("-version").first()

    def published_minutes(self) -> Minutes | None:
        return self.minutes.filter(status=MinutesStatus.APPROVED).order_by("-version").first()


class MeetingLog(models.Model):
    """One row per change of a meeting's status."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="log")
    from_status = models.CharField(max_length=20, choices=MeetingStatus.choices)
    to_status = models.CharField(max_length=20, choices=MeetingStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "historique de réunion"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.from_status} → {self.to_status}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("intitulé", max_length=300)
    kind = models.CharField(
        "nature", max_length=20, choices=AgendaKind.choices, default=AgendaKind.INFORMATION
    )
    document_kind = models.CharField(
        "document joint", max_length=30, choices=DocumentKind.choices, blank=True, default=""
    )
    # Which record of that kind (a survey campaign, a meeting for its minutes), when needed.
    document_ref = models.PositiveIntegerField(null=True, blank=True)
    # Set on the item of the next meeting that approves a previous meeting's minutes.
    approves = models.ForeignKey(
        "Minutes",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approval_items",
    )

    class Meta:
        verbose_name = "point de l'ordre du jour"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class AttendanceQuerySet(models.QuerySet):
    def in_list_order(self):
        """As the members' page lists them: colleges in their order (not alphabetically,
        where "Élus" comes after "Préfecture" byte-wise), then the organisation, its
        titular before its substitute."""
        return self.order_by(
            models.F("seat__college__position").asc(nulls_last=True),
            "college_name",
            "organisation",
            "-seat_kind",
            "person_name",
        )


class Attendance(models.Model):
    """A seat's attendance at a meeting, with the holder as he was on that day."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(
        Seat, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendance"
    )
    status = models.CharField(
        "présence",
        max_length=20,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.INVITED,
    )
    represented_by = models.CharField("représenté par", max_length=200, blank=True)
    # Snapshot taken when the meeting is prepared.
    person_name = models.CharField("nom", max_length=200, blank=True)
    civility = models.CharField(
        "civilité", max_length=10, choices=Civility.choices, blank=True, default=""
    )
    organisation = models.CharField("organisme", max_length=200)
    college_name = models.CharField("collège", max_length=200)
    seat_kind = models.CharField("siège", max_length=10, choices=SeatKind.choices)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "présence"
        ordering = ["college_name", "organisation", "seat_kind", "person_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="attendance_once_per_seat")
        ]

    def __str__(self) -> str:
        return self.holder

    @property
    def holder(self) -> str:
        return f"{self.person_name}, {self.organisation}" if self.person_name else self.organisation

    @property
    def represented_phrase(self) -> str:
        """ "représentée par" / "représenté par" agreeing with the member; without a known
        civility (an organisation's seat), a wording that agrees with anyone."""
        if self.person_name and self.civility == Civility.MADAME:
            return "représentée par"
        if self.person_name and self.civility == Civility.MONSIEUR:
            return "représenté par"
        return "par l'intermédiaire de"


class Minutes(models.Model):
    """One version of a meeting's minutes. Approved versions are frozen."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(
        "type", max_length=20, choices=MinutesKind.choices, default=MinutesKind.DECISIONS
    )
    status = models.CharField(
        "état", max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    introduction = models.TextField("introduction", blank=True)
    summary_en = models.TextField("résumé en anglais (page publique)", blank=True)
    sent_at = models.DateTimeField("envoyé aux membres le", null=True, blank=True)
    observations_until = models.DateField("observations jusqu'au", null=True, blank=True)
    approved_on = models.DateField("approuvé le", null=True, blank=True)
    approved_at_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_minutes",
    )
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    correction_note = models.CharField("objet de la correction", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "relevé"
        ordering = ["meeting", "version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.meeting} (version {self.version})"

    def save(self, *args, **kwargs):
        if self.pk:
            stored = Minutes.objects.filter(pk=self.pk).values("status").first()
            if stored and stored["status"] == MinutesStatus.APPROVED:
                allowed = {"published_at"}
                fields = set(kwargs.get("update_fields") or [])
                if not fields or not fields <= allowed:
                    raise FrozenMinutes(
                        "Ce relevé a été approuvé : il ne peut plus être modifié. "
                        "Créez une nouvelle version pour le corriger."
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_frozen:
            raise FrozenMinutes("Un relevé approuvé ne peut pas être supprimé.")
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status == MinutesStatus.APPROVED


class _PartOfMinutes(models.Model):
    """Rows that belong to a version of the minutes and freeze with it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._check_open()
        if self.pk:  # moved away from frozen minutes?
            previous = type(self).objects.filter(pk=self.pk).values("minutes_id").first()
            if (
                previous
                and Minutes.objects.filter(
                    pk=previous["minutes_id"], status=MinutesStatus.APPROVED
                ).exists()
            ):
                raise FrozenMinutes("Ce relevé a été approuvé : il ne peut plus être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_open()
        return super().delete(*args, **kwargs)

    def _check_open(self):
        minutes_id = self.minutes_id
        if (
            minutes_id
            and Minutes.objects.filter(pk=minutes_id, status=MinutesStatus.APPROVED).exists()
        ):
            raise FrozenMinutes(
                "Ce relevé a été approuvé : il ne peut plus être modifié. "
                "Créez une nouvelle version pour le corriger."
            )


class MinutesItem(_PartOfMinutes):
    """What the minutes say about one agenda item."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="items")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="minutes_items"
    )
    text = models.TextField("relevé", blank=True)

    class Meta:
        verbose_name = "relevé d'un point"
        ordering = ["agenda_item__position", "agenda_item__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "agenda_item"], name="minutes_item_per_agenda_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agenda_item_id}: {self.text[:60]}"


class Decision(_PartOfMinutes):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    kind = models.CharField("nature", max_length=20, choices=DecisionKind.choices)
    text = models.TextField("décision")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "décision"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.text[:80]}"

    @property
    def prefecture(self):
        return self.minutes.meeting.committee.prefecture


class Observation(models.Model):
    """A member's observation on a draft of the minutes sent to the members."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="observations")
    seat = models.ForeignKey(
        Seat, on_delete=models.SET_NULL, null=True, blank=True, related_name="observations"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_observations",
    )
    author_label = models.CharField("auteur", max_length=300)
    text = models.TextField("observation")
    submitted_at = models.DateTimeField("envoyée le", default=timezone.now)
    # The sending of the draft it was made on: a draft sent again (changed after earlier
    # observations) keeps them, and they stay visibly about the earlier sending.
    draft_sent_at = models.DateTimeField("sur le projet envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "observation sur un projet de relevé"
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_label} : {self.text[:60]}"

    @property
    def on_earlier_draft(self) -> bool:
        """Made on an earlier sending of the draft than the one the members have now (an
        observation from before the field was kept: made before the latest sending)."""
        latest = self.minutes.sent_at
        if latest is None:
            return False
        return (self.draft_sent_at or self.submitted_at) < latest


class Suggestion(models.Model):
    """A member's suggestion ("vous avez dit"), made in a meeting or from the members' space."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="suggestions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions"
    )
    seat = models.ForeignKey(
        Seat, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_suggestions",
    )
    author_label = models.CharField("auteur", max_length=300, blank=True)
    text = models.TextField("suggestion")
    submitted_on = models.DateField("déposée le", default=timezone.localdate)
    status = models.CharField(
        "suite donnée",
        max_length=20,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.SUBMITTED,
    )
    answer = models.TextField("réponse", blank=True)
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "suggestion"
        ordering = ["-submitted_on", "-pk"]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def prefecture(self):
        return self.committee.prefecture


def meeting_document_path(instance: MeetingDocument, filename: str) -> str:
    # A random stem: the stored name never carries what the uploader typed.
    import uuid

    extension = filename.rpartition(".")[2].lower() if "." in filename else "bin"
    prefecture = instance.meeting.committee.prefecture_id
    return f"committee/{prefecture}/{instance.meeting_id}/{uuid.uuid4().hex}.{extension}"


class MeetingDocument(models.Model):
    """A document attached to a meeting or one of its agenda items (slides, notes, tables).

    Members get every one of them with the invitation and the draft minutes; the public
    ones are published with the approved minutes, never before (issue 23, item 3). The file
    is private storage, served only by permission-checked views as a download."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="point de l'ordre du jour",
    )
    title = models.CharField("intitulé", max_length=200)
    audience = models.CharField(
        "diffusion",
        max_length=10,
        choices=DocumentAudience.choices,
        default=DocumentAudience.MEMBERS,
    )
    file = models.FileField(upload_to=meeting_document_path, max_length=300)
    name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "document de réunion"
        verbose_name_plural = "documents de réunion"
        ordering = ["agenda_item__position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.audience == DocumentAudience.PUBLIC

    @property
    def extension(self) -> str:
        return self.name.rpartition(".")[2].upper()
