from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from engagements.antibot import ProofOfWorkField
from engagements.csvio import MAX_DATE, MIN_DATE
from engagements.forms import DeliverableEmailField, DsfrForm, DsfrModelForm, ModelChoiceField
from engagements.shell.content_language import (
    FRENCH,
    LANGUAGE_NAMES_FR,
    TranslationsFormMixin,
    flow_languages,
)

from .enums import BOOKING_TRANSITIONS, BookingStatus, NoShowPolicy
from .models import Procedure, ScheduleRule, normalise_phone


def plausible_year(value) -> None:
    """A permit's expiry typed with a wrong year (01/01/0001): its renewal window, counted
    back from it, overflowed into a server error."""
    if not MIN_DATE <= value <= MAX_DATE:
        raise forms.ValidationError(_("Cette date n'est pas plausible : vérifiez l'année."))


class TermsForm(DsfrForm):
    accept = forms.BooleanField(
        label=_(
            "J'ai lu les informations ci-dessus et j'accepte que mes coordonnées servent "
            "uniquement à gérer ce rendez-vous."
        ),
        error_messages={"required": _("Cochez la case pour continuer.")},
    )

    def __init__(self, *args, procedure=None, **kwargs):
        super().__init__(*args, **kwargs)
        if procedure is not None and procedure.requires_permit_expiry:
            # Asked first, so the week shows the slots open to this person (renewal window,
            # slots kept for permits expiring within two months).
            self.fields = {
                "permit_expires_on": forms.DateField(
                    label=_("Date d'expiration de votre titre actuel"),
                    help_text=_("Format : jj/mm/aaaa"),
                    input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                    validators=[plausible_year],
                    widget=forms.DateInput(
                        attrs={"type": "date", "class": "fr-input"}, format="%Y-%m-%d"
                    ),
                ),
                **self.fields,
            }


class _NameForm(DsfrForm):
    """The person's names, which the browser fills in (WCAG 1.3.5): the booking form's and
    the waiting list's."""

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


def _confirmation_address() -> DeliverableEmailField:
    """The address the booking's confirmation link goes to, as the booking form and the
    "check your e-mails" page's correction ask it."""
    return DeliverableEmailField(
        label=_("Adresse électronique"),
        help_text=_(
            "Le lien pour confirmer votre rendez-vous y sera envoyé. Format : nom@exemple.fr"
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PersonForm(_NameForm):
    email = _confirmation_address()
    phone = forms.CharField(
        label=_("Téléphone portable"),
        required=False,
        max_length=30,
        # Foreign nationals book too, often with their country's phone: say how to type it.
        help_text=_(
            "Pour un rappel par SMS la veille. Format : 06 12 34 56 78, ou +44 7911 123456 "
            "pour un numéro étranger"
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    foreign_number = forms.CharField(
        label=_("Numéro étranger"),
        max_length=20,
        help_text=_("10 chiffres, sur votre titre de séjour ou votre récépissé."),
    )
    permit_expires_on = forms.DateField(
        label=_("Date d'expiration de votre titre actuel"),
        help_text=_("Format : jj/mm/aaaa"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        validators=[plausible_year],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, procedure, with_altcha: bool = True, require_email=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not procedure.asks_foreign_number:
            del self.fields["foreign_number"]
        if not procedure.requires_permit_expiry:
            del self.fields["permit_expires_on"]
        if not require_email:
            self.fields["email"].required = False
            self.fields["email"].help_text = ""
        if with_altcha:
            self.fields["altcha"] = ProofOfWorkField()

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "")
        if phone and not 9 <= len(normalise_phone(phone)) <= 15:
            raise forms.ValidationError(_("Ce numéro de téléphone n'est pas valide."))
        return phone

    def clean_foreign_number(self) -> str:
        value = "".join(ch for ch in self.cleaned_data.get("foreign_number", "") if ch.isalnum())
        if not value.isdigit() or len(value) != 10:
            raise forms.ValidationError(_("Le numéro étranger compte 10 chiffres."))
        return value

    def clean(self):
        data = super().clean()
        if not self.fields["email"].required and not (data.get("email") or data.get("phone")):
            raise forms.ValidationError(_("Indiquez au moins un courriel ou un téléphone."))
        return data


class HoldAddressForm(DsfrForm):
    """The address of a hold, typed again on the "check your e-mails" page."""

    email = _confirmation_address()


def _waitlist_address() -> DeliverableEmailField:
    """The address a waiting list writes to, as the registration and its correction ask it."""
    return DeliverableEmailField(
        label=_("Adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class WaitlistForm(_NameForm):
    email = _waitlist_address()
    altcha = ProofOfWorkField()


class WaitlistAddressForm(DsfrForm):
    """The address of the waiting-list entry this browser just made, typed again."""

    email = _waitlist_address()


class WaitingRoomForm(DsfrForm):
    """Entering a waiting room: only the proof of work (no personal data)."""

    altcha = ProofOfWorkField()


class AttendanceForm(DsfrForm):
    status = forms.ChoiceField(
        label="Résultat",
        choices=[
            ("attended", "Venu"),
            ("late", "En retard (lien pour reprendre rendez-vous)"),
            ("no_show", "Absent"),
            ("cancelled_service", "Annulé par le service"),
            ("cancelled_user", "Annulé à la demande de la personne"),
        ],
    )
    send_certificate = forms.BooleanField(
        label="Envoyer l'attestation de passage par courriel", required=False
    )
    arrived_at = forms.TimeField(
        label="Heure d'arrivée",
        required=False,
        help_text="Vide : maintenant. À indiquer si vous enregistrez l'arrivée après coup.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def __init__(
        self,
        *args,
        current: str | None = None,
        email: str | None = None,
        begun: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not begun:
            # Before the appointment's time nobody is late nor absent (record_attendance
            # refuses both), as on the day's list.
            field = self.fields["status"]
            field.choices = [c for c in field.choices if c[0] not in ("late", "no_show")]
        if email == "":
            # No address to mail the certificate to: the agent prints it instead.
            del self.fields["send_certificate"]
        if current is not None:
            # Only the outcomes the booking may still take (a correction after a check-in
            # moves between attended, late and absent; it cancels no more).
            allowed = BOOKING_TRANSITIONS.get(current, set())
            field = self.fields["status"]
            field.choices = [(value, label) for value, label in field.choices if value in allowed]
            if current != BookingStatus.CONFIRMED:
                # Nothing chosen in advance: "Enregistrer" alone must not change the outcome.
                field.choices = [("", "Choisissez la correction"), *field.choices]


class SlotMoveForm(DsfrForm):
    starts_at = forms.DateTimeField(
        label="Nouvel horaire",
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_starts_at(self):
        # A typo in the year (9999): the slot's end overflowed, a server error.
        value = self.cleaned_data["starts_at"]
        if not MIN_DATE <= value.date() <= MAX_DATE:
            raise forms.ValidationError(
                f"Indiquez une date entre {MIN_DATE.year} et {MAX_DATE.year}."
            )
        return value


class BookingMoveForm(DsfrForm):
    """An agent moves one booking to another slot of its procedure (at the person's call)."""

    slot = ModelChoiceField(
        label="Nouveau créneau",
        queryset=None,
        empty_label="Choisissez un créneau",
        help_text="Les prochains créneaux libres de la démarche.",
    )

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        field.queryset = slots
        field.label_from_instance = lambda slot: (
            date_format(timezone.localtime(slot.starts_at), "l j F Y à H:i")
            + (" (prioritaire)" if slot.priority else "")
        )


class SlotOpenForm(SlotMoveForm):
    """An extra slot outside the weekly template, shown under the agents' week."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].label = "Date et heure du créneau"


class ProcedureForm(TranslationsFormMixin, DsfrModelForm):
    # The name and the documents in the flows' other languages (English has its own fields).
    translated_fields = {"name": "Nom", "documents": "Pièces à apporter (une par ligne)"}
    translation_widgets = {"documents": forms.Textarea}
    translation_max_length = {"name": 200}

    class Meta:
        model = Procedure
        fields = [
            "service",
            "name",
            "name_en",
            "description",
            "is_public",
            "duration_minutes",
            "capacity",
            "opens_days_ahead",
            "opens_at",
            "waiting_room",
            "waiting_room_minutes",
            "closes_hours_before",
            "documents",
            "documents_en",
            "documents_before",
            "documents_before_days",
            "documents_extension_days",
            "languages",
            "asks_foreign_number",
            "requires_permit_expiry",
            "renewal_from_days",
            "renewal_until_days",
            "priority_share",
            "priority_release_hours",
            "max_reschedules",
            "no_show_policy",
            "no_show_limit",
            "no_show_period_days",
            "no_show_wait_weeks",
            "survey_invitation",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "documents": forms.Textarea(attrs={"rows": 4}),
            "documents_en": forms.Textarea(attrs={"rows": 4}),
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.name} — {s.site.name}"
        self.fields["waiting_room_minutes"].required = False
        # Left blank: the procedure's value (8 and 30 days for a new one).
        for name in ("documents_before_days", "documents_extension_days"):
            self.fields[name].required = False
        self.translation_languages = flow_languages()
        self.add_translation_fields(self.instance.translations)

    def clean_documents_before_days(self):
        value = self.cleaned_data.get("documents_before_days")
        return self.instance.documents_before_days if value is None else value

    def clean_documents_extension_days(self):
        value = self.cleaned_data.get("documents_extension_days")
        return self.instance.documents_extension_days if value is None else value

    def clean_duration_minutes(self):
        # 0 minutes: generating the week's slots would never end (each slot starts where
        # the last one did).
        value = self.cleaned_data.get("duration_minutes")
        if value is not None and not 1 <= value <= 480:
            raise forms.ValidationError("Entre 1 et 480 minutes (8 heures).")
        return value

    def clean_capacity(self):
        value = self.cleaned_data.get("capacity")
        if value is not None and value < 1:
            raise forms.ValidationError("Au moins une place par créneau.")
        return value

    def clean_waiting_room_minutes(self):
        value = self.cleaned_data.get("waiting_room_minutes")
        if value is None:
            return self.instance.waiting_room_minutes or 30
        if not 1 <= value <= 240:
            raise forms.ValidationError("Entre 1 et 240 minutes.")
        return value

    def clean(self):
        data = super().clean()
        if (data.get("priority_share") or 0) > 50:
            self.add_error("priority_share", "Au plus 50 % des créneaux peuvent être réservés.")
        if data.get("no_show_policy") == NoShowPolicy.WAIT and data.get("no_show_limit") == 0:
            self.add_error(
                "no_show_limit",
                "Au moins 1 avec un délai d'attente : le délai court après la dernière absence.",
            )
        start, end = data.get("renewal_from_days"), data.get("renewal_until_days")
        if start is not None and end is not None and end >= start:
            self.add_error("renewal_until_days", "Doit être inférieur au début de la fenêtre.")
        return data

    def save(self, commit=True):
        procedure = super().save(commit=False)
        procedure.translations = self.cleaned_translations(procedure.translations)
        procedure.site = procedure.service.site
        procedure.prefecture = procedure.service.site.prefecture
        if commit:
            procedure.save()
        return procedure


class RuleForm(DsfrModelForm):
    class Meta:
        model = ScheduleRule
        fields = ["weekday", "starts_at", "ends_at", "valid_from", "valid_until"]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # generate_slots creates slots on working days only (calendar.workdays): a Saturday
        # or Sunday range would be accepted and never make a slot.
        weekday = self.fields["weekday"]
        weekday.choices = [c for c in weekday.choices if c[0] == "" or int(c[0]) < 5]
        weekday.help_text = "Du lundi au vendredi : les créneaux sont créés les jours ouvrés."

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "La fin doit suivre le début.")
        first, last = data.get("valid_from"), data.get("valid_until")
        if first and last and last < first:
            self.add_error(
                "valid_until",
                f"La plage ne vaudrait aucun jour : « jusqu'au » ({last:%d/%m/%Y}) précède "
                f"« à partir du » ({first:%d/%m/%Y}).",
            )
        return data


class DeskSlotSearchForm(DsfrForm):
    """ "Réserver pour une personne": the free slots of one procedure or all, from a day
    (the person asks for next Tuesday) or after the last slot shown ("Créneaux suivants")."""

    demarche = ModelChoiceField(
        label="Démarche",
        queryset=Procedure.objects.none(),
        required=False,
        empty_label="Toutes les démarches",
        listed=True,
    )
    depuis = forms.DateField(
        label="À partir du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    apres = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demarche"].queryset = procedures
        self.fields["demarche"].label_from_instance = lambda p: f"{p.name} — {p.site.name}"

    def clean_depuis(self):
        day = self.cleaned_data["depuis"]
        if day is not None and not (MIN_DATE <= day <= MAX_DATE):
            raise forms.ValidationError("Indiquez une date entre 2000 et 2099.")
        return day


class OnBehalfForm(PersonForm):
    """An agent or a partner point books for a person (no proof of work, e-mail optional)."""

    def __init__(self, *args, **kwargs):
        kwargs.update(with_altcha=False, require_email=False)
        super().__init__(*args, **kwargs)
        self.fields["channel"] = forms.ChoiceField(
            label="Canal",
            choices=[
                ("agent", "Téléphone ou accueil de la préfecture"),
                ("partner", "Point d'accueil numérique ou France services"),
            ],
            initial="agent",
            widget=forms.RadioSelect,
        )
        self.fields["email"].help_text = "Pour envoyer la confirmation et les rappels."
        self.fields["phone"].help_text = (
            "Sans adresse électronique, la confirmation part par SMS ; le rappel de la veille "
            "aussi. Format : 06 12 34 56 78, ou +44 7911 123456 pour un numéro étranger"
        )
        self.fields["language"] = forms.ChoiceField(
            label="Langue de la personne",
            choices=[(FRENCH, "français"), *LANGUAGE_NAMES_FR.items()],
            initial=FRENCH,
            required=False,
            help_text=(
                "La confirmation, les rappels et la page du rendez-vous lui parviennent dans "
                "cette langue."
            ),
        )
        # The person's form says "votre titre": here the agent types what the person says.
        if "foreign_number" in self.fields:
            self.fields[
                "foreign_number"
            ].help_text = "10 chiffres, sur son titre de séjour ou son récépissé."
        if "permit_expires_on" in self.fields:
            self.fields["permit_expires_on"].label = "Date d'expiration de son titre actuel"

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or FRENCH
