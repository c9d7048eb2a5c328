from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    HELD = "held", _("En attente de confirmation")
    CONFIRMED = "confirmed", _("Confirmé")
    ATTENDED = "attended", _("Venu")
    LATE = "late", _("Arrivé en retard")
    NO_SHOW = "no_show", _("Absent")
    CANCELLED_BY_USER = "cancelled_user", _("Annulé par la personne")
    CANCELLED_BY_SERVICE = "cancelled_service", _("Annulé par le service")
    EXPIRED = "expired", _("Non confirmé (expiré)")


# The appointment still to come: it may be confirmed, moved or cancelled, and it counts for
# "one booking per person" (the partial unique indexes appt_one_active_per_*). Not the
# statuses that hold a seat: `Slot.booked` keeps the seat of a check-in (attended, late) and
# of an absence too (views/agents.SEATED lists them all); only a cancellation, a lapsed hold
# or a move gives it back (services/seats.give_back_seat).
ACTIVE_STATUSES = (BookingStatus.HELD, BookingStatus.CONFIRMED)

# The state machine, in the format of every app (engagements/states.py): from -> allowed
# targets. Anything else raises.
BOOKING_TRANSITIONS: dict[str, set[str]] = {
    BookingStatus.HELD: {
        BookingStatus.CONFIRMED,
        BookingStatus.EXPIRED,
        BookingStatus.CANCELLED_BY_USER,
        BookingStatus.CANCELLED_BY_SERVICE,
    },
    BookingStatus.CONFIRMED: {
        BookingStatus.ATTENDED,
        BookingStatus.LATE,
        BookingStatus.NO_SHOW,
        BookingStatus.CANCELLED_BY_USER,
        BookingStatus.CANCELLED_BY_SERVICE,
    },
    # An agent may correct a check-in made by mistake during the day.
    BookingStatus.ATTENDED: {BookingStatus.NO_SHOW, BookingStatus.LATE},
    BookingStatus.LATE: {BookingStatus.ATTENDED, BookingStatus.NO_SHOW},
    BookingStatus.NO_SHOW: {BookingStatus.ATTENDED, BookingStatus.LATE},
    BookingStatus.CANCELLED_BY_USER: set(),
    BookingStatus.CANCELLED_BY_SERVICE: set(),
    BookingStatus.EXPIRED: set(),
}


class Channel(models.TextChoices):
    ONLINE = "online", _("En ligne")
    AGENT = "agent", _("Par un agent")
    PARTNER = "partner", _("Point partenaire")
    API = "api", _("API partenaire")


class NoShowPolicy(models.TextChoices):
    NONE = "none", "Aucune"
    CONFIRM_DAY_BEFORE = "confirm", "Confirmation exigée la veille"
    WAIT = "wait", "Délai d'attente avant de réserver à nouveau"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("En attente")
    OFFERED = "offered", _("Créneau proposé")
    BOOKED = "booked", _("A réservé")
    EXPIRED = "expired", _("Proposition expirée")
    LEFT = "left", _("A quitté la liste")


class SlotState(models.TextChoices):
    """How a slot shows to the public (computed, not stored)."""

    FREE = "free", _("Libre")
    NOT_BOOKABLE = "closed", _("Non réservable")
    FULL = "full", _("Complet")


# The booking's log note when the person sends a document: "Document envoyé : <file name>".
# The file's name is the person's (it often carries her name): the purge and the auditor's
# view keep the words before the colon only.
DOCUMENT_SENT_NOTE = "Document envoyé"
# The reason given for more time to send the documents ("… Motif : <reason>"): the
# person's own words when she asks (her health, her family…): purged and kept from the
# auditor like her name.
EXTENSION_REASON_MARK = " Motif : "
