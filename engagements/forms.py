"""Form helpers shared by every app: DSFR classes and accessible error wiring."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from engagements.mail import is_deliverable_address

_INPUT_CLASS = {
    "select": "fr-select",
    "selectmultiple": "fr-select",
    "checkbox": "fr-checkbox",
    "radioselect": "",
    "checkboxselectmultiple": "",
    "clearablefile": "fr-upload",
    "file": "fr-upload",
}


def style_widget(field: forms.Field) -> None:
    """Give a field's widget its DSFR class (idempotent)."""
    widget = field.widget
    kind = widget.__class__.__name__.lower().removesuffix("input").removesuffix("widget")
    css = _INPUT_CLASS.get(kind, "fr-input")
    classes = widget.attrs.get("class", "").split()
    if css and css not in classes:
        widget.attrs["class"] = " ".join([*classes, css])


class DsfrFormMixin:
    """Adds DSFR classes to widgets (also of fields added after __init__, since it happens
    when a field is rendered); after validation, marks invalid fields with aria-invalid and
    points aria-describedby at their error message."""

    def __getitem__(self, name):
        if name in self.fields:
            style_widget(self.fields[name])
        return super().__getitem__(name)

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


class DeliverableEmailField(forms.EmailField):
    """An e-mail address the mail server will accept: Django's syntax check plus an
    IDNA-encodable domain (`rep1@exemple\\u0095.fr` passes the first, not the second).
    The error is Django's own (translated) "enter a valid address"."""

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        if not is_deliverable_address(value.strip()):
            raise ValidationError(EmailValidator.message, code="invalid")
