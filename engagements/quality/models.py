"""Action plans and actions, the referential, assessments and evidence, SP+ experiences."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from engagements.organisation.models import Prefecture, Service, Site

from .enums import (
    ActionType,
    AssessmentKind,
    AssessmentStatus,
    FindingKind,
    ResultValue,
    SourceKind,
    StatusCode,
    UpdateKind,
)

PROGRESS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


class ActionStatus(models.Model):
    """A prefecture's own status label, with its default progress and one of the four codes."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="action_statuses"
    )
    code = models.SlugField("code", max_length=40)
    label = models.CharField("libellé", max_length=100)
    base = models.CharField("état", max_length=20, choices=StatusCode.choices)
    default_progress = models.PositiveSmallIntegerField(
        "avancement par défaut (%)", default=0, validators=PROGRESS_VALIDATORS
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        ordering = ["prefecture", "position", "pk"]
        verbose_name = "statut d'action"
        verbose_name_plural = "statuts d'action"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "code"], name="action_status_code_per_prefecture"
            )
        ]

    def __str__(self) -> str:
        return self.label


class ActionPlan(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="plans")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="action_plans")
    year = models.PositiveSmallIntegerField("année")
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé par",
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    presented_on = models.DateField("présenté au comité le", null=True, blank=True)

    class Meta:
        ordering = ["-year", "site__position", "site__name"]
        verbose_name = "plan d'action"
        verbose_name_plural = "plans d'action"
        constraints = [
            models.UniqueConstraint(fields=["site", "year"], name="one_plan_per_site_and_year")
        ]

    def __str__(self) -> str:
        return f"Plan d'action {self.year} — {self.site.name}"

    @property
    def is_validated(self) -> bool:
        return self.validated_at is not None


class Action(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="actions")
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField("référence", max_length=20)
    title = models.CharField("intitulé", max_length=300)
    kind = models.CharField(
        "type", max_length=20, choices=ActionType.choices, default=ActionType.IMPROVEMENT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pilote",
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_on = models.DateField("ouverte le", default=timezone.localdate)
    start_on = models.DateField("début", null=True, blank=True)
    due_on = models.DateField("échéance", null=True, blank=True)
    closed_on = models.DateField("close le", null=True, blank=True)
    status = models.ForeignKey(ActionStatus, on_delete=models.PROTECT, related_name="actions")
    progress = models.PositiveSmallIntegerField(
        "avancement (%)", default=0, validators=PROGRESS_VALIDATORS
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="action parente",
    )
    description = models.TextField("description", blank=True)
    effectiveness_check = models.TextField("vérification de l'efficacité", blank=True)
    effectiveness_checked_on = models.DateField("efficacité vérifiée le", null=True, blank=True)
    public_summary = models.TextField("résumé pour le public", blank=True)
    # {"en": {"public_summary": "…"}, "uk": {…}}: the summary in the public's other
    # languages (engagements/shell/content_language.py); editable after closing, as
    # translating changes nothing.
    translations = models.JSONField("traductions", default=dict, blank=True)
    is_public = models.BooleanField("publiée sur la page « nous l'avons fait »", default=False)
    # The generic source: a kind always, and the record when there is one.
    source_kind = models.CharField(
        "origine", max_length=20, choices=SourceKind.choices, default=SourceKind.INTERNAL
    )
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField("source", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-plan__year", "reference"]
        verbose_name = "action"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "reference"], name="action_reference_per_prefecture"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="action_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(source_type__isnull=True, source_id__isnull=True)
                | models.Q(source_type__isnull=False, source_id__isnull=False),
                name="action_source_complete",
            ),
        ]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def origin(self) -> str:
        """Where the action comes from, as read: its kind, then its record's label, unless
        that label already starts with the kind (« Enquête de satisfaction « … » »)."""
        kind = str(self.get_source_kind_display())
        label = self.source_label
        if not label:
            return kind
        if label.casefold().startswith(kind.casefold()):
            return label
        return f"{kind} — {label}"

    @property
    def state(self) -> str:
        return self.status.base

    @property
    def is_closed(self) -> bool:
        return self.status.base in (StatusCode.DONE, StatusCode.ABANDONED)

    def is_late(self, today) -> bool:
        return bool(self.due_on and self.due_on < today and not self.is_closed)


class ActionUpdate(models.Model):
    """One line of an action's timeline."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=UpdateKind.choices, default=UpdateKind.NOTE)
    on = models.DateField("date", default=timezone.localdate)
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField("texte", blank=True)
    from_status = models.CharField(max_length=100, blank=True)
    to_status = models.CharField(max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["on", "at", "pk"]
        verbose_name = "point d'avancement"

    def __str__(self) -> str:
        return f"{self.on:%d/%m/%Y} — {self.get_kind_display()}"


# --- Referential -------------------------------------------------------------------------


class Referential(models.Model):
    code = models.SlugField("code", max_length=60)
    name = models.CharField("nom", max_length=200)
    version = models.CharField("version", max_length=20)
    description = models.TextField("présentation", blank=True)
    is_example = models.BooleanField("exemple (texte non officiel)", default=False)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "version"]
        verbose_name = "référentiel"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="referential_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Module(models.Model):
    referential = models.ForeignKey(Referential, on_delete=models.CASCADE, related_name="modules")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé", max_length=300)
    mandatory = models.BooleanField("obligatoire", default=False)

    class Meta:
        ordering = ["referential", "number"]
        verbose_name = "module"
        constraints = [
            models.UniqueConstraint(fields=["referential", "number"], name="module_number")
        ]

    def __str__(self) -> str:
        return f"Module {self.number} — {self.title}"


class Commitment(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="commitments")
    ref = models.CharField("repère", max_length=20)
    title = models.CharField("engagement", max_length=300)
    description = models.TextField("description", blank=True)
    expected_evidence = models.JSONField("preuves attendues", default=list, blank=True)
    is_public = models.BooleanField(
        "publié (page « Notre démarche qualité », affiche)",
        default=False,
        help_text="Seul le texte marqué public dans le référentiel importé est publié.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["module__number", "position", "pk"]
        verbose_name = "engagement"
        constraints = [models.UniqueConstraint(fields=["module", "ref"], name="commitment_ref")]

    def __str__(self) -> str:
        return f"{self.ref} — {self.title}"


class SiteScope(models.Model):
    """A module of a referential that a site is committed (or labelled) on."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="quality_scopes")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="scopes")

    class Meta:
        ordering = ["site", "module__number"]
        verbose_name = "périmètre"
        constraints = [models.UniqueConstraint(fields=["site", "module"], name="one_scope")]

    def __str__(self) -> str:
        return f"{self.site} — {self.module}"


# --- Assessments ---------------------------------------------------------------------------


class Assessment(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="assessments")
    referential = models.ForeignKey(Referential, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("type", max_length=30, choices=AssessmentKind.choices)
    planned_on = models.DateField("date")
    status = models.CharField(
        "statut",
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.PLANNED,
    )
    assessor = models.CharField("évaluateur ou organisme", max_length=200, blank=True)
    summary = models.TextField("synthèse", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-planned_on", "pk"]
        verbose_name = "évaluation"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.site.name} — {self.planned_on:%d/%m/%Y}"


class Evidence(models.Model):
    """A proof (file or link), versioned, reusable across assessments."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True)
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    title = models.CharField("intitulé", max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = "preuve"

    def __str__(self) -> str:
        return self.title

    @property
    def current(self) -> EvidenceVersion | None:
        versions = list(self.versions.all())
        return versions[-1] if versions else None


def evidence_path(instance, filename: str) -> str:
    return f"quality/evidence/{instance.evidence.prefecture_id}/{instance.evidence_id}/{filename}"


class EvidenceVersion(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("version")
    file = models.FileField("fichier", upload_to=evidence_path, blank=True)
    url = models.URLField("lien", blank=True)
    note = models.CharField("note", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["evidence", "number"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="evidence_version"),
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url=""), name="evidence_file_or_link"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evidence.title} v{self.number}"

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class CommitmentResult(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    result = models.CharField("résultat", max_length=20, choices=ResultValue.choices, blank=True)
    comment = models.TextField("commentaire", blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="results")

    class Meta:
        ordering = ["commitment__module__number", "commitment__position", "commitment__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "commitment"], name="one_result_per_commitment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment.ref}: {self.get_result_display()}"


class Finding(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("type", max_length=20, choices=FindingKind.choices)
    text = models.TextField("constat")

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = "constat"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.text[:80]}"

    @property
    def prefecture(self):
        return self.assessment.prefecture


# --- SP+ experiences -----------------------------------------------------------------------


class StructureMapping(models.Model):
    """A structure name of the SP+ platform and the site it stands for (kept by the référent)."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    structure = models.CharField("structure (plateforme SP+)", max_length=300)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["structure"]
        verbose_name = "correspondance structure → site"
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "structure"], name="one_structure_map")
        ]

    def __str__(self) -> str:
        return f"{self.structure} → {self.site}"


class Experience(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField("identifiant SP+", max_length=60)
    structure = models.CharField("structure", max_length=300)
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True)
    title = models.CharField("titre", max_length=300)
    description = models.TextField("récit", blank=True)
    feeling = models.CharField("ressenti de l'usager", max_length=60, blank=True)
    published_on = models.DateField("publiée le")
    first_answer_on = models.DateField("première réponse le", null=True, blank=True)
    answer = models.TextField("réponse de la structure", blank=True)
    improvement = models.TextField("amélioration de service à considérer", blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published_on", "pk"]
        verbose_name = "expérience SP+"
        verbose_name_plural = "expériences SP+"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "external_id"], name="one_experience_per_id"
            )
        ]

    def __str__(self) -> str:
        return f"Expérience SP+ {self.external_id}"


# --- The label cycle (issue 22): labels with history, criterion results, trainings -------

from .cycle_enums import CriterionValue, LabelCode, TrainingTopic  # noqa: E402

MODULE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(8)]


class Label(models.Model):
    """A label obtained by a site on a module; a renewal is a new row, never an overwrite."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="labels")
    module = models.PositiveSmallIntegerField("module", validators=MODULE_VALIDATORS)
    label = models.CharField("label", max_length=20, choices=LabelCode.choices)
    obtained_on = models.DateField("obtenu le")
    valid_until = models.DateField("valable jusqu'au")
    audit_body = models.CharField("organisme certificateur", max_length=200, blank=True)
    last_audit_on = models.DateField("dernier audit le", null=True, blank=True)
    next_audit_on = models.DateField("prochain audit le", null=True, blank=True)
    # The référent is mailed once per label row and reason (a renewal is a new row, so it
    # gets its own alerts): expiring within 180 days, renewal audit not planned.
    expiry_alerted_on = models.DateField(
        "alerte d'échéance envoyée le", null=True, blank=True, editable=False
    )
    audit_alerted_on = models.DateField(
        "alerte d'audit non planifié envoyée le", null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__position", "site__name", "module", "-obtained_on", "pk"]
        verbose_name = "label"
        constraints = [
            models.UniqueConstraint(
                fields=["site", "module", "label", "obtained_on"], name="one_label_per_obtention"
            ),
            models.CheckConstraint(
                condition=models.Q(module__gte=1, module__lte=8), name="label_module_1_to_8"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("obtained_on")),
                name="label_valid_after_obtained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_label_display()} — {self.site.name} — module {self.module}"


class CriterionResult(models.Model):
    """One criterion of a self-assessment (SP+ diagnostic): oui, partiel, non or sans objet."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="criteria")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    criterion = models.CharField("critère", max_length=200)
    result = models.CharField("résultat", max_length=20, choices=CriterionValue.choices)

    class Meta:
        ordering = ["commitment__module__number", "commitment__position", "pk"]
        verbose_name = "résultat par critère"
        verbose_name_plural = "résultats par critère"
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "commitment", "criterion"], name="one_result_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment.ref} — {self.criterion}: {self.get_result_display()}"


class TrainingSession(models.Model):
    """A training session given to a service's staff (hours per participant)."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    date = models.DateField("date")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    topic = models.CharField("thème", max_length=30, choices=TrainingTopic.choices)
    title = models.CharField("intitulé", max_length=300)
    hours = models.DecimalField("durée (heures)", max_digits=6, decimal_places=2)
    participants = models.PositiveIntegerField("participants", validators=[MinValueValidator(1)])
    trainer = models.CharField("formateur", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = "session de formation"
        verbose_name_plural = "sessions de formation"
        # No uniqueness: the same training given twice the same day (two groups) is two
        # sessions; the import adds only the lines it does not hold yet.
        indexes = [models.Index(fields=["prefecture", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(participants__gte=1), name="training_participants_at_least_1"
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.title}"


class ServiceScope(models.Model):
    """A service of a site within a module's scope (e.g. the titles centre in module 2);
    for module 2 (titles), the service names its fraud referent."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="quality_scopes")
    module = models.PositiveSmallIntegerField("module", validators=MODULE_VALIDATORS)
    fraud_referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="référent fraude",
    )

    class Meta:
        ordering = ["service__site__position", "service__name", "module"]
        verbose_name = "périmètre d'un service"
        verbose_name_plural = "périmètres des services"
        constraints = [
            models.UniqueConstraint(fields=["service", "module"], name="one_service_scope"),
            models.CheckConstraint(
                condition=models.Q(module__gte=1, module__lte=8), name="service_scope_module_1_to_8"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} — module {self.module}"


class TrainingPlanItem(models.Model):
    """A training the year's plan asks for a service (coverage: a session of that topic)."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("année")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField("thème", max_length=30, choices=TrainingTopic.choices)
    participants = models.PositiveIntegerField("participants prévus", null=True, blank=True)

    class Meta:
        ordering = ["year", "service__site__position", "service__name", "topic"]
        verbose_name = "formation prévue"
        verbose_name_plural = "plan de formation"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "service", "topic"], name="one_training_plan_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} — {self.service} — {self.get_topic_display()}"
