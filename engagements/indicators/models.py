"""Indicators: catalogue, values per structure × period, the records that feed them
(telephony, reception, website updates) and the published snapshots (docs/indicators.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from engagements.organisation.models import Prefecture, Service, Site

from .enums import (
    CallOutcome,
    Family,
    PeriodKind,
    TelephonySource,
    Unit,
    UpdateKind,
)


class Indicator(models.Model):
    """One line of the catalogue: built-in (prefecture empty, stable code of indicators.md)
    or a prefecture's manual indicator (typed in or imported values, with their source)."""

    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.CASCADE,
        related_name="manual_indicators",
        null=True,
        blank=True,
        help_text="Vide pour les indicateurs du catalogue national.",
    )
    code = models.SlugField("code", max_length=80)
    name_fr = models.CharField("nom", max_length=200)
    name_en = models.CharField("nom en anglais", max_length=200, blank=True)
    family = models.CharField("famille", max_length=20, choices=Family.choices)
    unit = models.CharField("unité", max_length=20, choices=Unit.choices)
    definition = models.TextField("définition", blank=True)
    numerator_text = models.TextField("numérateur", blank=True)
    denominator_text = models.TextField("dénominateur", blank=True)
    exclusions = models.TextField("exclusions", blank=True)
    source = models.TextField("source", blank=True)
    frequency = models.CharField("fréquence", max_length=60, default="mensuelle")
    default_target = models.DecimalField(
        "cible par défaut", max_digits=8, decimal_places=2, null=True, blank=True
    )
    lower_is_better = models.BooleanField("plus bas est meilleur", default=False)
    is_manual = models.BooleanField("saisi ou importé", default=False)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = "indicateur"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "code"], name="indicator_code_unique", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return self.name_fr


class Value(models.Model):
    """A figure of one indicator for one structure (prefecture, site or service) and one
    period, with its numerator and denominator (a rate is never stored alone)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # "" for the indicator itself, "kind:reclamation" or "channel:email" for a breakdown.
    breakdown = models.CharField("ventilation", max_length=60, blank=True, default="")
    period_kind = models.CharField("période", max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField("début de période")
    period_end = models.DateField("fin de période")
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(
        "numérateur", max_digits=14, decimal_places=2, null=True, blank=True
    )
    denominator = models.DecimalField(
        "dénominateur", max_digits=14, decimal_places=2, null=True, blank=True
    )
    extra = models.JSONField("compléments", default=dict, blank=True)
    source = models.CharField("source", max_length=200, blank=True)
    updated_at = models.DateTimeField("mis à jour le", default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["period_start", "indicator__position"]
        verbose_name = "valeur d'indicateur"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "prefecture",
                    "site",
                    "service",
                    "breakdown",
                    "period_kind",
                    "period_start",
                ],
                name="one_value_per_structure_period",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["prefecture", "period_kind", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_start} : {self.value}"


# Telephony ---------------------------------------------------------------------------------


class CallHour(models.Model):
    """Calls of one site's queue in one hour (local time): from an hourly file, or counted
    from a queue_log's calls."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="call_hours")
    queue = models.CharField("file d'attente", max_length=100, blank=True, default="")
    date = models.DateField("jour")
    hour = models.PositiveSmallIntegerField("heure")
    offered = models.PositiveIntegerField("appels présentés", default=0)
    answered = models.PositiveIntegerField("appels décrochés", default=0)
    answered_within_5_rings = models.PositiveIntegerField(
        "décrochés en 5 sonneries au plus", null=True, blank=True
    )
    abandoned = models.PositiveIntegerField("abandonnés", null=True, blank=True)
    closed = models.PositiveIntegerField("arrivés file fermée", default=0)
    source = models.CharField("source", max_length=20, choices=TelephonySource.choices)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "hour"]
        verbose_name = "appels d'une heure"
        verbose_name_plural = "appels par heure"
        constraints = [
            models.UniqueConstraint(
                fields=["site", "queue", "date", "hour"], name="one_call_hour_per_queue"
            ),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="call_hour_0_23"),
        ]
        indexes = [models.Index(fields=["prefecture", "date"])]

    def __str__(self) -> str:
        return f"{self.site_id} {self.queue} {self.date} {self.hour} h"


class Call(models.Model):
    """One call of a queue_log (its ENTERQUEUE, or its JOINEMPTY/JOINUNAVAIL when closed)."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="calls")
    queue = models.CharField("file d'attente", max_length=100)
    callid = models.CharField("identifiant d'appel", max_length=100)
    entered_at = models.DateTimeField("arrivée dans la file")
    date = models.DateField("jour")
    hour = models.PositiveSmallIntegerField("heure")
    outcome = models.CharField("issue", max_length=20, choices=CallOutcome.choices)
    wait_seconds = models.PositiveIntegerField("attente (secondes)", null=True, blank=True)

    class Meta:
        ordering = ["entered_at"]
        verbose_name = "appel"
        constraints = [
            models.UniqueConstraint(fields=["site", "queue", "callid"], name="one_call_per_id")
        ]
        indexes = [models.Index(fields=["site", "date"])]

    def __str__(self) -> str:
        return f"{self.queue} {self.callid}"


# Reception ---------------------------------------------------------------------------------


class Visit(models.Model):
    """A visitor at a reception desk: one tap on arrival, one when served."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="visits")
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField("motif", max_length=100, blank=True)
    arrived_at = models.DateTimeField("arrivée", default=timezone.now, db_index=True)
    served_at = models.DateTimeField("pris en charge", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["arrived_at"]
        verbose_name = "visite à l'accueil"
        verbose_name_plural = "visites à l'accueil"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(served_at__isnull=True)
                | models.Q(served_at__gte=models.F("arrived_at")),
                name="visit_served_after_arrival",
            )
        ]

    def __str__(self) -> str:
        return f"Visite {self.pk}"


class FootfallCount(models.Model):
    """Visitors counted elsewhere (a counter, a spreadsheet), per hour and service."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="footfall")
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    date = models.DateField("jour")
    hour = models.PositiveSmallIntegerField("heure")
    visitors = models.PositiveIntegerField("visiteurs")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "hour"]
        verbose_name = "fréquentation importée"
        constraints = [
            models.UniqueConstraint(
                fields=["site", "service", "date", "hour"],
                name="one_footfall_per_hour",
                nulls_distinct=False,
            ),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="footfall_hour_0_23"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hour} h : {self.visitors}"


# Website -----------------------------------------------------------------------------------


class WebsiteUpdate(models.Model):
    """A service's request to the webmaster to change a page of the prefecture's website."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField("référence", max_length=60)
    page = models.CharField("page", max_length=500)
    kind = models.CharField(
        "nature", max_length=20, choices=UpdateKind.choices, default=UpdateKind.CORRECTION
    )
    details = models.TextField("demande", blank=True)
    requested_on = models.DateField("demandée le")
    published_on = models.DateField("publiée le", null=True, blank=True)
    published_url = models.URLField("adresse publiée", blank=True, max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_on", "-pk"]
        verbose_name = "mise à jour du site internet"
        verbose_name_plural = "mises à jour du site internet"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "reference"], name="one_update_per_reference"
            ),
            models.CheckConstraint(
                condition=models.Q(published_on__isnull=True)
                | models.Q(published_on__gte=models.F("requested_on")),
                name="update_published_after_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.page}"


# Transparency ------------------------------------------------------------------------------


class ImmutableError(ValidationError):
    pass


class Publication(models.Model):
    """A period's values validated by the référent qualité. Never changed: a correction is a
    new version, the old one kept."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    period_kind = models.CharField("période", max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField("début de période")
    period_end = models.DateField("fin de période")
    version = models.PositiveSmallIntegerField("version", default=1)
    published_at = models.DateTimeField("publiée le", default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("motif de la correction", blank=True)
    # Published before the period ended (a prefecture setting allows it): shown as such on
    # the pages, the poster and the open data.
    provisional = models.BooleanField("provisoire", default=False)

    class Meta:
        ordering = ["-period_start", "-version"]
        verbose_name = "publication de résultats"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "period_kind", "period_start", "version"],
                name="one_publication_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_kind} {self.period_start} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Une publication ne se modifie pas : publiez une correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Une publication ne se supprime pas.")


class Withdrawal(models.Model):
    """A publication withdrawn by the référent (published by mistake: a wrong period…). The
    publication stays in the history; its period leaves the public pages, poster and API
    until it is published again (a new version)."""

    publication = models.OneToOneField(
        Publication, on_delete=models.PROTECT, related_name="withdrawal"
    )
    withdrawn_at = models.DateTimeField("retirée le", default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("motif du retrait")

    class Meta:
        verbose_name = "retrait de publication"

    def __str__(self) -> str:
        return f"retrait de {self.publication}"


class PublishedValue(models.Model):
    """A copy of a value as it was published (frozen with its target and methodology)."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="values")
    code = models.SlugField("code", max_length=80)
    name_fr = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    frequency = models.CharField(max_length=60)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    met = models.BooleanField(null=True)
    previous = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    updated_at = models.DateTimeField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "valeur publiée"

    def __str__(self) -> str:
        return f"{self.code} : {self.value}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("Une valeur publiée ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Une valeur publiée ne se supprime pas.")


class RecomputeRun(models.Model):
    """A recompute of stored values asked for (records written, "Recalculer maintenant"),
    run by a job; while queued or running its periods are listed on the dashboard."""

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    # Period codes ("2025", "2025-Q4", "2025-11"), merged while the run waits.
    periods = models.JSONField("périodes", default=list)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    rows = models.PositiveIntegerField("valeurs écrites", default=0)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = "recalcul des valeurs"
        verbose_name_plural = "recalculs des valeurs"
        indexes = [models.Index(fields=["prefecture", "status"])]

    def __str__(self) -> str:
        return f"{self.prefecture_id} {', '.join(self.periods)} ({self.status})"


class PosterChoice(models.Model):
    """The référent's choice of what the hall poster shows (engagements/indicators/poster.py):
    3 to 6 indicators in her order, and the date of the next update if she sets one."""

    prefecture = models.OneToOneField(
        Prefecture, on_delete=models.CASCADE, related_name="poster_choice"
    )
    codes = models.JSONField("indicateurs de l'affiche", default=list)
    next_update = models.DateField("prochaine mise à jour", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "choix de l'affiche des résultats"

    def __str__(self) -> str:
        return f"affiche de {self.prefecture}"


class FigureChange(models.Model):
    """The audit trail of figures: a stored value that changed (typed in, imported or
    recomputed from changed records) for a period already published, and every value typed
    in by hand. Who, when, what, before and after; shown to the référent beside the
    publications (whose own history is the publications and withdrawals themselves)."""

    class Act(models.TextChoices):
        MANUAL = "manual", "Valeur saisie ou importée"
        RECOMPUTE = "recompute", "Recalcul à partir des enregistrements"

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField("le", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    act = models.CharField("acte", max_length=20, choices=Act.choices)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period_kind = models.CharField("période", max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField("début de période")
    before = models.DecimalField("avant", max_digits=14, decimal_places=2, null=True, blank=True)
    after = models.DecimalField("après", max_digits=14, decimal_places=2, null=True, blank=True)
    published = models.BooleanField("période publiée", default=False)
    detail = models.CharField("précision", max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "modification d'un chiffre"
        verbose_name_plural = "modifications des chiffres"

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_start}: {self.before} → {self.after}"
