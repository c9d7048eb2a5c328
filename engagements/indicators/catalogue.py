"""The built-in catalogue: the stable codes of docs/indicators.md with their methodology."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from engagements.organisation.enums import Indicator as TargetIndicator

from .enums import Family, Unit


@dataclass(frozen=True)
class Entry:
    code: str
    name_fr: str
    name_en: str
    family: str
    unit: str
    definition: str
    numerator: str
    denominator: str
    exclusions: str
    source: str
    frequency: str = _("mensuelle")
    target_key: str | None = None  # the organisation Target this indicator is compared with
    lower_is_better: bool = False

    @property
    def kind(self) -> str:
        """'rate', 'delay' or 'count' (how values are rounded and targets compared)."""
        if self.unit == Unit.PERCENT or self.unit == Unit.POINTS:
            return "rate"
        if self.unit == Unit.DAYS:
            return "delay"
        return "count"


CATALOGUE: tuple[Entry, ...] = (
    Entry(
        "correspondence_on_time_rate",
        "Réponses aux courriers et courriels dans les délais",
        "Letters and e-mails answered on time",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des messages répondus dans le délai de leur canal (jours ouvrés)."),
        _("Messages répondus dans le délai."),
        _("Messages répondus et messages en retard (non répondus, échéance passée)."),
        _(
            "Messages en attente dont l'échéance n'est pas passée ; messages clos sans réponse "
            "(doublon, indésirable, retiré)."
        ),
        _("Registre des courriers et courriels."),
        target_key=TargetIndicator.CORRESPONDENCE_RATE,
    ),
    Entry(
        "correspondence_average_delay",
        "Délai moyen de réponse",
        "Average response time",
        Family.PERFORMANCE,
        Unit.DAYS,
        _("Moyenne du délai de réponse, en jours ouvrés, des messages répondus."),
        _("Somme des délais des messages répondus."),
        _("Nombre de messages répondus."),
        _("Messages non répondus ; messages clos sans réponse."),
        _("Registre des courriers et courriels."),
        target_key=TargetIndicator.CORRESPONDENCE_DELAY,
        lower_is_better=True,
    ),
    Entry(
        "calls_answered_rate",
        "Appels aboutis",
        "Calls answered",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des appels présentés à l'accueil téléphonique qui ont été décrochés."),
        _("Appels décrochés."),
        _("Appels présentés (entrés dans la file d'attente, à toute heure)."),
        _("Appels arrivés file fermée (aucun agent connecté) : comptés à part."),
        _("Journal de l'autocommutateur (queue_log) ou fichier horaire."),
        target_key=TargetIndicator.CALLS_ANSWERED,
    ),
    Entry(
        "calls_answered_within_5_rings_rate",
        "Appels décrochés en 5 sonneries au plus",
        "Calls answered within 5 rings",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des appels décrochés après une attente de 25 secondes au plus."),
        _("Appels décrochés en 25 secondes au plus."),
        _("Appels décrochés (quand l'attente est connue)."),
        _("Heures dont le fichier ne donne pas l'attente."),
        _("Journal de l'autocommutateur (queue_log) ou fichier horaire."),
    ),
    Entry(
        "website_updates_on_time_rate",
        "Mises à jour du site internet dans les 3 jours ouvrés",
        "Website updates within 3 working days",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des demandes de mise à jour publiées dans les 3 jours ouvrés."),
        _("Demandes publiées dans les 3 jours ouvrés."),
        _("Demandes publiées et demandes en retard."),
        _("Demandes non publiées dont l'échéance n'est pas passée."),
        _("Suivi des demandes au webmestre."),
        target_key=TargetIndicator.WEBSITE_ON_TIME,
    ),
    Entry(
        "reception_visits",
        "Visiteurs à l'accueil",
        "Visitors at the reception desk",
        Family.PERFORMANCE,
        Unit.COUNT,
        _("Nombre de visiteurs enregistrés à l'accueil sur la période."),
        _("Visiteurs enregistrés (arrivées à l'accueil ou comptages importés)."),
        _("—"),
        _("Aucune."),
        _("Écran de l'accueil et comptages importés."),
    ),
    Entry(
        "reception_served_within_15_min_rate",
        "Visiteurs reçus en 15 minutes au plus",
        "Visitors served within 15 minutes",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des visiteurs pris en charge 15 minutes au plus après leur arrivée."),
        _("Visiteurs pris en charge en 15 minutes au plus."),
        _("Visiteurs pris en charge."),
        _("Visiteurs sans heure de prise en charge ; comptages importés."),
        _("Écran de l'accueil."),
    ),
    Entry(
        "appointments_no_show_rate",
        "Rendez-vous non honorés",
        "Missed appointments",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des rendez-vous passés où la personne n'est pas venue."),
        _("Absences."),
        _("Rendez-vous honorés et absences."),
        _("Rendez-vous annulés ; rendez-vous à venir."),
        _("Prise de rendez-vous."),
        target_key=TargetIndicator.NO_SHOW_RATE,
        lower_is_better=True,
    ),
    Entry(
        "appointments_first_free_slot_days",
        "Premier créneau disponible",
        "First available appointment",
        Family.PERFORMANCE,
        Unit.DAYS,
        _("Nombre de jours jusqu'au premier créneau réservable, le plus court des démarches."),
        _("Jours jusqu'au premier créneau libre."),
        _("—"),
        _("Démarches non réservables en ligne."),
        _("Prise de rendez-vous."),
        frequency=_("quotidienne"),
        lower_is_better=True,
    ),
    Entry(
        "satisfaction_overall_rate",
        "Satisfaction globale",
        "Overall satisfaction",
        Family.PERCEIVED,
        Unit.PERCENT,
        _("Part des réponses satisfaites à la question de satisfaction globale."),
        _("Réponses satisfaites (les meilleurs points de l'échelle)."),
        _("Réponses données à la question (réponses vides exclues)."),
        _("Aucun chiffre sous 5 réponses."),
        _("Enquêtes de satisfaction."),
        target_key=TargetIndicator.SATISFACTION,
    ),
    Entry(
        "satisfaction_net",
        "Satisfaction nette",
        "Net satisfaction",
        Family.PERCEIVED,
        Unit.POINTS,
        _("Part des satisfaits moins part des insatisfaits, en points."),
        _("Réponses satisfaites moins réponses insatisfaites."),
        _("Réponses données à la question de satisfaction globale."),
        _("Aucun chiffre sous 5 réponses."),
        _("Enquêtes de satisfaction."),
    ),
)

BY_CODE = {entry.code: entry for entry in CATALOGUE}
CODES = tuple(entry.code for entry in CATALOGUE)


def ensure_catalogue():
    """Create or refresh the built-in indicators; returns {code: Indicator}."""
    from engagements.organisation.enums import DEFAULT_TARGETS

    from .models import Indicator

    with override("fr"):
        return _ensure(Indicator, DEFAULT_TARGETS)


def _ensure(Indicator, DEFAULT_TARGETS):  # noqa: N803 - model class passed in
    existing = {i.code: i for i in Indicator.objects.filter(prefecture__isnull=True)}
    result = {}
    for position, entry in enumerate(CATALOGUE):
        fields = {
            "name_fr": entry.name_fr,
            "name_en": entry.name_en,
            "family": entry.family,
            "unit": entry.unit,
            "definition": str(entry.definition),
            "numerator_text": str(entry.numerator),
            "denominator_text": str(entry.denominator),
            "exclusions": str(entry.exclusions),
            "source": str(entry.source),
            "frequency": str(entry.frequency),
            "default_target": (
                Decimal(DEFAULT_TARGETS[entry.target_key]) if entry.target_key else None
            ),
            "lower_is_better": entry.lower_is_better,
            "position": position,
        }
        indicator = existing.get(entry.code)
        if indicator is None:
            indicator = Indicator.objects.create(code=entry.code, **fields)
        elif any(getattr(indicator, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(indicator, key, value)
            indicator.save()
        result[entry.code] = indicator
    return result


def sync_catalogue_after_migrate(sender, **kwargs):
    from django.db import connection

    if "indicators_indicator" in connection.introspection.table_names():
        ensure_catalogue()
