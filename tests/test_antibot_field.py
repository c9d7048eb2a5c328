from django import forms

from engagements.antibot import ProofOfWorkField


class BareForm(forms.Form):
    altcha = ProofOfWorkField()


def test_the_proof_of_work_field_renders_with_the_project_renderer():
    html = str(BareForm()["altcha"])
    assert "data-pow" in html and 'name="altcha"' in html
    assert "engagements/pow.js" in html
    assert "<noscript>" in html
