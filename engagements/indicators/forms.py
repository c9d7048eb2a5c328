from django import forms

from engagements.forms import DsfrForm, ModelChoiceField
from engagements.organisation.enums import REFERENTIAL_MODULES

from .enums import Family, Unit, UpdateKind


class PeriodForm(DsfrForm):
    period = forms.CharField(
        label="Période", max_length=10, help_text="2025, 2025-Q4 ou 2025-11", required=False
    )
    site = ModelChoiceField(
        label="Structure",
        queryset=None,
        required=False,
        empty_label="Toute la préfecture",
        listed=True,
    )
    service = ModelChoiceField(
        label="Service",
        queryset=None,
        required=False,
        empty_label="Tous les services",
        listed=True,
    )
    module = forms.TypedChoiceField(
        label="Module du référentiel",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "Tous les modules")] + list(REFERENTIAL_MODULES.items()),
        help_text="Seuls les services du périmètre du module comptent.",
    )

    def __init__(self, *args, sites, services, whole_prefecture: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.name} ({s.site.name})"
        if not whole_prefecture:
            self.fields["site"].required = True
            self.fields["site"].empty_label = None


PERIOD_FORMATS = "un mois AAAA-MM, un trimestre AAAA-T1 à T4 (ou AAAA-Q1 à Q4), une année AAAA"


class PublishForm(DsfrForm):
    period = forms.CharField(
        label="Période à publier", max_length=10, help_text=f"Saisissez {PERIOD_FORMATS}."
    )
    note = forms.CharField(
        label="Motif de la correction",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="La période est déjà publiée : la version précédente reste consultable.",
    )

    def __init__(self, *args, correction: bool | None = None, suggested=(), **kwargs):
        """`correction`: whether the period already has a published version — the reason
        is then required; None (reading a submitted period) keeps it optional.
        `suggested`: the next periods to publish (`queries.periods_to_publish`), offered
        under the field and in its list of values."""
        super().__init__(*args, **kwargs)
        self.suggested = [
            {"code": p.code, "label": f"année {p.label()}" if p.kind == "year" else p.label()}
            for p in suggested
        ]
        if self.suggested:
            self.fields["period"].widget.attrs["list"] = "periods-to-publish"
            self.fields["period"].help_text = (
                "Prochaines périodes à publier : "
                + " ; ".join(f"{s['label']} ({s['code']})" for s in self.suggested)
                + f". Ou une autre : {PERIOD_FORMATS}."
            )
        if correction is False:
            del self.fields["note"]
        elif correction:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = (
                "Une correction doit dire pourquoi : indiquez le motif."
            )


class ConfirmPublishForm(PublishForm):
    """The confirmation under the preview: what was shown (its fingerprint) is what is
    published; a period not yet ended must be confirmed as « provisoire »."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    provisional = forms.BooleanField(
        label="Publier ces résultats comme provisoires (la période n'est pas terminée)",
        required=False,
    )

    def __init__(self, *args, ongoing: bool = False, correction: bool = False, **kwargs):
        super().__init__(*args, correction=correction, **kwargs)
        self.fields["period"].widget = forms.HiddenInput()
        if not ongoing:
            del self.fields["provisional"]
        else:
            self.fields["provisional"].required = True
            self.fields["provisional"].error_messages["required"] = (
                "Une période en cours ne se publie que marquée « provisoire » : cochez la case."
            )


class WithdrawForm(DsfrForm):
    reason = forms.CharField(
        label="Motif du retrait",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="La publication reste dans l'historique avec ce motif.",
    )


class ArrivalForm(DsfrForm):
    service = ModelChoiceField(label="Service", queryset=None, required=False)
    reason = forms.CharField(label="Motif", max_length=100, required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class WebsiteRequestForm(DsfrForm):
    page = forms.CharField(label="Page concernée (adresse ou titre)", max_length=500)
    kind = forms.ChoiceField(label="Nature", choices=UpdateKind.choices)
    details = forms.CharField(
        label="Demande", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    service = ModelChoiceField(label="Service demandeur", queryset=None, required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class WebsitePublishedForm(DsfrForm):
    published_url = forms.URLField(
        label="Adresse publiée", max_length=500, required=False, assume_scheme="https"
    )
    published_on = forms.DateField(
        label="Publiée le", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ManualIndicatorForm(DsfrForm):
    name_fr = forms.CharField(label="Nom de l'indicateur", max_length=200)
    name_en = forms.CharField(label="Nom en anglais", max_length=200, required=False)
    family = forms.ChoiceField(label="Famille", choices=Family.choices)
    unit = forms.ChoiceField(label="Unité", choices=Unit.choices)
    definition = forms.CharField(
        label="Définition", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    source = forms.CharField(label="Source des valeurs", max_length=500)
    lower_is_better = forms.BooleanField(
        label="Plus la valeur est basse, mieux c'est", required=False
    )


class ManualValueForm(DsfrForm):
    indicator = ModelChoiceField(label="Indicateur", queryset=None)
    period = forms.CharField(label="Période", max_length=10, help_text="2025, 2025-Q4 ou 2025-11")
    site = ModelChoiceField(
        label="Structure", queryset=None, required=False, empty_label="Toute la préfecture"
    )
    # French input: "12,5" (a comma) as well as "12.5", as on the targets form.
    value = forms.DecimalField(label="Valeur", max_digits=14, decimal_places=2, localize=True)
    numerator = forms.DecimalField(
        label="Numérateur", max_digits=14, decimal_places=2, required=False, localize=True
    )
    denominator = forms.DecimalField(
        label="Dénominateur", max_digits=14, decimal_places=2, required=False, localize=True
    )
    source = forms.CharField(label="Source", max_length=200)

    def __init__(self, *args, indicators, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["site"].queryset = sites

    def clean_period(self):
        from .periods import Period

        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class PosterChoiceForm(DsfrForm):
    """The hall poster's indicators, one per position (3 to 6, in this order)."""

    next_update = forms.DateField(
        label="Date de la prochaine mise à jour",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="À défaut : le 1er jour du deuxième mois après la fin de la période suivante.",
    )

    def __init__(self, *args, choices, **kwargs):
        from .poster import MAX_INDICATORS, MIN_INDICATORS

        super().__init__(*args, **kwargs)
        for position in range(1, MAX_INDICATORS + 1):
            self.fields[f"indicator_{position}"] = forms.ChoiceField(
                label=f"Indicateur n° {position}",
                choices=[("", "—")] + list(choices),
                required=position <= MIN_INDICATORS,
            )
        self.order_fields([f"indicator_{n}" for n in range(1, MAX_INDICATORS + 1)])

    def codes(self) -> list[str]:
        return [
            code
            for name, code in self.cleaned_data.items()
            if name.startswith("indicator_") and code
        ]

    def clean(self):
        from .poster import PosterError, validate_codes

        data = super().clean()
        try:
            validate_codes(self.codes())
        except PosterError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data
