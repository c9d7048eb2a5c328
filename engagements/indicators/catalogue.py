"""The built-in catalogue: the stable codes of docs/indicators.md with their methodology."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
    frequency: str = "mensuelle"
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
        "Part des messages répondus dans le délai de leur canal (jours ouvrés).",
        "Messages répondus dans le délai.",
        "Messages répondus et messages en retard (non répondus, échéance passée).",
        "Messages en attente dont l'échéance n'est pas passée ; messages clos sans réponse "
        "(doublon, indésirable, retiré).",
        "Registre des courriers et courriels.",
        target_key=TargetIndicator.CORRESPONDENCE_RATE,
    ),
    Entry(
        "correspondence_average_delay",
        "Délai moyen de réponse",
        "Average response time",
        Family.PERFORMANCE,
        Unit.DAYS,
        "Moyenne du délai de réponse, en jours ouvrés, des messages répondus.",
        "Somme des délais des messages répondus.",
        "Nombre de messages répondus.",
        "Messages non répondus ; messages clos sans réponse.",
        "Registre des courriers et courriels.",
        target_key=TargetIndicator.CORRESPONDENCE_DELAY,
        lower_is_better=True,
    ),
    Entry(
        "calls_answered_rate",
        "Appels aboutis",
        "Calls answered",
        Family.PERFORMANCE,
        Unit.PERCENT,
        "Part des appels présentés à l'accueil téléphonique qui ont été décrochés.",
        "Appels décrochés.",
        "Appels présentés (entrés dans la file d'attente, à toute heure).",
        "Appels arrivés file fermée (aucun agent connecté) : comptés à part.",
        "Journal de l'autocommutateur (queue_log) ou fichier horaire.",
        target_key=TargetIndicator.CALLS_ANSWERED,
    ),
    Entry(
        "calls_answered_within_5_rings_rate",
        "Appels décrochés en 5 sonneries au plus",
        "Calls answered within 5 rings",
        Family.PERFORMANCE,
        Unit.PERCENT,
        "Part des appels décrochés après une attente de 25 secondes au plus.",
        "Appels décrochés en 25 secondes au plus.",
        "Appels décrochés (quand l'attente est connue).",
        "Heures dont le fichier ne donne pas l'attente.",
        "Journal de l'autocommutateur (queue_log) ou fichier horaire.",
    ),
    Entry(
        "website_updates_on_time_rate",
        "Mises à jour du site internet dans les 3 jours ouvrés",
        "Website updates within 3 working days",
        Family.PERFORMANCE,
        Unit.PERCENT,
        "Part des demandes de mise à jour publiées dans les 3 jours ouvrés.",
        "Demandes publiées dans les 3 jours ouvrés.",
        "Demandes publiées et demandes en retard.",
        "Demandes non publiées dont l'échéance n'est pas passée.",
        "Suivi des demandes au webmestre.",
        target_key=TargetIndicator.WEBSITE_ON_TIME,
    ),
    Entry(
        "reception_visits",
        "Visiteurs à l'accueil",
        "Visitors at the reception desk",
        Family.PERFORMANCE,
        Unit.COUNT,
        "Nombre de visiteurs enregistrés à l'accueil sur la période.",
        "Visiteurs enregistrés (arrivées à l'accueil ou comptages importés).",
        "—",
        "Aucune.",
        "Écran de l'accueil et comptages importés.",
    ),
    Entry(
        "reception_served_within_15_min_rate",
        "Visiteurs reçus en 15 minutes au plus",
        "Visitors served within 15 minutes",
        Family.PERFORMANCE,
        Unit.PERCENT,
        "Part des visiteurs pris en charge 15 minutes au plus après leur arrivée.",
        "Visiteurs pris en charge en 15 minutes au plus.",
        "Visiteurs pris en charge.",
        "Visiteurs sans heure de prise en charge ; comptages importés.",
        "Écran de l'accueil.",
    ),
    Entry(
        "appointments_no_show_rate",
        "Rendez-vous non honorés",
        "Missed appointments",
        Family.PERFORMANCE,
        Unit.PERCENT,
        "Part des rendez-vous passés où la personne n'est pas venue.",
        "Absences.",
        "Rendez-vous honorés et absences.",
        "Rendez-vous annulés ; rendez-vous à venir.",
        "Prise de rendez-vous.",
        target_key=TargetIndicator.NO_SHOW_RATE,
        lower_is_better=True,
    ),
    Entry(
        "appointments_first_free_slot_days",
        "Premier créneau disponible",
        "First available appointment",
        Family.PERFORMANCE,
        Unit.DAYS,
        "Nombre de jours jusqu'au premier créneau réservable, le plus court des démarches.",
        "Jours jusqu'au premier créneau libre.",
        "—",
        "Démarches non réservables en ligne.",
        "Prise de rendez-vous.",
        frequency="quotidienne",
        lower_is_better=True,
    ),
    Entry(
        "satisfaction_overall_rate",
        "Satisfaction globale",
        "Overall satisfaction",
        Family.PERCEIVED,
        Unit.PERCENT,
        "Part des réponses satisfaites à la question de satisfaction globale.",
        "Réponses satisfaites (les meilleurs points de l'échelle).",
        "Réponses données à la question (réponses vides exclues).",
        "Aucun chiffre sous 5 réponses.",
        "Enquêtes de satisfaction.",
        target_key=TargetIndicator.SATISFACTION,
    ),
    Entry(
        "satisfaction_net",
        "Satisfaction nette",
        "Net satisfaction",
        Family.PERCEIVED,
        Unit.POINTS,
        "Part des satisfaits moins part des insatisfaits, en points.",
        "Réponses satisfaites moins réponses insatisfaites.",
        "Réponses données à la question de satisfaction globale.",
        "Aucun chiffre sous 5 réponses.",
        "Enquêtes de satisfaction.",
    ),
)

BY_CODE = {entry.code: entry for entry in CATALOGUE}
CODES = tuple(entry.code for entry in CATALOGUE)


def ensure_catalogue():
    """Create or refresh the built-in indicators; returns {code: Indicator}."""
    from engagements.organisation.enums import DEFAULT_TARGETS

    from .models import Indicator

    existing = {i.code: i for i in Indicator.objects.filter(prefecture__isnull=True)}
    result = {}
    for position, entry in enumerate(CATALOGUE):
        fields = {
            "name_fr": entry.name_fr,
            "name_en": entry.name_en,
            "family": entry.family,
            "unit": entry.unit,
            "definition": entry.definition,
            "numerator_text": entry.numerator,
            "denominator_text": entry.denominator,
            "exclusions": entry.exclusions,
            "source": entry.source,
            "frequency": entry.frequency,
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
