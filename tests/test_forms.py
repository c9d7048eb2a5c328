from django import forms

from engagements.forms import DsfrForm


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
