"""Questionnaires, campaigns, anonymous answers, comments and mystery checks.

Answers never record who answered: a response holds its campaign, service, channel,
language and day, nothing else (no IP, no session key, no time of day).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from engagements.organisation.models import Prefecture, Service, Site

from .enums import (
    SCALE_POINTS,
    CampaignKind,
    Channel,
    CheckKind,
    CheckStatus,
    CommentStatus,
    Criterion,
    QuestionKind,
)


def new_token() -> str:
    # 8 characters of an unambiguous alphabet: short enough to type from a poster.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Questionnaire(models.Model):
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="questionnaires"
    )
    name = models.CharField("nom", max_length=200)
    extra_languages = models.JSONField(
        "langues supplémentaires",
        default=list,
        blank=True,
        help_text="Codes de langue (ex. de, es, ar) en plus du français et de l'anglais.",
    )
    # {"de": {"heading": "…", "submit": "…", "scale_1": "…"}}: see surveys/translations.py.
    interface_translations = models.JSONField(
        "traductions de l'interface", default=dict, blank=True
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["prefecture", "name"]
        verbose_name = "questionnaire"

    def __str__(self) -> str:
        return self.name

    @property
    def languages(self) -> list[str]:
        return ["fr", "en", *[lang for lang in self.extra_languages if lang not in ("fr", "en")]]

    def has_answers(self) -> bool:
        return Response.objects.filter(campaign__questionnaire=self).exists()


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    code = models.SlugField("code", max_length=40)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    kind = models.CharField("type", max_length=10, choices=QuestionKind.choices)
    criterion = models.CharField("critère", max_length=20, choices=Criterion.choices, blank=True)
    text = models.CharField("intitulé (français)", max_length=300)
    choices = models.JSONField("choix (français)", default=list, blank=True)
    not_concerned = models.BooleanField(
        "proposer « Non concerné »",
        default=False,
        help_text="Une réponse « Non concerné » est écartée des taux, comme une absence de "
        "réponse.",
    )
    # {"en": {"text": "…", "choices": ["…"]}, "de": {…}}
    translations = models.JSONField("traductions", default=dict, blank=True)

    class Meta:
        ordering = ["questionnaire", "position", "pk"]
        verbose_name = "question"
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "code"], name="question_code_per_questionnaire"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.text}"

    def clean(self) -> None:
        if self.kind in SCALE_POINTS and not self.criterion:
            raise ValidationError({"criterion": "Une question fermée doit porter un critère."})
        if self.kind == QuestionKind.CHOICE and len(self.choices or []) < 2:
            raise ValidationError({"choices": "Indiquez au moins deux choix."})

    @property
    def scale(self) -> int | None:
        """Number of points of a scored question (None when not scored)."""
        return SCALE_POINTS.get(self.kind)

    @property
    def is_scored(self) -> bool:
        return self.kind in SCALE_POINTS

    def text_in(self, language: str) -> str:
        return (self.translations.get(language) or {}).get("text") or self.text

    def choices_in(self, language: str) -> list[str]:
        translated = (self.translations.get(language) or {}).get("choices") or []
        return translated if len(translated) == len(self.choices) else list(self.choices)


class Campaign(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="campaigns")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="survey_campaigns")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="campaigns"
    )
    kind = models.CharField(
        "type", max_length=12, choices=CampaignKind.choices, default=CampaignKind.CAMPAIGN
    )
    name = models.CharField("nom", max_length=200)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin", null=True, blank=True, help_text="Vide : permanent.")
    services = models.ManyToManyField(Service, related_name="survey_campaigns", blank=True)
    token = models.SlugField("code court", max_length=12, unique=True, default=new_token)
    kiosk_idle_seconds = models.PositiveSmallIntegerField(
        "retour à l'accueil de la tablette après (secondes)",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(900)],
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "site"]
        verbose_name = "campagne"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "La fin doit suivre le début."})
        if self.site_id and self.prefecture_id and self.site.prefecture_id != self.prefecture_id:
            raise ValidationError({"site": "Ce site n'appartient pas à la préfecture."})

    def counted_on(self, day=None):
        """The day an answer typed in or imported on `day` (today) counts on: that day, or
        the campaign's last day when typed after it (coupons come back from the urns after
        the campaign ends; typed in January, they still belong to the campaign's year)."""
        day = day or timezone.localdate()
        return min(day, self.ends_on) if self.ends_on else day

    def is_open(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    def public_channel(self, requested: str) -> str:
        """The channel an online answer counts under: stars and end-of-call have their own."""
        if self.kind == CampaignKind.STARS:
            return Channel.STARS
        if self.kind == CampaignKind.END_OF_CALL:
            return Channel.END_OF_CALL
        return requested

    @property
    def serial_prefix(self) -> str:
        return f"{self.pk}-"


class Response(models.Model):
    """One person's answers to one campaign — anonymous by construction."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="survey_responses", null=True, blank=True
    )
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)
    language = models.CharField("langue", max_length=10, default="fr")
    answered_on = models.DateField("jour de réponse", default=timezone.localdate)
    serial = models.CharField("numéro du coupon", max_length=20, blank=True)

    class Meta:
        ordering = ["-answered_on", "-pk"]
        verbose_name = "réponse"
        constraints = [
            # The last line of defence against a paper coupon typed twice.
            models.UniqueConstraint(
                fields=["campaign", "serial"],
                condition=~models.Q(serial=""),
                name="one_entry_per_coupon",
            )
        ]

    def __str__(self) -> str:
        return f"Réponse {self.pk} ({self.get_channel_display()})"


class AnswerImport(models.Model):
    """A file of answers imported into a campaign, by its content: imported lines have no
    key (two coupons may carry the same answers), so this is what stops the same file, or
    its first lines, being counted a second time (`services.import_answers`)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    # SHA-256 of the lines as read (channel, service, values, comments), not of the bytes:
    # the same answers saved again by a spreadsheet (separator, encoding) are the same file.
    content_sha256 = models.CharField("empreinte", max_length=64)
    lines = models.PositiveIntegerField("lignes")
    file_name = models.CharField("fichier", max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField("importé le", auto_now_add=True)

    class Meta:
        ordering = ["imported_at", "pk"]
        verbose_name = "import de réponses"
        constraints = [
            # The last line of defence against two imports of one file at once.
            models.UniqueConstraint(
                fields=["campaign", "content_sha256"], name="one_import_per_answers_file"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name or 'import'} ({self.lines} lignes)"


class Answer(models.Model):
    """A value given to a closed question; a blank answer has no row."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField("valeur")

    class Meta:
        verbose_name = "réponse à une question"
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            ),
            # 0 is "not concerned" (questions offering it), 1..n a point of the scale.
            models.CheckConstraint(condition=models.Q(value__gte=0), name="answer_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} = {self.value}"


class Comment(models.Model):
    """Free text, hidden from everyone but reviewers until an agent has read it."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    text = models.TextField("commentaire")
    status = models.CharField(
        "statut", max_length=10, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    flags = models.JSONField("données personnelles détectées", default=list, blank=True)
    tags = models.JSONField("thèmes", default=list, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "commentaire"

    def __str__(self) -> str:
        return self.text[:60]


class CommentLog(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="log")
    from_status = models.CharField(max_length=10, choices=CommentStatus.choices)
    to_status = models.CharField(max_length=10, choices=CommentStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Invitation(models.Model):
    """A single-use link sent after an appointment; the address is not kept."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=43, unique=True, default=secrets.token_urlsafe)
    language = models.CharField(max_length=10, default="fr")
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]

    # Mystery checks ------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"Invitation {self.pk}"


class Grid(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="grids")
    kind = models.CharField("type", max_length=10, choices=CheckKind.choices)
    name = models.CharField("nom", max_length=200)

    class Meta:
        ordering = ["prefecture", "kind", "name"]
        verbose_name = "grille de contrôle"

    def __str__(self) -> str:
        return self.name


class GridCriterion(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField("critère", max_length=300)
    weight = models.PositiveSmallIntegerField(
        "poids", default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        ordering = ["grid", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class MysteryCheck(models.Model):
    """One contact (call, e-mail, visit) made to a service, possibly by another prefecture.

    `prefecture` owns the check and its results (the checked one); `checker_prefecture`
    performs it: its agents reach the check only through this assignment.
    """

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="mystery_checks"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="mystery_checks")
    grid = models.ForeignKey(Grid, on_delete=models.PROTECT, related_name="checks")
    checker_prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="assigned_checks"
    )
    planned_on = models.DateField("prévu le")
    status = models.CharField(
        "statut", max_length=10, choices=CheckStatus.choices, default=CheckStatus.PLANNED
    )
    performed_at = models.DateTimeField("réalisé le", null=True, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.DecimalField("score (%)", max_digits=5, decimal_places=1, null=True)

    class Meta:
        ordering = ["-planned_on", "pk"]
        verbose_name = "contrôle mystère"

    def __str__(self) -> str:
        return f"{self.grid.get_kind_display()} — {self.service} — {self.planned_on:%d/%m/%Y}"

    @property
    def is_crossed(self) -> bool:
        return self.prefecture_id != self.checker_prefecture_id


class CheckResult(models.Model):
    check_run = models.ForeignKey(MysteryCheck, on_delete=models.CASCADE, related_name="results")
    criterion = models.ForeignKey(GridCriterion, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField("satisfait", null=True)
    note = models.CharField("observation", max_length=500, blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["check_run", "criterion"], name="one_result_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.passed}"


class CheckLog(models.Model):
    check_run = models.ForeignKey(MysteryCheck, on_delete=models.CASCADE, related_name="log")
    from_status = models.CharField(max_length=10, choices=CheckStatus.choices)
    to_status = models.CharField(max_length=10, choices=CheckStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ChangeLog(models.Model):
    """Who changed what in the surveys' set-up (questions, languages, copies, campaigns,
    follow-up actions): every service taking an actor writes one row."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField("modification", max_length=300)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "journal des modifications"

    def __str__(self) -> str:
        return self.action
