import pytest

from engagements.pdf import ForbiddenResource, render_pdf, resolve_resource
from engagements.qr import qr_svg
from tests.tooling import pdf_text


def test_pdf_fetcher_refuses_the_network():
    with pytest.raises(ForbiddenResource):
        resolve_resource("https://example.org/font.woff2")
    with pytest.raises(ForbiddenResource):
        resolve_resource("file:///etc/passwd")
    assert resolve_resource("static:/engagements/app.css").startswith("file:///")


def _template_dir(settings, tmp_path):
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates


def test_render_pdf_gives_text(tmp_path, settings):
    _template_dir(settings, tmp_path)
    (tmp_path / "doc.html").write_text(
        "<html lang='fr'><head><title>Essai</title></head><body><h1>Bonjour {{ name }}</h1>"
        "<img src='https://example.org/x.png' alt=''></body></html>"
    )
    pdf = render_pdf("doc.html", {"name": "Alice"})
    assert pdf.startswith(b"%PDF")
    assert "Bonjour Alice" in pdf_text(pdf)


def test_qr_svg_is_inline_svg():
    svg = qr_svg("https://example.test/avis/abc", title="Donner votre avis")
    assert svg.startswith("<svg") and "Donner votre avis" in svg


def test_build_mail_renders_subject_text_and_html(tmp_path, settings):
    from engagements.mail import build_mail

    _template_dir(settings, tmp_path)
    (tmp_path / "hello_subject.txt").write_text("Bonjour\n{{ name }}\n")
    (tmp_path / "hello_body.txt").write_text("Texte pour {{ name }}")
    (tmp_path / "hello_body.html").write_text("<p>HTML pour {{ name }}</p>")
    built = build_mail("hello", {"name": "Alice"}, ["alice@example.test"])
    assert built.subject == "Bonjour Alice"
    assert built.body == "Texte pour Alice"
    assert built.alternatives[0][0] == "<p>HTML pour Alice</p>"


def test_json_row_gives_each_column_what_saving_would_write():
    """`json_row` reads most attributes directly: the same values as each field's
    pre_save, dates set on save (auto_now_add) included."""
    import json

    from django.utils import timezone

    from engagements.appointments.models import Booking
    from engagements.db import _json_value, json_row, row_columns
    from engagements.outbox.models import Delivery

    for obj in (
        Booking(first_name="Awa", email="awa@usager.test", created_at=timezone.now()),
        Delivery(kind="email", to=["awa@usager.test"], next_attempt_at=timezone.now()),
    ):
        fields = row_columns(type(obj))[0]
        row = json.loads(json_row(obj, fields))
        expected = {f.column: f.pre_save(obj, True) for f in fields}
        expected = json.loads(json.dumps(expected, default=_json_value))
        if isinstance(obj, Delivery):  # auto_now_add: set by each call, both set
            assert row.pop("created_at") and expected.pop("created_at")
        assert row == expected


@pytest.mark.django_db
def test_build_makes_the_object_the_keyword_constructor_makes(django_assert_num_queries):
    """`build` (a hot path's constructor) gives each field the value `Model(**values)`
    gives, caches a related object given, calls a callable default for each object and
    refuses an unknown name."""
    from django.utils import timezone

    from engagements.appointments.models import Booking
    from engagements.db import build
    from tests.appointments.factories import SlotFactory

    slot = SlotFactory()
    values = {
        "procedure": slot.procedure,
        "slot": slot,
        "created_by": None,
        "channel": "api",
        "first_name": "Awa",
        "email": "awa@usager.test",
        "answers": {"dossier": "A12"},
        "created_at": timezone.now(),
    }
    built, made = build(Booking, **values), Booking(**values)
    drawn = ("reference", "token")  # new_reference(), new_token(): drawn for each object
    fields = [f.attname for f in Booking._meta.concrete_fields if f.attname not in drawn]
    assert {name: getattr(built, name) for name in fields} == {
        name: getattr(made, name) for name in fields
    }
    assert built._state.adding and built.pk is None
    with django_assert_num_queries(0):
        assert built.slot is slot and built.procedure is slot.procedure
    other = build(Booking, slot_id=slot.pk, procedure_id=slot.procedure_id)
    assert other.slot_id == slot.pk and other.procedure_id == slot.procedure_id
    assert other.reference and other.token
    assert (other.reference, other.token) != (built.reference, built.token)
    assert other.answers == {} and other.answers is not build(Booking).answers
    with pytest.raises(TypeError, match="colour"):
        build(Booking, colour="bleu")
