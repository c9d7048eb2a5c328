"""Issue 20 row 3: in the admin, approved minutes and published results are read-only and
never deleted (neither one by one nor with "delete selected", nor through their meeting)."""

from datetime import date

import pytest
from django.urls import reverse

from engagements.committee.models import Meeting, Minutes
from engagements.indicators.models import Publication
from tests.committee.factories import MinutesFactory

pytestmark = pytest.mark.django_db


def test_approved_minutes_cannot_be_deleted_nor_changed(admin_client):
    approved = MinutesFactory(approved=True, introduction="Texte approuvé")
    draft = MinutesFactory()
    change = reverse("admin:committee_minutes_change", args=[approved.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    response = admin_client.post(change, {"introduction": "Réécrit", "version": 1})
    assert response.status_code == 403  # today: FrozenMinutes → 500
    delete = reverse("admin:committee_minutes_delete", args=[approved.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:committee_minutes_changelist")
    admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [approved.pk, draft.pk], "post": "yes"},
    )
    assert Minutes.objects.filter(pk=approved.pk, introduction="Texte approuvé").exists()
    # A draft is still an ordinary record of the admin.
    admin_client.post(reverse("admin:committee_minutes_delete", args=[draft.pk]), {"post": "yes"})
    assert not Minutes.objects.filter(pk=draft.pk).exists()


def test_a_meeting_with_approved_minutes_cannot_be_deleted(admin_client):
    approved = MinutesFactory(approved=True)
    meeting = approved.meeting
    delete = reverse("admin:committee_meeting_delete", args=[meeting.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    admin_client.post(
        reverse("admin:committee_meeting_changelist"),
        {"action": "delete_selected", "_selected_action": [meeting.pk], "post": "yes"},
    )
    assert Meeting.objects.filter(pk=meeting.pk).exists()
    assert Minutes.objects.filter(pk=approved.pk).exists()


def test_publications_are_read_only_in_the_admin(admin_client, prefecture, quality_lead):
    publication = Publication.objects.create(
        prefecture=prefecture,
        period_kind="year",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        published_by=quality_lead,
    )
    change = reverse("admin:indicators_publication_change", args=[publication.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(change, {"note": "x"}).status_code == 403
    delete = reverse("admin:indicators_publication_delete", args=[publication.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Publication.objects.filter(pk=publication.pk, note="").exists()
