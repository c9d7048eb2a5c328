"""Where an action comes from: the records the apps declare as action sources.

`?source=<app_label>.<model>:<pk>` (built by `plugs.new_action_url`) names the record. Each
app declares its own record types in its `AppConfig.ready()` through the shell's
`register_action_source` (engagements/shell/hooks.py): the source kind, how to reach the
record's prefecture, its site and service when known, and a safe label: what the record is,
never who wrote it, because the label may reach the public page's source line. This module
only reads those declarations: it knows no field of another app's models.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.text import capfirst

from engagements.shell import hooks
from engagements.shell.hooks import ActionSource

from .enums import SourceKind


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


def spec_for(label: str) -> ActionSource | None:
    return hooks.action_source(label)


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


def _guess_prefecture_id(obj, depth: int = 0) -> int | None:
    """The `prefecture_id` of the record, or of a record it points to (two hops at most)."""
    value = getattr(obj, "prefecture_id", None)
    if isinstance(value, int):
        return value
    if depth >= 2:
        return None
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.many_to_one:
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
    if spec.prefecture:
        prefecture = spec.prefecture(obj)
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
