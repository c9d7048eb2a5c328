"""The built-in catalogue: labels, methodology and direction of each stable code of
docs/indicators.md (the codes themselves: `engagements.organisation.indicator_codes`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from engagements.organisation.enums import Indicator as TargetIndicator
from engagements.organisation.indicator_codes import IndicatorCode

from .enums import Family, Unit

# The codes that have a yearly target (`TargetIndicator.values` builds its list anew at each
# call, and `target_key` is asked for every card and every cell of the all-sites table).
_TARGETED = frozenset(TargetIndicator.values)


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
    lower_is_better: bool = False

    @property
    def target_key(self) -> str | None:
        """The code of organisation's yearly target of this indicator (the same code), or
        None when it has no target."""
        return self.code if self.code in _TARGETED else None

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
        IndicatorCode.CORRESPONDENCE_ON_TIME_RATE,
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
    ),
    Entry(
        IndicatorCode.CORRESPONDENCE_AVERAGE_DELAY,
        "Délai moyen de réponse",
        "Average response time",
        Family.PERFORMANCE,
        Unit.DAYS,
        _("Moyenne du délai de réponse, en jours ouvrés, des messages répondus."),
        _("Somme des délais des messages répondus."),
        _("Nombre de messages répondus."),
        _("Messages non répondus ; messages clos sans réponse."),
        _("Registre des courriers et courriels."),
        lower_is_better=True,
    ),
    Entry(
        IndicatorCode.CALLS_ANSWERED_RATE,
        "Appels aboutis",
        "Calls answered",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des appels présentés à l'accueil téléphonique qui ont été décrochés."),
        _("Appels décrochés."),
        _("Appels présentés (entrés dans la file d'attente, à toute heure)."),
        _("Appels arrivés file fermée (aucun agent connecté) : comptés à part."),
        _("Journal de l'autocommutateur (queue_log) ou fichier horaire."),
    ),
    Entry(
        IndicatorCode.CALLS_ANSWERED_WITHIN_5_RINGS_RATE,
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
        IndicatorCode.CALLS_LOST_RATE,
        "Appels perdus aux heures d'ouverture",
        "Calls lost during opening hours",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _(
            "Part des appels présentés pendant les horaires publiés des plateformes "
            "téléphoniques qui ont été abandonnés ou n'ont pas été décrochés."
        ),
        _("Appels perdus (abandonnés ou non décrochés) pendant les horaires publiés."),
        _(
            "Appels présentés pendant les horaires publiés (tous les appels entrés en file "
            "quand aucun horaire n'est renseigné)."
        ),
        _("Appels hors des horaires publiés et appels arrivés file fermée : comptés à part."),
        _("Journal de l'autocommutateur (queue_log) ou fichier horaire."),
        lower_is_better=True,
    ),
    Entry(
        IndicatorCode.WEBSITE_UPDATES_ON_TIME_RATE,
        "Mises à jour du site internet dans les 3 jours ouvrés",
        "Website updates within 3 working days",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des demandes de mise à jour publiées dans les 3 jours ouvrés."),
        _("Demandes publiées dans les 3 jours ouvrés."),
        _("Demandes publiées et demandes en retard."),
        _("Demandes non publiées dont l'échéance n'est pas passée."),
        _("Suivi des demandes au webmestre."),
    ),
    Entry(
        IndicatorCode.RECEPTION_VISITS,
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
        IndicatorCode.RECEPTION_SERVED_WITHIN_15_MIN_RATE,
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
        IndicatorCode.APPOINTMENTS_NO_SHOW_RATE,
        "Rendez-vous non honorés",
        "Missed appointments",
        Family.PERFORMANCE,
        Unit.PERCENT,
        _("Part des rendez-vous passés où la personne n'est pas venue."),
        _("Absences."),
        _("Rendez-vous honorés et absences."),
        _("Rendez-vous annulés ; rendez-vous à venir."),
        _("Prise de rendez-vous."),
        lower_is_better=True,
    ),
    Entry(
        IndicatorCode.APPOINTMENTS_FIRST_FREE_SLOT_DAYS,
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
        IndicatorCode.SATISFACTION_OVERALL_RATE,
        "Satisfaction globale",
        "Overall satisfaction",
        Family.PERCEIVED,
        Unit.PERCENT,
        _("Part des réponses satisfaites à la question de satisfaction globale."),
        _("Réponses satisfaites (les meilleurs points de l'échelle)."),
        _("Réponses données à la question (réponses vides exclues)."),
        _("Aucun chiffre sous 5 réponses."),
        _("Enquêtes de satisfaction."),
    ),
    Entry(
        IndicatorCode.SATISFACTION_NET,
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
                Decimal(DEFAULT_TARGETS[entry.code]) if entry.code in DEFAULT_TARGETS else None
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


# Survey figures withheld under 5 answers (indicators.md "Surveys"): their denominator
# counts the answers, so a group of 1 to 4 was measured, just not published.
SURVEY_CODES = {"satisfaction_overall_rate", "satisfaction_net"}


def withheld(code: str, value, denominator) -> bool:
    """A survey figure not shown because fewer than 5 answers were given (but some were)."""
    return value is None and code in SURVEY_CODES and bool(denominator)
