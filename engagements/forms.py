"""Form helpers shared by every app: DSFR classes and accessible error wiring."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.forms.renderers import TemplatesSetting
from django.template.base import render_value_in_context
from django.template.context import Context
from django.template.defaultfilters import stringformat
from django.utils import translation
from django.utils.safestring import SafeData, mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from engagements import waits, words
from engagements.mail import is_deliverable_address

_INPUT_CLASS = {
    "select": "fr-select",
    "frenchoptionsselect": "fr-select",
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


class FormRenderer(TemplatesSetting):
    """The forms' renderer (settings.FORM_RENDERER): Django's TemplatesSetting, so that
    widgets may use the project's templates (components/proof_of_work.html), with a select
    written here. Django's select.html includes select_option.html, which includes
    attrs.html, for each option: two template renders per option, the worklist's filters
    have fifty. The HTML is Django's to the byte (tests/test_forms.py compares them); an
    option with a template of its own still gets it rendered."""

    def render(self, template_name, context, request=None):
        if template_name == _SELECT:
            return self._select(context["widget"], request)
        return super().render(template_name, context, request)

    def _select(self, widget: dict, request) -> str:
        html = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{_shown(group_name)}">')
            for option in group_choices:
                html.append("\n  ")
                if option["template_name"] != _OPTION:
                    template = self.get_template(option["template_name"])
                    html.append(template.render({"widget": option}, request))  # as included
                    continue
                html.append(
                    f'<option value="{_shown(_as_text(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{_shown(option['label'])}</option>\n"
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")  # a renderer strips what a template gives
        return "".join(html)


_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"
_AUTOESCAPED = Context()  # what a template renders `{{ value }}` with (read, never written)


def _shown(value) -> str:
    """`{{ value }}` in a template: localized, escaped unless safe."""
    return render_value_in_context(value, _AUTOESCAPED)


def _as_text(value):
    """`value|stringformat:'s'` (a safe value stays safe, as the filter's is_safe says)."""
    text = stringformat(value, "s")
    return mark_safe(text) if isinstance(value, SafeData) else text


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_shown(name)}" if value is True else f' {_shown(name)}="{_shown(_as_text(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class FrenchOptionsSelect(forms.Select):
    """A select whose options are what agents typed in French (services of the contact
    form): each one is marked `lang="fr"` on a page in another language, so that a screen
    reader does not read it with English phonetics (RGAA 8.7)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        language = (translation.get_language() or "fr").split("-")[0]
        if value not in ("", None) and language != "fr":
            option["attrs"]["lang"] = "fr"
        return option


class ListedChoiceIterator(forms.models.ModelChoiceIterator):
    """A choice list read with one plain query.

    Django's iterator reads the queryset with `.iterator()`, which on PostgreSQL opens a
    server-side cursor: DECLARE, FETCH and CLOSE, three round trips for a list of a few
    dozen sites, services or agents. The rows land in the field's own queryset (a copy per
    form, made by ModelChoiceField), as Django's does when the queryset prefetches: a
    select rendered after `use_required_attribute` peeked at it reads once."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """Every form's model choice field (engagements.forms.ListedChoiceIterator).

    `listed=True`, for a short list that the page shows again with the answer (a filter
    form): the value is looked up in the listed choices, read once for both, instead of
    one query to check it and another to list the choices."""

    iterator = ListedChoiceIterator

    def __init__(self, *args, listed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.listed = listed

    def to_python(self, value):
        if not self.listed or value in self.empty_values:
            return super().to_python(value)
        self.validate_no_null_characters(value)
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):
            value = getattr(value, key)
        for obj in self.queryset:  # the field's own copy: the select reuses its rows
            if str(getattr(obj, key)) == str(value):
                return obj
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ListedChoiceIterator


class UserChoiceField(ModelChoiceField):
    """An agent, shown by name (or login when the account has none)."""

    def label_from_instance(self, obj) -> str:
        return words.person(obj)


def _listed_choices(field, **kwargs):
    """A model form's foreign keys and many-to-many fields get the project's fields."""
    from django.db import models

    if isinstance(field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    elif isinstance(field, models.ForeignKey):
        kwargs.setdefault("form_class", ModelChoiceField)
    return field.formfield(**kwargs)


class DsfrFormMixin:
    """Adds DSFR classes to widgets (also of fields added after __init__, since it happens
    when a field is rendered); after validation, marks invalid fields with aria-invalid and
    points aria-describedby at their error message. Every textarea's text is read with LF
    line breaks."""

    def __getitem__(self, name):
        if name in self.fields:
            style_widget(self.fields[name])
        return super().__getitem__(name)

    def full_clean(self):
        self._line_breaks_as_typed()
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def _line_breaks_as_typed(self):
        """A browser counts a textarea's line break as one character against its
        `maxlength` but posts it as CRLF: counted as two, a text the page let through was
        refused as too long, by as many characters as it had lines (and a text split on
        blank lines read as one paragraph). Read as LF before any field sees it."""
        if not self.is_bound:
            return
        typed = {}
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            value = self.data.get(key)
            if (
                isinstance(field.widget, forms.Textarea)
                and isinstance(value, str)
                and "\r" in value
            ):
                typed[key] = normalize_newlines(value)
        if typed:
            data = self.data.copy()  # a request's QueryDict is read-only
            for key, value in typed.items():
                data[key] = value
            self.data = data


class DsfrForm(DsfrFormMixin, forms.Form):
    pass


class DsfrModelForm(DsfrFormMixin, forms.ModelForm):
    def __init_subclass__(cls, **kwargs):
        # Runs before ModelFormMetaclass reads Meta: the form's foreign keys become the
        # project's ModelChoiceField unless its Meta says otherwise.
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(_listed_choices)


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


# --- Documents sent by the person, and the wait for them (engagements/waits.py) ----

MAX_UPLOAD = 5 * 1024 * 1024
# Accepted attachments, recognised by their first bytes (the name and the browser's
# content type can lie).
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}


def check_upload(upload):
    """Size and real type of an uploaded file; sets its content type from the bytes."""
    if upload is None:
        return None
    if upload.size > MAX_UPLOAD:
        raise forms.ValidationError(
            _("Le fichier dépasse 5 Mo : réduisez-le ou envoyez-le en plusieurs fois.")
        )
    head = upload.read(8)
    upload.seek(0)
    for signature, (content_type, _extension) in SIGNATURES.items():
        if head.startswith(signature):
            upload.content_type = content_type
            return upload
    raise forms.ValidationError(_("Seuls les fichiers PDF, JPEG et PNG sont acceptés."))


class DocumentUploadForm(DsfrForm):
    """A document added by the person (follow page, booking page)."""

    document = forms.FileField(
        label=_("Ajouter un document"),
        help_text=_("Un fichier PDF, JPEG ou PNG de 5 Mo au plus."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean_document(self):
        return check_upload(self.cleaned_data.get("document"))


class MoreTimeForm(DsfrForm):
    """The person asks for more time to send the missing documents (engagements/waits.py)."""

    until = forms.DateField(
        label=_("Nouvelle date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        # What a date picker posts, or what the help text asks for where the browser shows
        # a plain text box, in every language (English would read 05/04 as 4 May).
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_("La date à laquelle vous pourrez nous transmettre les pièces."),
    )
    reason = forms.CharField(
        label=_("Pourquoi avez-vous besoin de plus de temps ?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, wait=None, limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if wait is not None and limit is not None:
            attrs = self.fields["until"].widget.attrs
            attrs["min"] = waits.earliest_new_end(wait.ends_on).isoformat()
            attrs["max"] = limit.isoformat()
            self.fields["until"].help_text = _(
                "Au plus tard le %(limit)s. La date à laquelle vous pourrez nous transmettre "
                "les pièces. Format : jj/mm/aaaa"
            ) % {"limit": limit.strftime("%d/%m/%Y")}


class ExtendWaitForm(DsfrForm):
    """The agent grants more time for the missing documents."""

    until = forms.DateField(
        label="Pièces attendues jusqu'au",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label="Motif", max_length=1000, required=False)
