"""The slot a booking request names, read in one cheap query or none (the booking's hot path).

The slot row is read by a prepared, hand-written statement (no ORM query to build, no
plan to make); its procedure comes from a small per-process cache of Procedure objects
(with their site and prefecture), checked against the version of the procedure's row, and
of its site's and prefecture's: PostgreSQL's `xmin` and `ctid` (the transaction that wrote
the row's current version and where that version lies), read in the same query, change
with every update of the row, even twice in one transaction.

A slot already read by this process is answered from memory, without a query: its seat
count unknown (`booked` None: the booking statement takes the seat if one is left), its
`read_version` set. The booking statement (services/seats.py) then checks, in the same
statement, that what the booking's rules were checked against still holds: the slot's
procedure, start, end and priority, and the procedure's, site's and prefecture's versions.
If not (a slot moved, a procedure edited on another server), nothing is written and
`StaleSlot` is raised: the caller reads the slot again (`cached=False`) and starts over.
So nothing edited elsewhere is trusted for any time. Elsewhere (SQLite) the ORM reads all
four. `bookable_slot` answers None for a slot unknown or of another prefecture.
"""

from __future__ import annotations

import re
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.db.models.expressions import RawSQL

from engagements.db import prepared_cursor

from ..models import Procedure, Slot

_lock = threading.Lock()
_procedures: dict[int, tuple[str, Procedure]] = {}
_MAX_ENTRIES = 500
# Slot id → (its row with `booked` None, the version of its procedure, site, prefecture).
_slots: dict[int, tuple[tuple, str]] = {}
_MAX_SLOTS = 20_000
_BOOKED = 5  # position of `booked` in _SLOT_FIELDS
_SLOT_FIELDS = ("id", "procedure_id", "starts_at", "ends_at", "capacity", "booked")
_SLOT_FIELDS += ("priority", "blocked")
_TABLES = {
    "p": "appointments_procedure",
    "si": "organisation_site",
    "pr": "organisation_prefecture",
}
_VERSION = " || ".join(f"{alias}.xmin::text || {alias}.ctid::text" for alias in _TABLES)
# The slot with the rows whose versions count (the read below and the booking's check).
_FROM = (
    "FROM appointments_slot s "
    "JOIN appointments_procedure p ON p.id = s.procedure_id "
    "JOIN organisation_site si ON si.id = p.site_id "
    "JOIN organisation_prefecture pr ON pr.id = p.prefecture_id"
)
_SQL = (
    "SELECT s.id, s.procedure_id, s.starts_at, s.ends_at, s.capacity, s.booked, s.priority, "
    f"s.blocked, {_VERSION} {_FROM} WHERE s.id = %s AND p.prefecture_id = %s"
)


def _version_sql() -> str:
    """The same version read by the ORM's query (select_related joins by table name)."""
    return re.sub(r"\b(p|si|pr)\.", lambda m: f"{_TABLES[m.group(1)]}.", _VERSION)


class StaleSlot(Exception):
    """What a booking's rules were checked against changed since the slot was read (the
    booking statement wrote nothing): read the slot again and start over."""


def bookable_slot(slot_id: int, *, prefecture_id: int, cached: bool = True) -> Slot | None:
    """The slot with its procedure, site and prefecture, if it is of this prefecture:
    from this process's memory when it has read it before and `cached` (see above)."""
    if not settings.IS_POSTGRES:
        return (
            Slot.objects.select_related("procedure", "procedure__site", "procedure__prefecture")
            .filter(pk=slot_id, procedure__prefecture_id=prefecture_id)
            .first()
        )
    with _lock:
        hit = _slots.get(slot_id) if cached else None
    if hit is not None:
        row, version = hit
        procedure = _remembered(row[1], version)
        if procedure is None or procedure.prefecture_id != prefecture_id:
            # Its procedure forgotten, or not as remembered: ask the database.
            return bookable_slot(slot_id, prefecture_id=prefecture_id, cached=False)
    else:
        with prepared_cursor() as cursor:
            cursor.execute(_SQL, [slot_id, prefecture_id])
            found = cursor.fetchone()
        if found is None:
            return None
        row, version = found[:-1], found[-1]
        with _lock:
            if len(_slots) >= _MAX_SLOTS:
                _slots.clear()
            _slots[slot_id] = (row[:_BOOKED] + (None,) + row[_BOOKED + 1 :], version)
        procedure = _procedure(row[1], version)
    slot = Slot.from_db(DEFAULT_DB_ALIAS, _SLOT_FIELDS, row)
    slot.procedure = procedure
    slot.read_version = version
    return slot


def guard(slot: Slot) -> tuple | None:
    """What the booking statement checks still holds for a slot read here (None for a
    slot read otherwise): its procedure, start, end, priority and the version read."""
    version = getattr(slot, "read_version", None)
    if version is None:
        return None
    return (slot.procedure_id, slot.starts_at, slot.ends_at, slot.priority, version)


# A query of the id of slot %s when (procedure, start, end, priority, version) are still
# the given ones (six parameters: the slot id, then `guard`'s values).
GUARD_SQL = (
    f"SELECT s.id {_FROM} WHERE s.id = %s AND s.procedure_id = %s "
    "AND s.starts_at = %s::timestamptz AND s.ends_at = %s::timestamptz "
    f"AND s.priority = %s::boolean AND {_VERSION} = %s::text"
)


def _remembered(pk: int, version: str) -> Procedure | None:
    """The procedure as this process keeps it, if that is `version`: a copy per request
    (nothing a request sets on its procedure reaches another)."""
    with _lock:
        hit = _procedures.get(pk)
    return _copy(hit[1]) if hit is not None and hit[0] == version else None


def _procedure(pk: int, version: str) -> Procedure:
    procedure = _remembered(pk, version)
    if procedure is None:
        found = (
            Procedure.objects.select_related("site", "prefecture")
            .annotate(row_version=RawSQL(_version_sql(), []))
            .get(pk=pk)
        )
        with _lock:
            if len(_procedures) >= _MAX_ENTRIES:
                _procedures.clear()
            _procedures[pk] = (found.row_version, found)
        procedure = _copy(found)
    return procedure


def _copy(procedure: Procedure) -> Procedure:
    """What `copy.copy` gives (the model's own `__getstate__`: its attributes, and its
    cached relations in a dictionary of its own), without the pickling protocol copy.copy
    goes through: once per booking."""
    clone = Procedure.__new__(Procedure)
    clone.__dict__.update(procedure.__getstate__())
    return clone


def forget() -> None:
    """Empty this process's caches (tests)."""
    with _lock:
        _procedures.clear()
        _slots.clear()
