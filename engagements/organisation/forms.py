from decimal import Decimal

from django import forms

from engagements.forms import DeliverableEmailField, DsfrForm, DsfrModelForm

from .enums import DEFAULT_TARGETS, REFERENTIAL_MODULES, Indicator, Weekday
from .models import Closure, Prefecture, Service, Site, TelephonePlatform


class PrefectureSettingsForm(DsfrModelForm):
    website = forms.URLField(label="Site internet", assume_scheme="https")

    class Meta:
        model = Prefecture
        field_classes = {"email": DeliverableEmailField}
        fields = [
            "name",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "website",
            "holiday_subdivision",
            "deadline_email",
            "deadline_letter",
            "deadline_box",
            "deadline_web_form",
            "deadline_sp_plus",
            "deadline_social",
            "deadline_complaint",
            "publish_ongoing_periods",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty (a form sent before the channel existed): the current deadline stays.
        self.fields["deadline_social"].required = False

    def clean_deadline_social(self):
        value = self.cleaned_data.get("deadline_social")
        return self.instance.deadline_social if value is None else value


class SiteForm(DsfrModelForm):
    labelled_modules = forms.TypedMultipleChoiceField(
        label="Modules du référentiel labellisés",
        choices=sorted(REFERENTIAL_MODULES.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Dès qu'un label est enregistré pour le site (menu Qualité), ces modules "
        "suivent ses labels en cours.",
    )

    class Meta:
        model = Site
        field_classes = {"email": DeliverableEmailField}
        fields = [
            "name",
            "slug",
            "kind",
            "street",
            "postal_code",
            "city",
            "phone",
            "email",
            "access_info",
            "accessibility_info",
            "labelled_modules",
            "position",
            "is_active",
        ]
        widgets = {
            "access_info": forms.Textarea(attrs={"rows": 3}),
            "accessibility_info": forms.Textarea(attrs={"rows": 3}),
        }


class GlossaryForm(DsfrModelForm):
    class Meta:
        model = Prefecture
        fields = ["plain_language_glossary"]
        widgets = {"plain_language_glossary": forms.Textarea(attrs={"rows": 10})}


class PlatformForm(DsfrModelForm):
    class Meta:
        model = TelephonePlatform
        fields = ["kind", "name", "slug", "queue", "phone", "position"]


class ServiceForm(DsfrModelForm):
    class Meta:
        model = Service
        field_classes = {"email": DeliverableEmailField}
        fields = [
            "site",
            "name",
            "name_with_article",
            "slug",
            "description",
            "email",
            "phone",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, prefecture: Prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = prefecture.sites.all()


class ClosureForm(DsfrModelForm):
    class Meta:
        model = Closure
        fields = ["date", "label", "site"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, prefecture: Prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = prefecture.sites.all()
        self.fields["site"].empty_label = "Tous les sites"


_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class DayHoursForm(DsfrForm):
    """One weekday: closed, or open with an optional midday break."""

    opens_at = forms.TimeField(label="Ouverture", required=False, widget=_TIME)
    closes_at = forms.TimeField(label="Pause ou fermeture", required=False, widget=_TIME)
    reopens_at = forms.TimeField(label="Reprise", required=False, widget=_TIME)
    closes_again_at = forms.TimeField(label="Fermeture", required=False, widget=_TIME)

    def __init__(self, *args, weekday: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday = weekday
        self.weekday_label = Weekday(weekday).label
        for field in self.fields.values():
            field.label = f"{self.weekday_label} — {field.label.lower()}"

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        reopens, closes_again = data.get("reopens_at"), data.get("closes_again_at")
        if not opens and not closes and not reopens and not closes_again:
            data["times"] = None
            return data
        if not opens or not closes:
            raise forms.ValidationError(
                f"{self.weekday_label} : indiquez l'ouverture et la fermeture, ou laissez vide "
                "pour un jour fermé."
            )
        if opens >= closes:
            raise forms.ValidationError(
                f"{self.weekday_label} : la fermeture doit suivre l'ouverture."
            )
        if bool(reopens) != bool(closes_again):
            raise forms.ValidationError(
                f"{self.weekday_label} : indiquez la reprise et la fermeture de l'après-midi, "
                "ou aucune des deux."
            )
        if reopens and not (closes < reopens < closes_again):
            raise forms.ValidationError(
                f"{self.weekday_label} : la reprise doit suivre la pause et précéder la fermeture."
            )
        data["times"] = (opens, closes, reopens, closes_again)
        return data


def _decimal(value) -> Decimal | None:
    """75 or 92.5 shown the French way by a localized field ("75", "92,5"), never "75.0"."""
    return Decimal(str(value)).normalize() if value is not None else None


class TargetsForm(DsfrForm):
    """A prefecture's yearly targets, or (with a site) that site's overrides: a blank field
    then keeps the prefecture's target."""

    def __init__(
        self, *args, prefecture: Prefecture, year: int, site=None, source_year=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        # Proposed from another year's targets (next year's from this year's): prefilled
        # with them, saved for `year` only once confirmed.
        shown = source_year or year
        current = prefecture.targets_for(shown)
        overrides = {}
        if site is not None:
            overrides = dict(site.targets.filter(year=shown).values_list("indicator", "value"))
        for indicator in Indicator:
            value = current.get(indicator.value)
            has_default = indicator in DEFAULT_TARGETS
            # French input: "75" or "92,5" (a comma), never "75.0".
            self.fields[indicator.value] = forms.DecimalField(
                label=indicator.label,
                max_digits=6,
                decimal_places=2,
                min_value=0,
                localize=True,
                required=site is None and has_default,
                initial=_decimal(overrides.get(indicator.value) if site else value),
                help_text=(
                    f"Vide : cible de la préfecture ({_decimal(value)})."
                    if site is not None and value is not None
                    else "Vide : pas de cible."
                    if not has_default
                    else ""
                ),
            )


class PersonSearchForm(DsfrForm):
    """Whom a request to see or erase one's data is about (the "Données personnelles" page)."""

    email = forms.EmailField(
        label="Courriel", required=False, help_text="Celui-ci, le champ suivant, ou les deux."
    )
    phone = forms.CharField(label="Téléphone", max_length=40, required=False)
    reference = forms.CharField(
        label="Référence",
        max_length=40,
        required=False,
        help_text="D'un message ou d'un rendez-vous, si la personne l'a donnée.",
    )
    received_on = forms.DateField(
        label="Demande reçue le",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="La réponse est due un mois plus tard (RGPD, article 12).",
    )

    def clean_received_on(self):
        from django.utils import timezone

        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError("La date de réception ne peut pas être à venir.")
        return received_on

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not (cleaned.get("phone") or "").strip():
            raise forms.ValidationError("Indiquez le courriel ou le téléphone de la personne.")
        return cleaned

    def person(self):
        from engagements.shell.personal_data import Person

        return Person.of(
            email=self.cleaned_data.get("email") or "",
            phone=self.cleaned_data.get("phone") or "",
            reference=self.cleaned_data.get("reference") or "",
        )


class RightsExtensionForm(DsfrForm):
    """The extension of a request's deadline by two months at most (GDPR art. 12.3)."""

    until = forms.DateField(
        label="Nouvelle échéance",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Deux mois de plus au plus.",
    )
    reason = forms.CharField(
        label="Motif de la prolongation",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Pourquoi la réponse demande plus de temps (complexité, nombre de demandes).",
    )
    informed = forms.BooleanField(
        label="La personne est informée de la prolongation et de son motif",
        error_messages={
            "required": "Informez la personne de la prolongation et de son motif, puis cochez."
        },
    )
