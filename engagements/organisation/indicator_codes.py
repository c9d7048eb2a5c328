"""The stable indicator codes of docs/indicators.md ("Indicator codes"), written once.

They are a contract: exports, the API and the `indicators` command name figures with them,
and organisation's yearly targets (`Target.indicator`) store them. The indicators app's
catalogue (`engagements.indicators.catalogue`) keys its labels, methodology and direction on
these same codes; organisation's `enums.Indicator` names the ones that carry a target.
"""

from django.db import models


class IndicatorCode(models.TextChoices):
    CORRESPONDENCE_ON_TIME_RATE = "correspondence_on_time_rate", "Réponses dans les délais"
    CORRESPONDENCE_AVERAGE_DELAY = "correspondence_average_delay", "Délai moyen de réponse"
    CALLS_ANSWERED_RATE = "calls_answered_rate", "Appels aboutis"
    CALLS_ANSWERED_WITHIN_5_RINGS_RATE = (
        "calls_answered_within_5_rings_rate",
        "Appels décrochés en 5 sonneries au plus",
    )
    CALLS_LOST_RATE = "calls_lost_rate", "Appels perdus aux heures d'ouverture"
    WEBSITE_UPDATES_ON_TIME_RATE = (
        "website_updates_on_time_rate",
        "Mises à jour du site dans les 3 jours",
    )
    RECEPTION_VISITS = "reception_visits", "Visiteurs accueillis"
    RECEPTION_SERVED_WITHIN_15_MIN_RATE = (
        "reception_served_within_15_min_rate",
        "Visiteurs reçus en 15 minutes au plus",
    )
    APPOINTMENTS_NO_SHOW_RATE = "appointments_no_show_rate", "Rendez-vous non honorés"
    APPOINTMENTS_FIRST_FREE_SLOT_DAYS = (
        "appointments_first_free_slot_days",
        "Premier créneau libre",
    )
    SATISFACTION_OVERALL_RATE = "satisfaction_overall_rate", "Satisfaction globale"
    SATISFACTION_NET = "satisfaction_net", "Satisfaction nette"
