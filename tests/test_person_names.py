"""One way to name an agent on every page, log and file: his full name, else his login
(`engagements.words.person`, the `person` filter)."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from engagements.organisation.enums import RoleKind
from engagements.words import person
from tests.appointments.factories import ProcedureFactory
from tests.factories import RoleFactory, UserFactory


@pytest.mark.django_db
def test_a_person_is_named_by_full_name_else_by_login():
    named = UserFactory(username="agathe.a", first_name="Agathe", last_name="Agent")
    unnamed = UserFactory(username="b.agent", first_name="", last_name="")
    assert person(named) == "Agathe Agent"
    assert person(unnamed) == "b.agent"
    assert person(None) == ""
    page = Template("{% load words %}[{{ a|person }}][{{ b|person }}][{{ c|person }}]")
    assert page.render(Context({"a": named, "b": unnamed, "c": None})) == (
        "[Agathe Agent][b.agent][]"
    )
    # Escaped like any variable.
    named.first_name = "<b>Agathe</b>"
    assert "&lt;b&gt;Agathe&lt;/b&gt;" in page.render(Context({"a": named}))


@pytest.mark.django_db
def test_a_procedure_history_names_an_agent_without_a_name_by_his_login(
    prefecture, service, client_for
):
    """It showed "par " and nothing for an agent whose account has no name."""
    lead = RoleFactory(
        kind=RoleKind.QUALITY_LEAD,
        prefecture=prefecture,
        user__username="q.lead",
        user__first_name="",
        user__last_name="",
    ).user
    procedure = ProcedureFactory(service=service)
    procedure.name = "Titre de séjour (renouvellement)"
    procedure._history_user = lead
    procedure.save()
    page = client_for(lead).get(
        reverse("appointments:agents-procedure", args=[prefecture.slug, procedure.pk])
    )
    assert page.status_code == 200
    assert "modification par q.lead" in page.content.decode()
