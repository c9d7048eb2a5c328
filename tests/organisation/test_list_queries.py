"""The organisation's history costs the same number of queries however many changes it
lists."""

import pytest
from django.urls import reverse

from tests.factories import ServiceFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _rename(record, user, name):
    record._history_user = user  # as the agents' forms record it (the request's user)
    record.name = name
    record.save()


def test_the_history_s_queries_do_not_grow_with_the_changes(
    prefecture, site, service, quality_lead, client_for, django_assert_max_num_queries
):
    """Each change says who made it, on what (a service with its site) and what changed;
    the authors, the records before each change and the sites are read once for the page:
    thirteen queries for two changes, the same for twenty-nine records (it grew by one to
    three queries per record)."""
    client = client_for(quality_lead)
    url = reverse("organisation:agents-history", args=[prefecture.slug])
    _rename(site, quality_lead, "Préfecture — Chef-Lieu (accueil)")
    _rename(service, quality_lead, "Bureau du séjour des étrangers")
    with django_assert_max_num_queries(13) as first:
        client.get(url)
    for n in range(6):
        other = SiteFactory(prefecture=prefecture, slug=f"site-{n}", name=f"Site {n}")
        _rename(other, quality_lead, f"Maison France services {n}")
        _rename(
            ServiceFactory(site=other, slug=f"s{n}", name=f"Bureau {n}"),
            quality_lead,
            f"Accueil {n}",
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    entries = response.context["entries"]
    assert len(entries) == 29  # the prefecture, fourteen sites' and services' records each
    renamed = [
        e for e in entries if e["object"] == "Service « Accueil 5 (Maison France services 5) »"
    ]
    assert renamed[0]["who"] == "Quentin Qualité" and renamed[0]["action"] == "modification"
    assert [(c["old"], c["new"]) for c in renamed[0]["changes"]] == [("Bureau 5", "Accueil 5")]


def test_a_site_and_a_service_with_the_same_history_ids_keep_their_own_changes(
    prefecture, site, service, quality_lead, client_for
):
    """Each history table numbers its records on its own: a site's and a service's records
    may carry the same ids, and each modification is still compared with its own record
    before, not the other table's."""
    from django.db.models import Max

    _rename(site, quality_lead, "Préfecture — accueil général")
    _rename(service, quality_lead, "Bureau des étrangers")
    tables = [type(site).history.model, type(service).history.model]
    start = 1 + max(t.objects.aggregate(top=Max("history_id"))["top"] for t in tables)
    for table, record in zip(tables, (site, service), strict=True):
        rows = table.objects.filter(id=record.pk).order_by("history_date")
        for offset, history_id in enumerate(list(rows.values_list("history_id", flat=True))):
            table.objects.filter(history_id=history_id).update(history_id=start + offset)
    response = client_for(quality_lead).get(
        reverse("organisation:agents-history", args=[prefecture.slug])
    )
    changed = {
        e["object"]: [(c["old"], c["new"]) for c in e["changes"]]
        for e in response.context["entries"]
        if e["action"] == "modification"
    }
    assert changed == {
        "Site « Préfecture — accueil général »": [
            ("Préfecture — Chef-Lieu", "Préfecture — accueil général")
        ],
        "Service « Bureau des étrangers (Préfecture — accueil général) »": [
            ("Bureau du séjour", "Bureau des étrangers")
        ],
    }
