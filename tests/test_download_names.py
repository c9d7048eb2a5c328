"""Issue 20 row 11: files download under their own name in any alphabet, and a document
added on the follow page is served with its checked type and a matching extension."""

import subprocess
from datetime import date
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from engagements.correspondence import services
from engagements.correspondence.enums import Kind
from engagements.correspondence.services import follow as follow_link
from engagements.organisation.enums import Channel
from engagements.quality.evidence import add_evidence

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_evidence_with_a_non_latin_name_downloads_with_its_name(
    prefecture, site, quality_lead, client_for
):
    version = add_evidence(
        prefecture=prefecture,
        title="Affiche",
        actor=quality_lead,
        site=site,
        file=SimpleUploadedFile("Объявление-القاعة.pdf", b"%PDF-1.4 affiche"),
    )
    url = reverse("quality:agents-evidence-file", args=[prefecture.slug, version.pk])
    response = client_for(quality_lead).get(url)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('Объявление-القاعة.pdf')}" in disposition
    assert b"".join(response.streaming_content) == b"%PDF-1.4 affiche"
    response.close()


def test_a_follow_page_upload_is_served_with_its_checked_type(
    prefecture, service, agent, client, client_for
):
    message = services.create_message(
        prefecture,
        site=service.site,
        service=service,
        channel=Channel.EMAIL,
        kind=Kind.INFORMATION,
        received_on=date(2026, 3, 2),
        sender_email="lea.martin@example.test",
        subject="Titre de séjour",
        body="Bonjour",
        acknowledge=False,
    )
    follow = reverse(
        "correspondence:follow", args=[prefecture.slug, follow_link.follow_token(message)]
    )
    # A PNG named like a web page, sent as one: checked from its bytes on upload.
    upload = SimpleUploadedFile("photo.html", PNG, content_type="text/html")
    assert client.post(follow, {"document": upload}).status_code == 302
    attachment = message.attachments.get()
    assert attachment.content_type == "image/png"
    url = reverse("correspondence:agents-attachment", args=[prefecture.slug, attachment.pk])
    response = client_for(agent).get(url)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="photo.png"'
    assert b"".join(response.streaming_content) == PNG
    response.close()


def test_no_hand_written_content_disposition_is_left():
    found = subprocess.run(
        ["grep", "-rn", "--include=*.py", 'Content-Disposition"] = f\\?[\'"]', "engagements"],
        capture_output=True,
        text=True,
    ).stdout
    assert found == "", found
