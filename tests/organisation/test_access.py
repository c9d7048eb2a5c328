"""Who sees which records: Access.scope per role (the rule every app's querysets use)."""

import pytest

from engagements.organisation.access import Access
from engagements.organisation.models import Service, Site


def scoped_services(user, prefecture):
    access = Access.for_user(user)
    qs = Service.objects.all()
    return set(
        access.scope(
            qs,
            prefecture,
            prefecture_field="site__prefecture",
            site_field="site",
            service_field=None,
        ).values_list("slug", flat=True)
    )


@pytest.fixture
def world(prefecture, service, other_service, other_prefecture_service):
    return prefecture


def test_quality_lead_and_auditor_see_the_whole_prefecture(world, quality_lead, auditor):
    assert scoped_services(quality_lead, world) == {"sejour", "accueil"}
    assert scoped_services(auditor, world) == {"sejour", "accueil"}


def test_site_manager_sees_his_sites(world, site_manager):
    assert scoped_services(site_manager, world) == {"sejour"}


def test_agent_sees_his_services_only(world, agent, agent_other_site, service):
    access = Access.for_user(agent)
    assert access.service_ids(world) == {service.pk}
    assert set(access.sites(world).values_list("slug", flat=True)) == {"chef-lieu"}


def test_committee_member_sees_no_operational_record(world, committee_member):
    assert scoped_services(committee_member, world) == set()
    assert Access.for_user(committee_member).can(world, "committee")


def test_outsider_sees_nothing_of_another_prefecture(world, outsider):
    access = Access.for_user(outsider)
    assert not access.prefectures().filter(pk=world.pk).exists()
    assert scoped_services(outsider, world) == set()


def test_national_admin_sees_everything(world, national_admin, other_prefecture):
    access = Access.for_user(national_admin)
    assert set(access.prefectures()) >= {world, other_prefecture}
    assert access.can(world, "manage")
    assert scoped_services(national_admin, world) == {"sejour", "accueil"}


def test_scope_with_service_and_site_fields(world, agent, site, other_site, service):
    """A record with a service is visible through its service; without, through its site."""
    access = Access.for_user(agent)
    sites = Site.objects.all()
    visible = access.scope(sites, world, site_field="pk", service_field=None)
    assert set(visible) == {site}


@pytest.mark.parametrize(
    ("persona", "capabilities"),
    [
        ("quality_lead", {"view", "read_records", "work", "manage", "read_figures", "committee"}),
        ("site_manager", {"view", "read_records", "work", "read_figures"}),
        ("agent", {"view", "read_records", "work"}),
        ("committee_member", {"view", "committee"}),
        ("auditor", {"view", "read_records", "read_figures", "committee"}),
    ],
)
def test_capabilities_per_role(request, world, persona, capabilities):
    user = request.getfixturevalue(persona)
    access = Access.for_user(user)
    granted = {
        c
        for c in ("view", "read_records", "work", "manage", "read_figures", "committee")
        if access.can(world, c)
    }
    assert granted == capabilities


def test_scoped_ids_are_read_once_per_request(
    world, site_manager, site, service, django_assert_num_queries
):
    """A site manager's services are read once for the request (every list of the page is
    scoped with them); the next request's Access reads them again."""
    from tests.factories import ServiceFactory

    access = Access.for_user(site_manager)
    with django_assert_num_queries(1):  # the services of his site
        assert access.service_ids(world) == {service.pk}
        assert access.site_ids(world) == {site.pk}
        access.services(world)
        access.scope(
            Service.objects.all(), world, prefecture_field="site__prefecture", service_field="pk"
        )
        assert access.service_ids(world) == {service.pk}
    added = ServiceFactory(site=site)
    assert Access.for_user(site_manager).service_ids(world) == {service.pk, added.pk}


def test_the_prefecture_of_the_url_comes_with_the_roles(
    world, quality_lead, outsider, national_admin, other_prefecture, django_assert_num_queries
):
    """A role holder's prefecture is read with his roles; a prefecture where he holds none
    is not found (404), while a national administrator finds any."""
    access = Access.for_user(quality_lead)
    with django_assert_num_queries(0):
        assert access.prefecture(world.slug) == world
        assert access.prefecture(other_prefecture.slug) is None
        assert access.prefecture("nowhere") is None
    assert Access.for_user(outsider).prefecture(world.slug) is None
    assert Access.for_user(national_admin).prefecture(other_prefecture.slug) == other_prefecture
