"""Question–answer pairs per prefecture, site and service; votes and unanswered searches."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from simple_history.models import HistoricalRecords

from engagements.organisation.models import Prefecture, Service, Site
from engagements.shell.content_language import Localised, localise

from .text import normalise

LANGUAGES = [("fr", "français"), ("en", "anglais")]


class Entry(models.Model):
    """One question and its answer, in one language."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="faq")
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="faq"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="faq"
    )
    language = models.CharField("langue", max_length=5, choices=LANGUAGES, default="fr")
    question = models.CharField("question", max_length=300)
    answer = models.TextField("réponse")
    # {"uk": {"question": "…", "answer": "…"}, …}: a French entry in the public flows' other
    # languages (an English entry is an entry of its own); engagements/shell/content_language.py.
    translations = models.JSONField("traductions", default=dict, blank=True)
    tags = models.CharField(
        "mots-clés", max_length=300, blank=True, help_text="Séparés par des virgules."
    )
    is_published = models.BooleanField("publiée", default=True)
    reviewed_on = models.DateField("dernière relecture")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="relue par",
    )
    # Set when the "à relire" reminder was mailed; cleared by the next review (no duplicates).
    reminded_on = models.DateField("relance envoyée le", null=True, blank=True)
    helpful_yes = models.PositiveIntegerField("réponses utiles", default=0)
    helpful_no = models.PositiveIntegerField("réponses inutiles", default=0)
    # Accent-free, case-folded text of question, answer and tags (trigram index, SQLite search).
    search_text = models.TextField(editable=False, default="")
    # Full-text vector, kept by a PostgreSQL trigger (see migration 0002); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["search_text", "search_vector"])

    class Meta:
        ordering = ["question"]
        verbose_name = "question fréquente"
        verbose_name_plural = "questions fréquentes"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "site", "service", "language", "question"],
                name="faq_question_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["prefecture", "language", "is_published"])]

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs):
        translated = "\n".join(
            text
            for entry in (self.translations or {}).values()
            if isinstance(entry, dict)
            for text in entry.values()
            if isinstance(text, str)
        )
        self.search_text = normalise(f"{self.question}\n{self.answer}\n{self.tags}\n{translated}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def shown(self, field: str, language: str | None = None) -> Localised:
        """`field` as the page shows it: the page's language where it is written, the
        entry's own language otherwise (French, marked on a page in another language)."""
        if self.language != "fr":
            return Localised(getattr(self, field), self.language)
        return localise(self.translations, field, getattr(self, field), language)

    @property
    def shown_question(self) -> Localised:
        return self.shown("question")

    @property
    def shown_answer(self) -> Localised:
        return self.shown("answer")

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class SearchMiss(models.Model):
    """A search of the public FAQ that found nothing: a candidate question for the service."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="faq_misses")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, null=True, blank=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)
    language = models.CharField("langue", max_length=5, choices=LANGUAGES, default="fr")
    query = models.CharField("recherche", max_length=200)
    count = models.PositiveIntegerField("nombre de recherches", default=1)
    first_at = models.DateTimeField("première recherche", auto_now_add=True)
    last_at = models.DateTimeField("dernière recherche", auto_now=True)
    dismissed = models.BooleanField("écartée", default=False)

    class Meta:
        ordering = ["-count", "-last_at"]
        verbose_name = "recherche sans réponse"
        verbose_name_plural = "recherches sans réponse"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "service", "language", "query"],
                name="faq_miss_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return self.query


class ProcedureSheet(models.Model):
    """An internal procedure sheet of a service (the agents' documentation base): never
    public. Each saved text is kept as a version; it is due for review on `review_on`."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="procedure_sheets"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="procedure_sheets", verbose_name="service"
    )
    title = models.CharField("titre", max_length=300)
    body = models.TextField("procédure")
    tags = models.CharField(
        "mots-clés", max_length=300, blank=True, help_text="Séparés par des virgules."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="responsable de la fiche",
    )
    version = models.PositiveIntegerField("version", default=1)
    review_on = models.DateField("à relire le")
    reviewed_on = models.DateField("dernière relecture")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="relue par",
    )
    # Set when the "à relire" reminder was mailed; cleared by the next review (no duplicates).
    reminded_on = models.DateField("relance envoyée le", null=True, blank=True)
    # Same search machinery as the FAQ's entries (migration 0003: trigger and indexes).
    search_text = models.TextField(editable=False, default="")
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = "fiche de procédure"
        verbose_name_plural = "fiches de procédure"
        constraints = [
            models.UniqueConstraint(fields=["service", "title"], name="sheet_title_per_service")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = normalise(f"{self.title}\n{self.body}\n{self.tags}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class ProcedureSheetVersion(models.Model):
    """A version of a procedure sheet as it was saved (never changed)."""

    sheet = models.ForeignKey(ProcedureSheet, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("version")
    title = models.CharField("titre", max_length=300)
    body = models.TextField("procédure")
    note = models.CharField("ce qui change", max_length=300, blank=True)
    saved_at = models.DateTimeField("enregistrée le", auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["sheet", "-number"]
        verbose_name = "version d'une fiche de procédure"
        constraints = [
            models.UniqueConstraint(fields=["sheet", "number"], name="one_sheet_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.sheet} v{self.number}"
