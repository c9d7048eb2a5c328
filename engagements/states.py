"""One convention for status changes.

Each app keeps its transition tables beside its enums, in one format:
`{from_status: {allowed target statuses}}` (a status missing from the table allows
nothing). Services change a status only through `transition`, which checks the table, sets
the field, saves it with `update_fields` and writes the log row with the actor, in the
caller's transaction; an illegal change raises the caller's exception class with a French
message. Nothing is left for callers to remember to save.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

Table = Mapping[str, Iterable[str]]


class TransitionError(Exception):
    """An illegal status change (French message)."""


def allowed(table: Table, current: str, to: str) -> bool:
    return to in table.get(current, ())


def _label(obj, field: str, value: str) -> str:
    choices = dict(obj._meta.get_field(field).flatchoices)
    return str(choices.get(value, value))


def check(obj, to: str, *, table: Table, subject: str = "", field: str = "status", error=None):
    """Raise `error` (default TransitionError) unless `obj.<field>` may become `to`."""
    current = getattr(obj, field)
    if not allowed(table, current, to):
        subject = subject or str(obj._meta.verbose_name).capitalize()
        raise (error or TransitionError)(
            f"{subject} est « {_label(obj, field, current)} » et ne peut pas passer à "
            f"« {_label(obj, field, to)} »."
        )


def transition(
    obj,
    to: str,
    *,
    table: Table,
    actor=None,
    log_model=None,
    field: str = "status",
    update_fields: Iterable[str] = (),
    subject: str = "",
    error=None,
    **log_fields,
):
    """Check, set `obj.<field> = to`, save (`update_fields`: the other fields the caller set
    before calling) and write `log_model(from_status, to_status, actor, **log_fields)`.
    Returns the log row (or None without `log_model`). Call inside the service's
    transaction, on a row locked with select_for_update when concurrency matters."""
    check(obj, to, table=table, subject=subject, field=field, error=error)
    old = getattr(obj, field)
    setattr(obj, field, to)
    fields = [field, *update_fields]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    obj.save(update_fields=list(dict.fromkeys(fields)))
    if log_model is None:
        return None
    return log_model.objects.create(from_status=old, to_status=to, actor=actor, **log_fields)
