import importlib
import pkgutil
from datetime import date

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

import engagements
from engagements.forms import (
    DsfrForm,
    ListedChoiceIterator,
    ModelChoiceField,
    ModelMultipleChoiceField,
)
from engagements.organisation.models import Site


class ContactForm(DsfrForm):
    name = forms.CharField(label="Nom")
    topic = forms.ChoiceField(label="Sujet", choices=[("a", "A")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["added_later"] = forms.CharField(label="Ajouté ensuite")


def test_widgets_get_dsfr_classes_even_when_added_after_init():
    html = str(ContactForm())
    assert 'class="fr-input"' in html and 'class="fr-select"' in html
    assert html.count('class="fr-input"') == 2
    assert html.count('class="fr-input"') == str(ContactForm()).count('class="fr-input"')


def test_invalid_fields_point_to_their_error():
    form = ContactForm(data={"topic": "a"})
    assert not form.is_valid()
    rendered = str(form["name"])
    assert 'aria-invalid="true"' in rendered
    assert f'aria-describedby="{form["name"].auto_id}-error"' in rendered
    assert "aria-invalid" not in str(form["topic"])


class HintedForm(DsfrForm):
    email = forms.EmailField(label="Courriel", help_text="Format : nom@domaine.fr")
    agree = forms.BooleanField(label="J'accepte", help_text="Obligatoire pour continuer")


@pytest.mark.parametrize("data", [None, {"email": "pas une adresse"}, {"email": "a@b.fr"}])
def test_every_description_a_field_points_to_is_on_the_page(data):
    """Django points a field with help text at `<id>_helptext` (and the project's forms an
    invalid one at `<id>-error`): each id named by aria-describedby must exist, or a screen
    reader reads nothing."""
    import re

    from django.template.loader import render_to_string

    form = HintedForm(data=data)
    form.is_valid()
    for name in form.fields:
        html = render_to_string("components/field.html", {"field": form[name]})
        described = re.findall(r'aria-describedby="([^"]+)"', html)
        assert described, (name, html)
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        for reference in " ".join(described).split():
            assert reference in ids, (name, reference, html)


class SitePicker(DsfrForm):
    site = ModelChoiceField(label="Site", queryset=Site.objects.none(), empty_label="Tous")
    sites = ModelMultipleChoiceField(label="Sites", queryset=Site.objects.none())

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["sites"].queryset = sites


@pytest.mark.django_db
def test_a_choice_list_is_read_with_one_plain_query(site, other_site):
    """Django's choice iterator reads through `.iterator()`: on PostgreSQL a server-side
    cursor (DECLARE, FETCH, CLOSE) for a list of a few rows."""
    form = SitePicker(sites=Site.objects.filter(pk__in=[site.pk, other_site.pk]))
    with CaptureQueriesContext(connection) as captured:
        html = str(form["site"]) + str(form["sites"])
    assert html.count(f'value="{site.pk}"') == 2 and html.count(f'value="{other_site.pk}"') == 2
    sql = [query["sql"] for query in captured.captured_queries]
    assert len(sql) == 2, sql
    assert not any("DECLARE" in text or "CURSOR" in text for text in sql), sql


class SiteFilter(DsfrForm):
    site = ModelChoiceField(queryset=None, required=False, empty_label="Tous", listed=True)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


@pytest.mark.django_db
def test_a_listed_choice_is_checked_against_the_list_the_page_shows(site, other_site):
    """A filter form's answer is found in the listed choices: one query checks it and
    lists the select, where Django makes one for each."""
    sites = Site.objects.filter(pk=site.pk)
    with CaptureQueriesContext(connection) as captured:
        form = SiteFilter({"site": str(site.pk)}, sites=sites)
        assert form.is_valid() and form.cleaned_data["site"] == site
        html = str(form["site"])
    assert f'<option value="{site.pk}" selected>' in html
    assert len(captured.captured_queries) == 1
    for wrong in (str(other_site.pk), "abc", "0"):  # not listed (not his), not a number
        form = SiteFilter({"site": wrong}, sites=sites)
        assert not form.is_valid()
        assert "Sélectionnez un choix valide" in form.errors["site"][0]
    empty = SiteFilter({"site": ""}, sites=sites)
    assert empty.is_valid() and empty.cleaned_data["site"] is None


def _project_forms():
    for module in pkgutil.walk_packages(engagements.__path__, "engagements."):
        if module.name.rsplit(".", 1)[-1].endswith("forms"):
            importlib.import_module(module.name)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for form in todo.pop().__subclasses__():
            if form not in seen:
                seen.add(form)
                todo.append(form)
    # The admin builds its own fields (ModelAdmin.formfield_for_dbfield).
    return [
        form
        for form in seen
        if form.__module__.startswith("engagements.") and not form.__module__.endswith(".admin")
    ]


def test_every_model_choice_list_is_read_with_one_query():
    """Forms use engagements.forms.ModelChoiceField (model forms' foreign keys included)."""
    found = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _project_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
        and not issubclass(field.iterator, ListedChoiceIterator)
    ]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=[("", "Tous"), ("a", "A & <b>"), (1, "Un")]), "a"),
        (forms.Select(attrs={"class": "fr-select", "aria-invalid": "true"}), None),
        (forms.Select(choices=[("Groupe", [("x", "X"), ("y", "Y")]), ("z", "Z")]), "y"),
        (forms.Select(choices=[("<G>", [("x", "X")]), ("", [("y", "Y")])]), None),
        (forms.SelectMultiple(choices=[("a", "A"), ("b", "B"), ("c", "C")]), ["a", "c"]),
        (forms.NullBooleanSelect(), True),
        # Numbers and dates shown localized, lazy labels translated, safe text left as is.
        (forms.Select(choices=[(1.5, 2.5), (date(2026, 3, 2), date(2026, 3, 2))]), 1.5),
        (forms.Select(choices=[("o", _("Oui")), ("s", mark_safe("<b>sûr</b>"))]), "s"),
        (
            forms.Select(
                attrs={"data-x": mark_safe("a&b"), "data-y": "a&b", "hidden": True, "no": False},
                choices=[("a", "A")],
            ),
            "a",
        ),
        (forms.Select(choices=[]), None),
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_project_renderer_writes_django_s_select(widget, value, language):
    """engagements.forms.FormRenderer writes a select's options in Python: Django's own
    templates give the same HTML."""
    from django.forms.renderers import DjangoTemplates
    from django.utils import translation

    from engagements.forms import FormRenderer

    with translation.override(language):
        ours = widget.render("f", value, attrs={"id": "id_f"}, renderer=FormRenderer())
        django = widget.render("f", value, attrs={"id": "id_f"}, renderer=DjangoTemplates())
    assert "<option" in ours or not getattr(widget, "choices", True)
    assert ours == django


def test_an_option_with_a_template_of_its_own_gets_it():
    from django.forms.renderers import DjangoTemplates

    from engagements.forms import FormRenderer

    class Starred(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Starred(choices=[("a", "A"), ("b", "B")])
    ours = widget.render("f", "a", renderer=FormRenderer())
    assert ours == widget.render("f", "a", renderer=DjangoTemplates())
    assert '<input type="select" name="f" value="a"' in ours


def test_forms_use_the_project_renderer():
    from engagements.forms import DsfrForm, FormRenderer

    assert isinstance(DsfrForm().renderer, FormRenderer)
