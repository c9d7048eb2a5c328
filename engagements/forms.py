"""Form helpers shared by every app: DSFR classes and accessible error wiring."""

from django import forms

_INPUT_CLASS = {
    "select": "fr-select",
    "selectmultiple": "fr-select",
    "checkbox": "fr-checkbox",
    "radioselect": "",
    "checkboxselectmultiple": "",
    "clearablefile": "fr-upload",
    "file": "fr-upload",
}


class DsfrFormMixin:
    """Adds DSFR classes to widgets; after validation, marks invalid fields with
    aria-invalid and points aria-describedby at their error message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            kind = widget.__class__.__name__.lower().removesuffix("input").removesuffix("widget")
            css = _INPUT_CLASS.get(kind, "fr-input")
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class DsfrForm(DsfrFormMixin, forms.Form):
    pass


class DsfrModelForm(DsfrFormMixin, forms.ModelForm):
    pass
