"""The template library: versions go draft → submitted to the CLU → published (seed 003)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from engagements import states
from engagements.organisation.models import Prefecture, Service

from .. import placeholders
from ..enums import VERSION_TRANSITIONS, VersionStatus
from ..models import Observation, RegisterSettings, Template, TemplateVersion, VersionEvent


class LibraryError(Exception):
    """A refused operation on the template library (French, shown to the agent)."""


def _version_transition(version: TemplateVersion, to: str, *, actor, update_fields=()) -> None:
    states.transition(
        version,
        to,
        table=VERSION_TRANSITIONS,
        actor=actor,
        log_model=VersionEvent,
        update_fields=update_fields,
        subject=f"La version {version.number}",
        error=LibraryError,
        version=version,
    )


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
        version.submitted_at = timezone.now()
        version.observations_until = today + timedelta(days=days)
        _version_transition(
            version,
            VersionStatus.SUBMITTED,
            actor=actor,
            update_fields=["submitted_at", "observations_until"],
        )
    return version


def withdraw_version(version: TemplateVersion, *, actor) -> TemplateVersion:
    """Take a submitted version back to draft (after observations, to rework it)."""
    with transaction.atomic():
        version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        _version_transition(version, VersionStatus.DRAFT, actor=actor)
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
    # The window's last day is the members' (add_observation takes it): publishing on it
    # would cut them off.
    if version.status == VersionStatus.SUBMITTED and version.observations_until >= today:
        raise LibraryError(
            "Le comité local des usagers peut encore formuler des observations jusqu'au "
            f"{version.observations_until:%d/%m/%Y} : publication possible après cette date."
        )
    with transaction.atomic():
        version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
        for previous in version.template.versions.select_for_update().filter(
            status=VersionStatus.PUBLISHED
        ):
            _version_transition(previous, VersionStatus.ARCHIVED, actor=actor)
        version.published_at = timezone.now()
        _version_transition(
            version, VersionStatus.PUBLISHED, actor=actor, update_fields=["published_at"]
        )
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
