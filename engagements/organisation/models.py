"""Prefectures (tenants), sites, services, hours, closures, targets and roles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from .enums import (
    DEFAULT_TARGETS,
    REFERENTIAL_MODULES,
    SUBDIVISION_CHOICES,
    Channel,
    HoursChannel,
    Indicator,
    PlatformKind,
    RoleKind,
    SiteKind,
    Weekday,
)

DEADLINE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(60)]


class Prefecture(models.Model):
    slug = models.SlugField("identifiant", unique=True, max_length=60)
    name = models.CharField("nom", max_length=200)
    department_code = models.CharField("code du département", max_length=3)
    department_name = models.CharField("département", max_length=100)
    holiday_subdivision = models.CharField(
        "jours fériés applicables",
        max_length=10,
        choices=SUBDIVISION_CHOICES,
        default="metropole",
    )
    street = models.CharField("adresse", max_length=200)
    postal_code = models.CharField("code postal", max_length=10)
    city = models.CharField("commune", max_length=100)
    phone = models.CharField("téléphone", max_length=30)
    email = models.EmailField("courriel de contact", blank=True)
    website = models.URLField("site internet")
    # Response deadlines in working days, per channel (docs/indicators.md).
    deadline_email = models.PositiveSmallIntegerField(
        "délai courriel (jours ouvrés)", default=5, validators=DEADLINE_VALIDATORS
    )
    deadline_letter = models.PositiveSmallIntegerField(
        "délai courrier (jours ouvrés)", default=10, validators=DEADLINE_VALIDATORS
    )
    deadline_box = models.PositiveSmallIntegerField(
        "délai urne (jours ouvrés)", default=10, validators=DEADLINE_VALIDATORS
    )
    deadline_web_form = models.PositiveSmallIntegerField(
        "délai formulaire en ligne (jours ouvrés)", default=5, validators=DEADLINE_VALIDATORS
    )
    deadline_sp_plus = models.PositiveSmallIntegerField(
        "délai plateforme SP+ (jours ouvrés)", default=5, validators=DEADLINE_VALIDATORS
    )
    deadline_social = models.PositiveSmallIntegerField(
        "délai réseaux sociaux (jours ouvrés)", default=5, validators=DEADLINE_VALIDATORS
    )
    # Optional deadline by kind (docs/indicators.md): a complaint is then due on the earlier
    # of its channel's and this one. Empty: the channel's deadline alone (the default).
    deadline_complaint = models.PositiveSmallIntegerField(
        "délai des réclamations, tous canaux (jours ouvrés)",
        null=True,
        blank=True,
        validators=DEADLINE_VALIDATORS,
        help_text="Facultatif : une réclamation est alors due à la plus proche des deux "
        "échéances, celle de son canal et celle-ci.",
    )
    plain_language_glossary = models.TextField(
        "glossaire des sigles (langage clair)",
        blank=True,
        help_text="Un sigle par ligne : « DDETS = Direction départementale de l'emploi, du "
        "travail et des solidarités ». Il s'ajoute au glossaire national (ANEF, ANTS, CERT, "
        "PAN, SP+…).",
    )
    is_published = models.BooleanField("visible sur le site public", default=True)
    publish_ongoing_periods = models.BooleanField(
        "publier une période en cours, marquée « provisoire »",
        default=True,
        help_text="Sinon, seules les périodes terminées se publient.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = "préfecture"

    def __str__(self) -> str:
        return self.name

    def deadline_for(self, channel: str) -> int:
        """Response deadline in working days for a channel."""
        return getattr(self, f"deadline_{Channel(channel).value}")

    def kind_deadline_for(self, kind: str | None) -> int | None:
        """The prefecture's deadline for a kind of request (complaints only), or None when
        it has none (the channel's deadline alone applies)."""
        return self.deadline_complaint if kind == "complaint" else None

    def targets_for(self, year: int, site: Site | None = None) -> dict[str, float]:
        """Every indicator's target for a year (defaults where none is set), in one query;
        with a site, that site's overrides where set (docs/indicators.md, Targets)."""
        values = {ind.value: float(value) for ind, value in DEFAULT_TARGETS.items()}
        rows = self.targets.filter(year=year)
        rows = (
            rows.filter(models.Q(site__isnull=True) | models.Q(site=site))
            if site
            else (rows.filter(site__isnull=True))
        )
        # Prefecture rows first, then the site's, which override them.
        for indicator, value, _ in sorted(
            rows.values_list("indicator", "value", "site_id"), key=lambda row: row[2] is not None
        ):
            values[indicator] = float(value)
        return values

    def target_for(self, year: int, indicator: str, site: Site | None = None) -> float | None:
        """The yearly target of an indicator (a site's override if set), or its default
        (None for an indicator without a default and no target set)."""
        return self.targets_for(year, site).get(Indicator(indicator).value)

    @property
    def postal_address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


class Site(models.Model):
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="sites")
    slug = models.SlugField("identifiant", max_length=60)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type de site", max_length=20, choices=SiteKind.choices)
    street = models.CharField("adresse", max_length=200)
    postal_code = models.CharField("code postal", max_length=10)
    city = models.CharField("commune", max_length=100)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)
    access_info = models.TextField("accès (transports, stationnement)", blank=True)
    accessibility_info = models.TextField("accessibilité (mobilité réduite, surdité…)", blank=True)
    labelled_modules = models.JSONField(
        "modules du référentiel labellisés",
        default=list,
        blank=True,
        help_text="Numéros des modules Qual-e-pref sur lesquels le site est labellisé.",
    )
    position = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    is_active = models.BooleanField("actif", default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["prefecture", "position", "name"]
        verbose_name = "site"
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "slug"], name="site_slug_per_prefecture")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        modules = self.labelled_modules or []
        if not isinstance(modules, list) or any(m not in REFERENTIAL_MODULES for m in modules):
            raise ValidationError(
                {"labelled_modules": "Les modules doivent être des numéros entre 1 et 8."}
            )

    @property
    def postal_address(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"

    @property
    def module_labels(self) -> list[str]:
        return [REFERENTIAL_MODULES[m] for m in sorted(self.labelled_modules or [])]


class Service(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField("identifiant", max_length=60)
    name = models.CharField("nom", max_length=200)
    description = models.TextField("présentation au public", blank=True)
    email = models.EmailField("courriel de contact", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    name_with_article = models.CharField(
        "nom avec son article",
        max_length=220,
        blank=True,
        help_text="Tel qu'il se lit dans une phrase : « le bureau du séjour », « la mission "
        "qualité », « l'accueil général ». Vide : déduit du nom.",
    )
    is_active = models.BooleanField("actif", default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "name"]
        verbose_name = "service"
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="service_slug_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site.name})"

    @property
    def prefecture_id(self) -> int:
        return self.site.prefecture_id

    @property
    def with_article(self) -> str:
        """The name as it reads in a sentence: "Il est traité par le bureau du séjour"."""
        if self.name_with_article.strip():
            return self.name_with_article.strip()
        return name_with_article(self.name)


# Usual first words of a service's name and their article (for name_with_article()).
_MASCULINE = {"bureau", "service", "pôle", "centre", "point", "guichet", "secrétariat"}
_FEMININE = {"mission", "cellule", "direction", "plateforme", "plate-forme", "section"}


def name_with_article(name: str) -> str:
    """ "Bureau du séjour" → "le bureau du séjour"; unknown shapes: "le service « X »"."""
    name = name.strip()
    first = name.split(" ", 1)[0].lower()
    lowered = name[0].lower() + name[1:] if name else name
    if first in _MASCULINE:
        return f"le {lowered}"
    if first in _FEMININE:
        return f"la {lowered}"
    if first[:1] in "aeéèiouh" and first in {"accueil", "antenne", "espace", "unité"}:
        return f"l'{lowered}"
    return f"le service « {name} »"


class DayHours(models.Model):
    """Hours of one weekday, with an optional midday break (a site's channel, a telephone
    platform)."""

    weekday = models.PositiveSmallIntegerField("jour", choices=Weekday.choices)
    opens_at = models.TimeField("ouverture")
    closes_at = models.TimeField("fermeture (ou début de la pause)")
    reopens_at = models.TimeField("reprise après la pause", null=True, blank=True)
    closes_again_at = models.TimeField("fermeture de l'après-midi", null=True, blank=True)

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError("L'heure de fermeture doit suivre l'heure d'ouverture.")
        if bool(self.reopens_at) != bool(self.closes_again_at):
            raise ValidationError(
                "Indiquez à la fois la reprise et la fermeture de l'après-midi, ou aucune."
            )
        if self.reopens_at and not (self.closes_at < self.reopens_at < self.closes_again_at):
            raise ValidationError(
                "La reprise doit suivre la pause et précéder la fermeture de l'après-midi."
            )

    @property
    def ranges(self) -> list[tuple]:
        ranges = [(self.opens_at, self.closes_at)]
        if self.reopens_at and self.closes_again_at:
            ranges.append((self.reopens_at, self.closes_again_at))
        return ranges


class OpeningHours(DayHours):
    """Hours of one weekday for one channel, with an optional midday break."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours")
    channel = models.CharField("canal", max_length=20, choices=HoursChannel.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "channel", "weekday"]
        verbose_name = "horaires d'ouverture"
        verbose_name_plural = "horaires d'ouverture"
        constraints = [
            models.UniqueConstraint(
                fields=["site", "channel", "weekday"], name="one_hours_row_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")), name="hours_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} — {self.get_channel_display()} — {self.get_weekday_display()}"


class TelephonePlatform(models.Model):
    """One of a site's telephone platforms (switchboard, voice server, a line of its own):
    its published hours and the queue_log queue its calls arrive in (docs/indicators.md,
    lost calls)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="telephone_platforms")
    kind = models.CharField("type de plateforme", max_length=20, choices=PlatformKind.choices)
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant", max_length=60)
    queue = models.CharField(
        "file d'attente (queue_log)",
        max_length=100,
        help_text="Le nom de la file dans le journal de l'autocommutateur (queue_log).",
    )
    phone = models.CharField("numéro publié", max_length=30, blank=True)
    position = models.PositiveSmallIntegerField("ordre d'affichage", default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["site", "position", "name"]
        verbose_name = "plateforme téléphonique"
        verbose_name_plural = "plateformes téléphoniques"
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="platform_slug_per_site"),
            models.UniqueConstraint(fields=["site", "queue"], name="platform_queue_per_site"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site.name})"


class PlatformHours(DayHours):
    """A telephone platform's published hours of one weekday."""

    platform = models.ForeignKey(TelephonePlatform, on_delete=models.CASCADE, related_name="hours")
    history = HistoricalRecords()

    class Meta:
        ordering = ["platform", "weekday"]
        verbose_name = "horaires d'une plateforme téléphonique"
        verbose_name_plural = "horaires des plateformes téléphoniques"
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "weekday"], name="one_platform_hours_per_day"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__lt=models.F("closes_at")),
                name="platform_hours_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform} — {self.get_weekday_display()}"


class Closure(models.Model):
    """A day a whole prefecture (site empty) or one site is closed, on top of holidays."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="closures")
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="closures",
        null=True,
        blank=True,
        help_text="Laisser vide pour fermer tous les sites de la préfecture.",
    )
    date = models.DateField("date")
    label = models.CharField("motif", max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = "fermeture exceptionnelle"
        verbose_name_plural = "fermetures exceptionnelles"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "site", "date"],
                name="one_closure_per_day",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.label}"


class Target(models.Model):
    """A yearly target of an indicator for a prefecture, or a site's override of it."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="targets")
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="targets",
        null=True,
        blank=True,
        help_text="Laisser vide pour la cible de la préfecture ; un site peut la remplacer.",
    )
    year = models.PositiveSmallIntegerField("année")
    indicator = models.CharField("indicateur", max_length=60, choices=Indicator.choices)
    value = models.DecimalField("valeur cible", max_digits=6, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "indicator"]
        verbose_name = "valeur cible"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "year", "indicator"],
                condition=models.Q(site__isnull=True),
                name="one_target_per_year",
            ),
            models.UniqueConstraint(
                fields=["site", "year", "indicator"],
                condition=models.Q(site__isnull=False),
                name="one_site_target_per_year",
            ),
        ]

    def __str__(self) -> str:
        where = f" ({self.site.name})" if self.site_id else ""
        return f"{self.get_indicator_display()} {self.year}{where} : {self.value}"


class ReferenceCounter(models.Model):
    """The last number given per prefecture, numbering scope and year.

    Written only by `engagements.organisation.references`, which locks the row so the
    numbers stay gapless (see there)."""

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de références"
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "scope", "year"], name="one_reference_counter_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.year}: {self.last}"


class Role(models.Model):
    """What a staff account may do, and where. A user may hold several roles."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    kind = models.CharField("rôle", max_length=30, choices=RoleKind.choices)
    prefecture = models.ForeignKey(
        Prefecture,
        on_delete=models.CASCADE,
        related_name="roles",
        null=True,
        blank=True,
        help_text="Vide pour l'administrateur national (toutes les préfectures).",
    )
    sites = models.ManyToManyField(Site, blank=True, related_name="roles")
    services = models.ManyToManyField(Service, blank=True, related_name="roles")
    title = models.CharField("fonction (bloc de signature)", max_length=200, blank=True)
    history = HistoricalRecords(m2m_fields=[sites, services])

    class Meta:
        verbose_name = "rôle"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=RoleKind.NATIONAL_ADMIN, prefecture__isnull=True)
                | (~models.Q(kind=RoleKind.NATIONAL_ADMIN) & models.Q(prefecture__isnull=False)),
                name="role_prefecture_matches_kind",
            )
        ]

    def __str__(self) -> str:
        where = self.prefecture.name if self.prefecture_id else "toutes les préfectures"
        return f"{self.get_kind_display()} — {where}"


class ImportUpload(models.Model):
    """A file uploaded on the "Imports" page, kept between its preview and its confirmation.

    In the database (not one server's memory or disk): the confirmation may reach another
    app server. Deleted once confirmed or cancelled; the daily housekeeping removes those
    left behind (`services.purge_import_uploads`)."""

    token = models.UUIDField(primary_key=True)
    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    data = models.BinaryField()
    options = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "fichier en attente d'import"

    def __str__(self) -> str:
        return self.file_name


class ImportRun(models.Model):
    """One import tried on the "Imports" page or run from the command line (no user then):
    who, what, when and how it ended."""

    class Result(models.TextChoices):
        DONE = "done", "Importé"
        REFUSED = "refused", "Refusé"

    class Source(models.TextChoices):
        PAGE = "page", "Page « Imports »"
        COMMAND = "command", "Ligne de commande"

    prefecture = models.ForeignKey(Prefecture, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField("type d'import", max_length=40)
    kind_label = models.CharField("type d'import", max_length=200)
    file_name = models.CharField("fichier", max_length=255)
    rows = models.PositiveIntegerField("lignes", default=0)
    result = models.CharField("résultat", max_length=10, choices=Result.choices)
    summary = models.TextField("détail", blank=True)
    options = models.JSONField("précisions", default=dict, blank=True)  # e.g. {"site": slug}
    source = models.CharField("origine", max_length=10, choices=Source.choices, default=Source.PAGE)
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "import"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind_label} — {self.file_name}"


class RightsRequest(models.Model):
    """A person's request to see (art. 15) or erase (art. 17) what the prefecture holds
    about her, as the agents handled it on the "Données personnelles" page. Keeps no e-mail
    address nor phone, only a keyed hash of them (two requests of one person tell apart);
    deleted RIGHTS_REQUEST_RETENTION_YEARS after it was received (daily housekeeping)."""

    class Kind(models.TextChoices):
        ACCESS = "access", "Accès à ses données"
        ERASURE = "erasure", "Effacement"

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.CASCADE, related_name="rights_requests"
    )
    kind = models.CharField("demande", max_length=10, choices=Kind.choices)
    person_hash = models.CharField(max_length=64)
    received_on = models.DateField("reçue le")
    # Art. 12.3: one month from receipt (extendable by two months, told to the person).
    answer_due = models.DateField("réponse due le")
    # The extension (art. 12.3): decided within the first month, with its reasons told to
    # the person; `due` is then the extended date.
    extended_until = models.DateField("délai prolongé jusqu'au", null=True, blank=True)
    extension_reason = models.TextField("motif de la prolongation", blank=True)
    extended_at = models.DateTimeField("prolongée le", null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="prolongée par",
    )
    done_at = models.DateTimeField("traitée le", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="traitée par",
    )
    # {area label: records handed over or erased}; `left`: {area label: records left}.
    counts = models.JSONField("enregistrements", default=dict, blank=True)
    left = models.JSONField("enregistrements laissés", default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "demande d'exercice de droits"
        verbose_name_plural = "demandes d'exercice de droits"
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["prefecture", "-received_on"], name="org_rights_recv_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.received_on:%d/%m/%Y}"

    @property
    def due(self):
        """When the answer is due: the extended date if the deadline was extended."""
        return self.extended_until or self.answer_due
