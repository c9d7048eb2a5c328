"""The template library's lists and the mails to check cost the same number of queries
however many templates, versions, mails and services there are."""

import pytest
from django.urls import reverse

from engagements.correspondence.enums import QuarantineStatus
from engagements.correspondence.models import Mailbox, QuarantinedMail
from tests.correspondence.factories import MessageFactory, VersionFactory

pytestmark = pytest.mark.django_db


def test_the_library_s_queries_do_not_grow_with_the_templates(
    prefecture, service, other_service, quality_lead, client_for, django_assert_max_num_queries
):
    """The référent sees every template, published or waiting for the committee, in five
    queries: session, user, roles; the templates; their visible versions."""
    client = client_for(quality_lead)
    url = reverse("correspondence:agents-templates", args=[prefecture.slug])
    VersionFactory(template__prefecture=prefecture, template__service=service, published=True)
    with django_assert_max_num_queries(5) as first:
        client.get(url)
    for _ in range(6):
        VersionFactory(
            template__prefecture=prefecture, template__service=other_service, published=True
        )
        VersionFactory(template__prefecture=prefecture, template__service=service, submitted=True)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["templates"]) == 13
    assert len(response.context["submitted"]) == 6


def test_the_collection_s_queries_do_not_grow_with_the_templates(
    prefecture, service, other_service, quality_lead, client_for, django_assert_max_num_queries
):
    """The printable collection previews each published template with its service's
    details, read with the versions: four queries, whatever the templates and services."""
    client = client_for(quality_lead)
    url = reverse("correspondence:agents-templates-collection", args=[prefecture.slug])
    VersionFactory(template__prefecture=prefecture, template__service=service, published=True)
    with django_assert_max_num_queries(4) as first:
        client.get(url)
    for _ in range(6):
        VersionFactory(
            template__prefecture=prefecture, template__service=other_service, published=True
        )
        VersionFactory(template__prefecture=prefecture, template__service=service, published=True)
        VersionFactory(template__prefecture=prefecture, template__service=service)  # a draft
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    versions = response.context["versions"]
    assert len(versions) == 13
    assert {v.template.service for v in versions} == {service, other_service}
    assert other_service.name in response.content.decode()


def _mailbox(prefecture, service, label):
    return Mailbox.objects.create(
        prefecture=prefecture,
        site=service.site,
        service=service,
        label=label,
        host="127.0.0.1",
        username="u",
        password="p",
    )


def test_the_mails_to_check_queries_do_not_grow(
    prefecture, service, other_service, quality_lead, client_for, django_assert_max_num_queries
):
    """The référent sees the mails left aside with their mailbox, and the ones already
    dealt with with the message they became: six queries for two mails as for twenty-three
    over two sites' mailboxes."""
    client = client_for(quality_lead)
    url = reverse("correspondence:agents-quarantine", args=[prefecture.slug])
    here = _mailbox(prefecture, service, "Boîte du séjour")
    QuarantinedMail.objects.create(mailbox=here, error="trop volumineux", subject="Gros")
    QuarantinedMail.objects.create(
        mailbox=here,
        error="x",
        status=QuarantineStatus.REGISTERED,
        message=MessageFactory(service=service),
    )
    with django_assert_max_num_queries(6) as first:
        client.get(url)
    there = _mailbox(prefecture, other_service, "Boîte du Nord")
    for n in range(7):
        QuarantinedMail.objects.create(mailbox=there, error="illisible", subject=f"Nord {n}")
        QuarantinedMail.objects.create(
            mailbox=there,
            error="x",
            status=QuarantineStatus.REGISTERED,
            message=MessageFactory(service=other_service),
        )
        QuarantinedMail.objects.create(mailbox=here, error="x", status=QuarantineStatus.DISCARDED)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert len(response.context["pending"]) == 8
    assert response.context["page"].paginator.count == 15
    html = response.content.decode()
    assert "Boîte du Nord" in html and "Nord 6" in html
