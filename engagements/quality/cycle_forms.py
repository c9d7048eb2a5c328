"""Forms of the label cycle's agents' pages (labels, trainings)."""

from __future__ import annotations

from django import forms

from engagements import words
from engagements.forms import DsfrForm, ModelChoiceField

from .cycle_enums import LabelCode, TrainingTopic

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MODULES = [(n, f"Module {n}") for n in range(1, 9)]


class LabelForm(DsfrForm):
    site = ModelChoiceField(label="Site", queryset=None)
    module = forms.TypedChoiceField(label="Module", choices=MODULES, coerce=int)
    label = forms.ChoiceField(label="Label", choices=LabelCode.choices)
    obtained_on = forms.DateField(label="Obtenu le", widget=DATE)
    valid_until = forms.DateField(label="Valable jusqu'au", widget=DATE)
    audit_body = forms.CharField(label="Organisme certificateur", max_length=200, required=False)
    last_audit_on = forms.DateField(label="Dernier audit le", required=False, widget=DATE)
    next_audit_on = forms.DateField(
        label="Prochain audit le",
        required=False,
        widget=DATE,
        help_text="L'audit de renouvellement doit avoir lieu avant la fin de validité.",
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    def clean(self):
        data = super().clean()
        if (
            data.get("obtained_on")
            and data.get("valid_until")
            and data["valid_until"] < data["obtained_on"]
        ):
            self.add_error("valid_until", "La fin de validité précède la date d'obtention.")
        return data


class TrainingForm(DsfrForm):
    service = ModelChoiceField(label="Service", queryset=None)
    date = forms.DateField(label="Date", widget=DATE)
    topic = forms.ChoiceField(label="Thème", choices=TrainingTopic.choices)
    title = forms.CharField(label="Intitulé", max_length=300)
    hours = forms.DecimalField(
        label="Durée (heures)", min_value=0.25, max_value=9999, decimal_places=2
    )
    participants = forms.IntegerField(
        label="Nombre de participants", min_value=1, max_value=100_000
    )
    trainer = forms.CharField(label="Formateur", max_length=200, required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.name} ({s.site.name})"


class ServiceScopeForm(DsfrForm):
    modules = forms.TypedMultipleChoiceField(
        label="Modules du référentiel",
        choices=MODULES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fraud_referent = ModelChoiceField(
        label="Référent fraude (module 2)", queryset=None, required=False
    )

    def __init__(self, *args, users, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["fraud_referent"]
        field.queryset = users
        field.label_from_instance = words.person
        if people is not None:
            # `users` already read by the page (a list), offered as they are: the page
            # shows one form per service, each would read the same list again.
            field.choices = [("", field.empty_label), *((p.pk, words.person(p)) for p in people)]


class PlanItemForm(DsfrForm):
    service = ModelChoiceField(label="Service", queryset=None)
    topic = forms.ChoiceField(label="Thème", choices=TrainingTopic.choices)
    participants = forms.IntegerField(
        label="Participants prévus", min_value=1, max_value=100_000, required=False
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.name} ({s.site.name})"


class CycleImportForm(DsfrForm):
    """A CSV file of labels, trainings or criterion results (same columns as the commands)."""

    kind = forms.ChoiceField(
        choices=[("labels", "labels"), ("trainings", "formations"), ("results", "résultats")],
        widget=forms.HiddenInput,
    )
    file = forms.FileField(label="Fichier CSV (virgule ou point-virgule)")
    referential = forms.SlugField(required=False, widget=forms.HiddenInput)
    year = forms.IntegerField(
        required=False, min_value=2000, max_value=2100, widget=forms.HiddenInput
    )
