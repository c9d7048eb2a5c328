"""Where an action comes from: one registry for every source app (resolved lazily by label).

`?source=<app_label>.<model>:<pk>` (built by the `new_action_url` tag) names the record. A
registered label maps to a source kind, a way to reach the record's prefecture, its site and
service when known, and a safe label: what the record is, never who wrote it (no names, no
addresses, no message text), because the label may reach the public page's source line.
Apps built in parallel (committee, indicators) are registered by label only: their models
are looked up when a link is followed, so nothing breaks while they are absent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.text import capfirst

from .enums import SourceKind


@dataclass(frozen=True)
class Spec:
    kind: str
    label: Callable[[models.Model], str] | None = None
    prefecture_path: str | None = None  # e.g. "check_run__prefecture"; None: guessed
    site: Callable[[models.Model], object] | None = None
    service: Callable[[models.Model], object] | None = None
    title: Callable[[models.Model], str] | None = None


@dataclass(frozen=True)
class SourceInfo:
    kind: str
    label: str
    prefecture_id: int | None
    site: object = None
    service: object = None
    title: str = ""

    @property
    def kind_label(self) -> str:
        return SourceKind(self.kind).label


_registry: dict[str, Spec] = {}  # "app_label.model" or "app_label.*"


def register(label: str, spec: Spec) -> None:
    _registry[label.lower()] = spec


def spec_for(label: str) -> Spec | None:
    label = label.lower()
    return _registry.get(label) or _registry.get(label.split(".", 1)[0] + ".*")


class SourceNotFound(Exception):
    pass


def parse(value: str) -> models.Model:
    """The record named `app_label.model:pk`, or SourceNotFound."""
    try:
        label, pk = value.rsplit(":", 1)
        app_label, model_name = label.split(".", 1)
        pk = int(pk)
    except (ValueError, AttributeError) as exc:
        raise SourceNotFound(value) from exc
    if spec_for(label) is None:
        raise SourceNotFound(value)
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as exc:
        raise SourceNotFound(value) from exc
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        raise SourceNotFound(value)
    return obj


def _walk(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _guess_prefecture_id(obj, depth: int = 0) -> int | None:
    """The `prefecture_id` of the record, or of a record it points to (two hops at most)."""
    value = getattr(obj, "prefecture_id", None)
    if isinstance(value, int):
        return value
    if depth >= 2:
        return None
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.many_to_one and field.name != "checker_prefecture":
            related = getattr(obj, field.name, None)
            if related is not None:
                found = _guess_prefecture_id(related, depth + 1)
                if found is not None:
                    return found
    return None


def _generic_label(obj) -> str:
    return f"{capfirst(obj._meta.verbose_name)} n° {obj.pk}"


def describe(obj) -> SourceInfo:
    meta = obj._meta
    spec = spec_for(f"{meta.app_label}.{meta.model_name}")
    if spec is None:
        raise SourceNotFound(f"{meta.app_label}.{meta.model_name}")
    if spec.prefecture_path:
        prefecture = _walk(obj, spec.prefecture_path)
        prefecture_id = prefecture.pk if prefecture is not None else None
    else:
        prefecture_id = _guess_prefecture_id(obj)
    label = (spec.label or _generic_label)(obj)
    return SourceInfo(
        kind=spec.kind,
        label=label,
        prefecture_id=prefecture_id,
        site=spec.site(obj) if spec.site else getattr(obj, "site", None),
        service=spec.service(obj) if spec.service else None,
        title=spec.title(obj) if spec.title else "",
    )


# --- The sources we know -------------------------------------------------------------------


def _message_label(message) -> str:
    parts = [message.get_kind_display()]
    if message.topic_id:
        parts.append(f"thème « {message.topic.name} »")
    return f"Message {message.reference} ({', '.join(parts)})"


def _result_label(result) -> str:
    check = result.check_run
    return (
        f"Contrôle mystère ({check.grid.get_kind_display().lower()}) du "
        f"{check.planned_on:%d/%m/%Y} — critère « {result.criterion.label} »"
    )


def _finding_label(finding) -> str:
    assessment = finding.assessment
    where = f" — {finding.commitment.ref}" if finding.commitment_id else ""
    when = f"{assessment.get_kind_display().lower()} du {assessment.planned_on:%d/%m/%Y}"
    return f"{finding.get_kind_display()}{where} ({when})"


register(
    "correspondence.message",
    Spec(
        SourceKind.COMPLAINT,
        label=_message_label,
        site=lambda m: m.site,
        service=lambda m: m.service,
        title=lambda m: f"Répondre au motif : {m.topic.name}" if m.topic_id else "",
    ),
)
register(
    "correspondence.topic",
    Spec(
        SourceKind.COMPLAINT,
        label=lambda t: f"Réclamations sur le thème « {t.name} »",
        site=lambda t: None,
        title=lambda t: f"Réduire les réclamations : {t.name}",
    ),
)
register(
    "surveys.campaign",
    Spec(SourceKind.SURVEY, label=lambda c: f"Enquête de satisfaction « {c.name} »"),
)
register(
    "surveys.question",
    Spec(
        SourceKind.SURVEY,
        label=lambda q: f"Question d'enquête « {q.text} »",
        prefecture_path="questionnaire__prefecture",
        site=lambda q: None,
    ),
)
register(
    "surveys.checkresult",
    Spec(
        SourceKind.MYSTERY_CHECK,
        label=_result_label,
        prefecture_path="check_run__prefecture",
        site=lambda r: r.check_run.service.site,
        service=lambda r: r.check_run.service,
        title=lambda r: f"Améliorer : {r.criterion.label}",
    ),
)
register(
    "surveys.mysterycheck",
    Spec(
        SourceKind.MYSTERY_CHECK,
        label=lambda c: f"Contrôle mystère du {c.planned_on:%d/%m/%Y}",
        site=lambda c: c.service.site,
        service=lambda c: c.service,
    ),
)
register(
    "quality.finding",
    Spec(
        SourceKind.AUDIT,
        label=_finding_label,
        prefecture_path="assessment__prefecture",
        site=lambda f: f.assessment.site,
        title=lambda f: f.text[:300],
    ),
)
register(
    "quality.experience",
    Spec(
        SourceKind.SP_PLUS,
        label=lambda e: f"Expérience SP+ n° {e.external_id}",
        title=lambda e: (e.improvement or e.title)[:300],
    ),
)
# Built in parallel: resolved by label when the app is installed.
register("committee.decision", Spec(SourceKind.COMMITTEE))
register("committee.suggestion", Spec(SourceKind.COMMITTEE))
register("indicators.*", Spec(SourceKind.INDICATOR, label=lambda o: str(o)[:300]))
