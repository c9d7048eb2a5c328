"""Forms of the quality agents' pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from engagements.forms import DsfrForm, ModelChoiceField, UserChoiceField
from engagements.organisation.access import Access
from engagements.organisation.queries import working_agents
from engagements.shell.content_language import TranslationsFormMixin

from .enums import ActionType, AssessmentKind, FindingKind, ResultValue, StatusCode
from .models import Action, ActionStatus, Commitment, Referential
from .services import DUE_BEFORE_START

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(TranslationsFormMixin, DsfrForm):
    translated_fields = {"public_summary": "Résumé pour le public"}
    translation_widgets = {"public_summary": forms.Textarea}

    title = forms.CharField(label="Intitulé", max_length=300)
    kind = forms.ChoiceField(label="Type d'action", choices=ActionType.choices)
    site = ModelChoiceField(label="Site", queryset=None)
    year = forms.IntegerField(label="Année du plan", min_value=2000, max_value=2100)
    service = ModelChoiceField(label="Service", queryset=None, required=False)
    owner = UserChoiceField(label="Pilote", queryset=None, required=False)
    parent = ModelChoiceField(
        label="Sous-action de",
        queryset=None,
        required=False,
        help_text="L'avancement de l'action parente est la moyenne de ses sous-actions.",
    )
    start_on = forms.DateField(label="Début", required=False, widget=DATE)
    due_on = forms.DateField(label="Échéance", required=False, widget=DATE)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea)
    public_summary = forms.CharField(
        label="Résumé pour le public",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="En langage clair, sans aucune donnée personnelle.",
    )
    is_public = forms.BooleanField(
        label="Publier sur la page « Vous nous l'avez dit, nous l'avons fait »", required=False
    )

    def __init__(
        self,
        *args,
        prefecture,
        sites,
        services,
        parents=None,
        editing=False,
        action_site=None,
        translations=None,
        **kwargs,
    ):
        """`parents`: the actions the user sees (his sites'), offered as parent;
        `action_site`: the site of the action being edited."""
        super().__init__(*args, **kwargs)
        self.prefecture, self.action_site = prefecture, action_site
        self.fields["site"].queryset = sites
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.name} ({s.site.name})"
        # Offered as pilot: those who can open the action (who see its site's records).
        owners = working_agents(prefecture, sites=[action_site] if action_site else sites)
        current = self.initial.get("owner")
        if current is not None:  # kept even if he no longer works there
            owners = owners | working_agents(prefecture).filter(pk=current.pk)
        self.fields["owner"].queryset = owners
        self.fields["parent"].queryset = (
            Action.objects.none() if parents is None else parents.filter(prefecture=prefecture)
        ).exclude(status__base__in=[StatusCode.DONE, StatusCode.ABANDONED])
        self.fields["year"].initial = timezone.localdate().year
        if editing:
            del self.fields["site"], self.fields["year"], self.fields["parent"]
        self.add_translation_fields(translations)

    def service_data(self, previous: dict | None = None) -> dict:
        """The cleaned data as the services take it: the summary's translations in one
        `translations` dict (French in `public_summary`)."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("tr_")}
        data["translations"] = self.cleaned_translations(previous)
        return data

    def clean(self):
        data = super().clean()
        site = data.get("site")
        service = data.get("service")
        if site and service and service.site_id != site.pk:
            self.add_error("service", "Ce service n'appartient pas au site choisi.")
        owner, site = data.get("owner"), site or self.action_site
        if owner and owner != self.initial.get("owner") and site:
            sees = Access.for_user(owner).sees_record(
                self.prefecture, site_id=site.pk, service_id=service.pk if service else None
            )
            if not sees:
                self.add_error(
                    "owner",
                    "Ce pilote ne voit pas les actions de ce site ou de ce service : "
                    "choisissez quelqu'un qui y travaille.",
                )
        start_on, due_on = data.get("start_on"), data.get("due_on")
        if start_on and due_on and due_on < start_on:
            self.add_error("due_on", DUE_BEFORE_START)
        if data.get("is_public") and not (data.get("public_summary") or "").strip():
            self.add_error("public_summary", "Rédigez le résumé avant de publier l'action.")
        return data


class StatusForm(DsfrForm):
    status = ModelChoiceField(label="Nouveau statut", queryset=None)
    closed_on = forms.DateField(
        label="Date de clôture (réalisée ou abandonnée)", required=False, widget=DATE
    )
    text = forms.CharField(label="Commentaire", required=False, max_length=1000)

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = ActionStatus.objects.filter(prefecture=prefecture)


class ReopenForm(DsfrForm):
    reason = forms.CharField(
        label="Motif de la réouverture",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Écrit dans l'historique de l'action.",
    )
    status = ModelChoiceField(
        label="Statut après réouverture",
        queryset=None,
        required=False,
        help_text="En cours si vide.",
    )

    def __init__(self, *args, prefecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = ActionStatus.objects.filter(
            prefecture=prefecture, base__in=[StatusCode.PLANNED, StatusCode.IN_PROGRESS]
        )


class UpdateForm(DsfrForm):
    text = forms.CharField(label="Point d'avancement", widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(
        label="Date", required=False, widget=DATE, help_text="Aujourd'hui si vide."
    )
    progress = forms.IntegerField(
        label="Avancement (%)", min_value=0, max_value=100, required=False
    )

    def __init__(self, *args, locked: str = "", **kwargs):
        """`locked`: why the action's progress is not typed here (closed, or rolled up from
        its sub-actions): the field is left out and the reason said instead."""
        super().__init__(*args, **kwargs)
        if locked:
            del self.fields["progress"]
            self.fields["text"].help_text = locked


class EffectivenessForm(DsfrForm):
    text = forms.CharField(
        label="Comment l'efficacité a-t-elle été vérifiée ?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ex. : plus aucune réclamation sur ce thème depuis deux mois.",
    )


class ScopeForm(DsfrForm):
    modules = forms.TypedMultipleChoiceField(
        label="Modules", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, referential, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modules"].choices = [
            (m.number, f"{m}{' (obligatoire)' if m.mandatory else ''}")
            for m in referential.modules.all()
        ]


class AssessmentForm(DsfrForm):
    site = ModelChoiceField(label="Site", queryset=None)
    referential = ModelChoiceField(label="Référentiel", queryset=Referential.objects.all())
    kind = forms.ChoiceField(label="Type", choices=AssessmentKind.choices)
    planned_on = forms.DateField(label="Date", widget=DATE)
    assessor = forms.CharField(label="Évaluateur ou organisme", required=False, max_length=200)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class ResultForm(DsfrForm):
    result = forms.ChoiceField(
        label="Résultat", choices=[("", "Non évalué"), *ResultValue.choices], required=False
    )
    comment = forms.CharField(label="Commentaire", required=False, max_length=2000)


class FindingForm(DsfrForm):
    kind = forms.ChoiceField(label="Type de constat", choices=FindingKind.choices)
    commitment = ModelChoiceField(label="Engagement", queryset=None, required=False)
    text = forms.CharField(label="Constat", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.filter(
            pk__in=assessment.results.values("commitment")
        )


class EvidenceForm(DsfrForm):
    result = ModelChoiceField(label="Engagement concerné", queryset=None)
    existing = ModelChoiceField(
        label="Réutiliser une preuve existante", queryset=None, required=False
    )
    title = forms.CharField(label="Intitulé de la nouvelle preuve", required=False, max_length=300)
    file = forms.FileField(label="Fichier", required=False)
    url = forms.URLField(label="ou lien", required=False, assume_scheme="https")

    def __init__(self, *args, assessment, evidence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].queryset = assessment.results.select_related("commitment")
        self.fields["result"].label_from_instance = lambda r: str(r.commitment)
        self.fields["existing"].queryset = evidence

    def clean(self):
        data = super().clean()
        if not data.get("existing") and not (
            data.get("title") and (data.get("file") or data.get("url"))
        ):
            raise forms.ValidationError(
                "Choisissez une preuve existante, ou donnez un intitulé et un fichier ou un lien."
            )
        return data


class ExperienceImportForm(DsfrForm):
    file = forms.FileField(label="Export de la plateforme (CSV ou JSON)")


class StructureForm(DsfrForm):
    structure = forms.CharField(label="Structure (nom sur la plateforme SP+)", max_length=300)
    site = ModelChoiceField(label="Site", queryset=None)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class ActionStatusForm(DsfrForm):
    label = forms.CharField(label="Libellé", max_length=100)
    base = forms.ChoiceField(label="Correspond à", choices=StatusCode.choices)
    default_progress = forms.IntegerField(
        label="Avancement par défaut (%)", min_value=0, max_value=100
    )
    position = forms.IntegerField(label="Ordre", min_value=0, max_value=100, initial=10)
