"""The template library's lists cost the same number of queries however many templates,
versions and services there are."""

import pytest
from django.urls import reverse

from tests.correspondence.factories import VersionFactory

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
