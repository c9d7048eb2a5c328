from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.safestring import mark_safe

from engagements.forms import DsfrForm, DsfrModelForm

from .enums import AgendaKind, DecisionKind, DocumentAudience, MinutesKind, SuggestionStatus
from .models import Committee, Meeting
from .services.documents import ACCEPT


class CommitteeForm(DsfrModelForm):
    class Meta:
        model = Committee
        fields = ["kind", "order_reference", "order_date", "planned_audit_date", "invitation_days"]
        widgets = {
            "order_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_audit_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class ImportForm(DsfrForm):
    file = forms.FileField(
        label="Liste des membres (CSV)",
        # A constant (no user text): the column names are shown as code.
        help_text=mark_safe(  # noqa: S308
            "Colonnes : <code>college, organisation, first_name, last_name, email, seat, "
            "mandate_start, mandate_end</code> (et, au choix, <code>civility</code> : "
            "<code>madame</code> ou <code>monsieur</code>) ; <code>seat</code> vaut "
            "<code>titulaire</code> ou <code>suppleant</code>."
        ),
    )


class EndMandateForm(DsfrForm):
    on = forms.DateField(label="Fin du mandat", widget=forms.DateInput(attrs={"type": "date"}))


class MeetingForm(DsfrModelForm):
    video_link = forms.URLField(
        label="Lien de visioconférence", required=False, assume_scheme="https", max_length=200
    )
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label="Heure", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    class Meta:
        model = Meeting
        fields = ["kind", "duration_minutes", "place", "video_link", "chair"]

    field_order = ["day", "time", "kind", "duration_minutes", "place", "video_link", "chair"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            local = timezone.localtime(self.instance.starts_at)
            self.initial.setdefault("day", local.date().isoformat())
            self.initial.setdefault("time", local.strftime("%H:%M"))
        else:
            self.initial.setdefault("time", "14:00")
        # One of the two is required: neither is marked "(facultatif)" on its own.
        for name in ("place", "video_link"):
            self.fields[name].mark_optional = False
            self.fields[name].help_text = "Un lieu, un lien de visioconférence, ou les deux."

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time"):
            data["starts_at"] = timezone.make_aware(datetime.combine(data["day"], data["time"]))
        if not data.get("place") and not data.get("video_link"):
            self.add_error("place", "Indiquez un lieu ou un lien de visioconférence.")
        return data

    def meeting_fields(self) -> dict:
        names = ["kind", "duration_minutes", "place", "video_link", "chair"]
        return {"starts_at": self.cleaned_data["starts_at"]} | {
            n: self.cleaned_data[n] for n in names
        }


class AgendaItemForm(DsfrForm):
    title = forms.CharField(label="Intitulé du point", max_length=300)
    kind = forms.ChoiceField(label="Nature", choices=AgendaKind.choices)
    document = forms.ChoiceField(label="Document joint", required=False)

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", "Aucun")] + [(d.key, d.label) for d in documents]


class MeetingDocumentForm(DsfrForm):
    """A document attached to the meeting or one of its agenda items."""

    file = forms.FileField(
        label="Fichier",
        help_text="PDF, présentation (ODP, PPTX), texte (ODT, DOCX), tableur (ODS, XLSX) ou "
        "image (PNG, JPEG), 20 Mo au plus.",
    )
    title = forms.CharField(label="Intitulé", max_length=200, required=False)
    agenda_item = forms.ChoiceField(label="Point de l'ordre du jour", required=False)
    audience = forms.ChoiceField(
        label="Diffusion",
        choices=DocumentAudience.choices,
        initial=DocumentAudience.MEMBERS,
        widget=forms.RadioSelect,
        help_text="« Public » : publié sur la page du comité avec le relevé approuvé, jamais "
        "avant. Les membres reçoivent tous les documents.",
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {str(item.pk): item for item in items}
        self.fields["agenda_item"].choices = [("", "La réunion en général")] + [
            (pk, item.title) for pk, item in self.items.items()
        ]
        self.fields["file"].widget.attrs["accept"] = ACCEPT

    def clean_agenda_item(self):
        return self.items.get(self.cleaned_data.get("agenda_item") or "")


class MinutesForm(DsfrForm):
    kind = forms.ChoiceField(label="Type de document", choices=MinutesKind.choices)
    introduction = forms.CharField(
        label="Introduction (présidence, contexte)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    summary_en = forms.CharField(
        label="Résumé en anglais (affiché sur la page publique en anglais)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for n, item in enumerate(self.items, start=1):
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=f"{n}. {item.agenda_item.title}",
                widget=forms.Textarea(attrs={"rows": 4}),
                required=False,
                initial=item.text,
            )

    def texts(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"item_{item.pk}", "") for item in self.items}


class DecisionForm(DsfrForm):
    kind = forms.ChoiceField(label="Nature de la décision", choices=DecisionKind.choices)
    text = forms.CharField(label="Décision", widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.TypedChoiceField(
        label="Point de l'ordre du jour", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, agenda=(), **kwargs):
        # Shown under the minutes form, which has its own "kind": ids of its own.
        kwargs.setdefault("auto_id", "id_decision_%s")
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", "—")] + [
            (item.pk, f"{n}. {item.title}") for n, item in enumerate(agenda, start=1)
        ]


class ApproveForm(DsfrForm):
    at_meeting = forms.TypedChoiceField(
        label="Approuvé lors de la réunion",
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, meetings=(), without_meeting=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = list(meetings)
        choices = [(m.pk, str(m)) for m in self.meetings]
        if without_meeting:
            choices.insert(
                0, ("", "Sans réunion : aucune observation à l'issue de la période d'observations")
            )
        else:  # observations came in: a meeting examines them (services.approve_minutes)
            self.fields["at_meeting"].required = True
            self.fields["at_meeting"].error_messages["required"] = (
                "Des membres ont fait des observations sur ce projet : il s'approuve lors "
                "d'une réunion du comité, qui les examine. Choisissez cette réunion."
            )
            choices.insert(0, ("", "Choisissez la réunion"))
        self.fields["at_meeting"].choices = choices


class CorrectionForm(DsfrForm):
    note = forms.CharField(label="Objet de la correction", max_length=300)


class SuggestionAnswerForm(DsfrForm):
    status = forms.ChoiceField(label="Suite donnée", choices=SuggestionStatus.choices)
    answer = forms.CharField(
        label="Réponse au membre", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SuggestionForm(DsfrForm):
    text = forms.CharField(
        label="Votre suggestion", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )


class ObservationForm(DsfrForm):
    text = forms.CharField(
        label="Votre observation sur le projet de relevé",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class RecordedObservationForm(DsfrForm):
    """An observation a member sent by e-mail or by post, recorded by the référent."""

    seat = forms.TypedChoiceField(label="Membre", coerce=int)
    text = forms.CharField(
        label="Observation reçue", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args, seats=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [("", "Choisissez le membre")] + [
            (seat.pk, seat.holder) for seat in seats
        ]


class AgentSuggestionForm(SuggestionForm):
    author_label = forms.CharField(label="Auteur (membre ou organisme)", max_length=300)
    meeting = forms.TypedChoiceField(
        label="Faite lors de la réunion", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The agent records a member's words: not "Votre suggestion".
        self.fields["text"].label = "Suggestion du membre"
        self.fields["meeting"].choices = [("", "—")] + [(m.pk, str(m)) for m in meetings]
