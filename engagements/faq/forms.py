from django import forms

from engagements.forms import DsfrModelForm

from .models import Entry


class EntryForm(DsfrModelForm):
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
