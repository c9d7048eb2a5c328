from django import forms

from engagements import words
from engagements.forms import DsfrModelForm
from engagements.organisation.access import Access
from engagements.shell.content_language import TranslationsFormMixin, flow_languages

from .models import Entry, ProcedureSheet


class EntryForm(TranslationsFormMixin, DsfrModelForm):
    # A French entry in the flows' other languages (English answers are entries of their own).
    translated_fields = {"question": "Question", "answer": "Réponse"}
    translation_widgets = {"answer": forms.Textarea}
    translation_max_length = {"question": 300}

    class Meta:
        model = Entry
        fields = ["service", "language", "question", "answer", "tags", "is_published"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 8})}
        labels = {"service": "Service concerné"}

    def __init__(self, *args, services, whole_prefecture: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        field.queryset = services
        field.label_from_instance = lambda s: f"{s.name} — {s.site.name}"
        field.required = not whole_prefecture
        if whole_prefecture:
            field.empty_label = "Toute la préfecture"
            field.help_text = "Laissez « Toute la préfecture » pour une question commune."
        self.translation_languages = flow_languages()
        self.add_translation_fields(self.instance.translations)

    def clean(self):
        data = super().clean()
        typed = any(
            (data.get(f"tr_{lang}_{name}") or "").strip()
            for lang in self.languages_to_translate()
            for name in self.translated_fields
        )
        if typed and data.get("language") not in (None, "fr"):
            self.add_error(
                "language", "Les traductions s'ajoutent à une question rédigée en français."
            )
        return data

    def save(self, commit=True):
        entry = super().save(commit=False)
        entry.translations = self.cleaned_translations(entry.translations)
        if commit:
            entry.save()
        return entry


class SheetForm(DsfrModelForm):
    note = forms.CharField(
        label="Ce qui change dans cette version",
        max_length=300,
        required=False,
        help_text="Par exemple : « nouvelle pièce demandée depuis le 1er mars ».",
    )

    class Meta:
        model = ProcedureSheet
        fields = ["service", "title", "body", "tags", "owner", "review_on"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 16}),
            "review_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"review_on": "À relire le"}

    def __init__(self, *args, services, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.name} — {s.site.name}"
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = words.person
        self.fields["review_on"].required = False
        self.fields["review_on"].help_text = "Vide : dans six mois, comme la FAQ."

    def clean(self):
        data = super().clean()
        owner, service = data.get("owner"), data.get("service")
        if owner and service and owner.pk != self.initial.get("owner"):
            # The owner reviews the sheet: he must be able to edit it (his service's).
            sees = Access.for_user(owner).sees_record(
                service.site.prefecture, site_id=service.site_id, service_id=service.pk
            )
            if not sees:
                self.add_error(
                    "owner",
                    "Ce responsable ne travaille pas pour ce service : choisissez quelqu'un "
                    "qui pourra relire la fiche.",
                )
        return data
