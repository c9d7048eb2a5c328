"""The template library: versions go draft → submitted to the CLU → published (seed 003)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from engagements.organisation.models import Prefecture, Service

from .. import placeholders
from ..enums import VersionStatus
from ..models import Observation, RegisterSettings, Template, TemplateVersion, VersionEvent


class LibraryError(Exception):
    """A refused operation on the template library (French, shown to the agent)."""


TRANSITIONS: set[tuple[str, str]] = {
    (VersionStatus.DRAFT, VersionStatus.SUBMITTED),
    (VersionStatus.SUBMITTED, VersionStatus.DRAFT),  # withdrawn to be reworked
    (VersionStatus.SUBMITTED, VersionStatus.PUBLISHED),
    (VersionStatus.PUBLISHED, VersionStatus.ARCHIVED),
}


def _transition(version: TemplateVersion, to: str, *, actor) -> None:
    if (version.status, to) not in TRANSITIONS:
        raise LibraryError(
            f"La version {version.number} est « {version.get_status_display()} » : "
            f"elle ne peut pas passer à « {VersionStatus(to).label} »."
        )
    VersionEvent.objects.create(
        version=version, actor=actor, from_status=version.status, to_status=to
    )
    version.status = to


def _check_text(subject: str, body: str) -> None:
    unknown = placeholders.unknown_placeholders(subject + "\n" + body)
    if unknown:
        raise LibraryError(
            "Champs de fusion inconnus : " + ", ".join("{" + name + "}" for name in unknown)
        )


def create_template(
    prefecture: Prefecture,
    *,
    actor,
    name: str,
    purpose: str,
    channel: str,
    subject: str,
    body: str,
    service: Service | None = None,
) -> TemplateVersion:
    """A new template with its first draft version."""
    _check_text(subject, body)
    if service is not None and service.site.prefecture_id != prefecture.pk:
        raise LibraryError("Ce service n'appartient pas à la préfecture.")
    with transaction.atomic():
        template = Template.objects.create(
            prefecture=prefecture, service=service, name=name, purpose=purpose, channel=channel
        )
        version = TemplateVersion.objects.create(
            template=template, number=1, subject=subject, body=body, created_by=actor
        )
        VersionEvent.objects.create(version=version, actor=actor, to_status=VersionStatus.DRAFT)
    return version


def save_draft(template: Template, *, actor, subject: str, body: str) -> TemplateVersion:
    """Edit the current draft, or start a new draft version from the text given."""
    _check_text(subject, body)
    with transaction.atomic():
        Template.objects.select_for_update().get(pk=template.pk)
        draft = template.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            draft.subject, draft.body = subject, body
            draft.save(update_fields=["subject", "body"])
            return draft
        number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = TemplateVersion.objects.create(
            template=template, number=number, subject=subject, body=body, created_by=actor
        )
        VersionEvent.objects.create(version=version, actor=actor, to_status=VersionStatus.DRAFT)
    return version


def submit_version(
    version: TemplateVersion, *, actor, today: date | None = None
) -> TemplateVersion:
    """Send a draft to the CLU; members may comment until the end of the observation window."""
    refuse_missing_blocks(version)
    today = today or timezone.localdate()
    days = RegisterSettings.for_prefecture(version.template.prefecture).observation_days
    with transaction.atomic():
        version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        _transition(version, VersionStatus.SUBMITTED, actor=actor)
        version.submitted_at = timezone.now()
        version.observations_until = today + timedelta(days=days)
        version.save(update_fields=["status", "submitted_at", "observations_until"])
    return version


def withdraw_version(version: TemplateVersion, *, actor) -> TemplateVersion:
    """Take a submitted version back to draft (after observations, to rework it)."""
    with transaction.atomic():
        version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        _transition(version, VersionStatus.DRAFT, actor=actor)
        version.save(update_fields=["status"])
    return version


def refuse_missing_blocks(version: TemplateVersion) -> None:
    missing = placeholders.missing_blocks(version.template.channel, version.subject, version.body)
    if missing:
        kind = "courrier" if version.template.channel == "letter" else "courriel"
        raise LibraryError(
            f"Publication refusée : il manque au {kind}-type le bloc obligatoire "
            + ", ".join(f"« {name} »" for name in missing)
            + "."
        )


def publish_version(
    version: TemplateVersion, *, actor, today: date | None = None
) -> TemplateVersion:
    """Publish after the CLU's observation window; the previous published version is archived."""
    refuse_missing_blocks(version)
    today = today or timezone.localdate()
    if version.status == VersionStatus.SUBMITTED and version.observations_until > today:
        raise LibraryError(
            "Le comité local des usagers peut encore formuler des observations jusqu'au "
            f"{version.observations_until:%d/%m/%Y} : publication possible après cette date."
        )
    with transaction.atomic():
        version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        for previous in version.template.versions.select_for_update().filter(
            status=VersionStatus.PUBLISHED
        ):
            _transition(previous, VersionStatus.ARCHIVED, actor=actor)
            previous.save(update_fields=["status"])
        _transition(version, VersionStatus.PUBLISHED, actor=actor)
        version.published_at = timezone.now()
        version.save(update_fields=["status", "published_at"])
    return version


def add_observation(
    version: TemplateVersion, *, author, text: str, today: date | None = None
) -> Observation:
    """A CLU member's observation, while the version is submitted and the window open."""
    today = today or timezone.localdate()
    if not text.strip():
        raise LibraryError("L'observation est vide.")
    if version.status != VersionStatus.SUBMITTED:
        raise LibraryError("Cette version n'est pas soumise au comité.")
    if version.observations_until and today > version.observations_until:
        raise LibraryError(
            f"Le délai d'observations est clos depuis le {version.observations_until:%d/%m/%Y}."
        )
    return Observation.objects.create(version=version, author=author, text=text.strip())
