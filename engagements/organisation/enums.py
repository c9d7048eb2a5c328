from django.db import models
from django.utils.translation import gettext_lazy as _

from .indicator_codes import IndicatorCode

# The prefecture's holiday subdivision (its public holidays; engagements.calendar maps each
# code to the `holidays` package's).
SUBDIVISION_CHOICES = [
    ("metropole", "France métropolitaine"),
    ("57", "Moselle (57)"),
    ("6AE", "Alsace (67, 68)"),
    ("971", "Guadeloupe (971)"),
    ("972", "Martinique (972)"),
    ("973", "Guyane (973)"),
    ("974", "La Réunion (974)"),
    ("975", "Saint-Pierre-et-Miquelon (975)"),
    ("976", "Mayotte (976)"),
]


class SiteKind(models.TextChoices):
    PREFECTURE = "prefecture", "Préfecture"
    SUB_PREFECTURE = "sub_prefecture", "Sous-préfecture"
    DIGITAL_POINT = "digital_point", "Point d'accueil numérique"
    PARTNER_POINT = "partner_point", "France services"


class HoursChannel(models.TextChoices):
    RECEPTION = "reception", "Accueil physique"
    TELEPHONE = "telephone", "Téléphone"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Lundi"
    TUESDAY = 1, "Mardi"
    WEDNESDAY = 2, "Mercredi"
    THURSDAY = 3, "Jeudi"
    FRIDAY = 4, "Vendredi"
    SATURDAY = 5, "Samedi"
    SUNDAY = 6, "Dimanche"


class Channel(models.TextChoices):
    """How a written request reaches the prefecture (deadlines are set per channel)."""

    EMAIL = "email", "Courriel"
    LETTER = "letter", "Courrier"
    BOX = "box", "Urne"
    WEB_FORM = "web_form", "Formulaire en ligne"
    SP_PLUS = "sp_plus", "Plateforme Services Publics +"
    SOCIAL = "social", "Réseaux sociaux"


class PlatformKind(models.TextChoices):
    """A site's telephone platforms (each with its own hours and queue_log queue)."""

    SWITCHBOARD = "switchboard", "Standard"
    VOICE_SERVER = "voice_server", "Serveur vocal"
    DIGITAL_POINT = "digital_point", "Ligne du point d'accueil numérique"
    FOREIGNERS = "foreigners", "Ligne des étrangers"
    OTHER = "other", "Autre ligne"


class RoleKind(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", "Administrateur national"
    QUALITY_LEAD = "quality_lead", "Référent qualité"
    SITE_MANAGER = "site_manager", "Chef de site"
    AGENT = "agent", "Agent"
    COMMITTEE_MEMBER = "committee_member", "Membre du comité local des usagers"
    AUDITOR = "auditor", "Auditeur"


# "Vous êtes connecté en tant qu'agent": each role after "en tant", with its elision.
ROLE_AS = {
    RoleKind.NATIONAL_ADMIN: "qu'administrateur national",
    RoleKind.QUALITY_LEAD: "que référent qualité",
    RoleKind.SITE_MANAGER: "que chef de site",
    RoleKind.AGENT: "qu'agent",
    RoleKind.COMMITTEE_MEMBER: "que membre du comité local des usagers",
    RoleKind.AUDITOR: "qu'auditeur",
}


class Indicator(models.TextChoices):
    """Indicators that carry a yearly target (docs/indicators.md, "Targets"): codes of the one
    catalogue (`indicator_codes.IndicatorCode`), with the labels of the targets form."""

    CORRESPONDENCE_RATE = IndicatorCode.CORRESPONDENCE_ON_TIME_RATE, "Réponses dans les délais (%)"
    CORRESPONDENCE_DELAY = (
        IndicatorCode.CORRESPONDENCE_AVERAGE_DELAY,
        "Délai moyen de réponse (jours ouvrés)",
    )
    CALLS_ANSWERED = IndicatorCode.CALLS_ANSWERED_RATE, "Appels aboutis (%)"
    CALLS_LOST = IndicatorCode.CALLS_LOST_RATE, "Appels perdus aux heures d'ouverture (%)"
    WEBSITE_ON_TIME = (
        IndicatorCode.WEBSITE_UPDATES_ON_TIME_RATE,
        "Mises à jour du site dans les 3 jours (%)",
    )
    NO_SHOW_RATE = IndicatorCode.APPOINTMENTS_NO_SHOW_RATE, "Rendez-vous non honorés (%)"
    SATISFACTION = IndicatorCode.SATISFACTION_OVERALL_RATE, "Satisfaction globale (%)"
    # Every other indicator the référent reports may carry a target too (issue 19, item 8);
    # none by default.
    CALLS_WITHIN_5_RINGS = (
        IndicatorCode.CALLS_ANSWERED_WITHIN_5_RINGS_RATE,
        "Appels décrochés en 5 sonneries au plus (%)",
    )
    RECEPTION_VISITS = IndicatorCode.RECEPTION_VISITS, "Visiteurs à l'accueil (nombre)"
    RECEPTION_WITHIN_15_MIN = (
        IndicatorCode.RECEPTION_SERVED_WITHIN_15_MIN_RATE,
        "Visiteurs reçus en 15 minutes au plus (%)",
    )
    FIRST_FREE_SLOT = (
        IndicatorCode.APPOINTMENTS_FIRST_FREE_SLOT_DAYS,
        "Premier créneau disponible (jours, au plus)",
    )
    SATISFACTION_NET = IndicatorCode.SATISFACTION_NET, "Satisfaction nette (points)"


DEFAULT_TARGETS = {
    Indicator.CORRESPONDENCE_RATE: 75,
    Indicator.CORRESPONDENCE_DELAY: 5,
    Indicator.CALLS_ANSWERED: 93,
    Indicator.CALLS_LOST: 10,
    Indicator.WEBSITE_ON_TIME: 100,
    Indicator.NO_SHOW_RATE: 15,
    Indicator.SATISFACTION: 80,
}

# Referential modules a site can be labelled on (Qual-e-pref, 8 modules).
REFERENTIAL_MODULES = {
    1: _("Module 1 — Relation générale avec les usagers"),
    2: _("Module 2 — Délivrance de titres (hors étrangers)"),
    3: _("Module 3 — Délivrance de titres aux étrangers"),
    4: _("Module 4 — module optionnel"),
    5: _("Module 5 — module optionnel"),
    6: _("Module 6 — module optionnel"),
    7: _("Module 7 — module optionnel"),
    8: _("Module 8 — module optionnel"),
}
