"""The slot a booking request names, read in one cheap query (the booking's hot path).

The slot row is read by a prepared, hand-written statement (no ORM query to build, no
plan to make); its procedure comes
from a small per-process cache of Procedure objects (with their site and prefecture),
checked against the version of the procedure's row, and of its site's and prefecture's,
on every read: PostgreSQL's `xmin` and `ctid` (the transaction that wrote the row's current
version and where that version lies), read in the same query, change with every update of
the row, even twice in one transaction, so a procedure, site or prefecture edited on another
server is seen at once (nothing is trusted for a time). Elsewhere (SQLite) the ORM reads all
four. `bookable_slot` answers None for a slot unknown or of another prefecture.
"""

from __future__ import annotations

import copy
import re
import threading

from django.db import connection
from django.db.models.expressions import RawSQL

from engagements.db import prepared_cursor

from ..models import Procedure, Slot

_lock = threading.Lock()
_procedures: dict[int, tuple[str, Procedure]] = {}
_MAX_ENTRIES = 500
_SLOT_FIELDS = ("id", "procedure_id", "starts_at", "ends_at", "capacity", "booked")
_SLOT_FIELDS += ("priority", "blocked")
_TABLES = {
    "p": "appointments_procedure",
    "si": "organisation_site",
    "pr": "organisation_prefecture",
}
_VERSION = " || ".join(f"{alias}.xmin::text || {alias}.ctid::text" for alias in _TABLES)
_SQL = (
    "SELECT s.id, s.procedure_id, s.starts_at, s.ends_at, s.capacity, s.booked, s.priority, "
    f"s.blocked, {_VERSION} FROM appointments_slot s "
    "JOIN appointments_procedure p ON p.id = s.procedure_id "
    "JOIN organisation_site si ON si.id = p.site_id "
    "JOIN organisation_prefecture pr ON pr.id = p.prefecture_id "
    "WHERE s.id = %s AND p.prefecture_id = %s"
)


def _version_sql() -> str:
    """The same version read by the ORM's query (select_related joins by table name)."""
    return re.sub(r"\b(p|si|pr)\.", lambda m: f"{_TABLES[m.group(1)]}.", _VERSION)


def bookable_slot(slot_id: int, *, prefecture_id: int) -> Slot | None:
    """The slot with its procedure, site and prefecture, if it is of this prefecture."""
    if connection.vendor != "postgresql":
        return (
            Slot.objects.select_related("procedure", "procedure__site", "procedure__prefecture")
            .filter(pk=slot_id, procedure__prefecture_id=prefecture_id)
            .first()
        )
    with prepared_cursor() as cursor:
        cursor.execute(_SQL, [slot_id, prefecture_id])
        row = cursor.fetchone()
    if row is None:
        return None
    slot = Slot.from_db(connection.alias, _SLOT_FIELDS, row[:-1])
    slot.procedure = _procedure(row[1], row[-1])
    return slot


def _procedure(pk: int, version: str) -> Procedure:
    with _lock:
        hit = _procedures.get(pk)
    if hit is None or hit[0] != version:
        found = (
            Procedure.objects.select_related("site", "prefecture")
            .annotate(row_version=RawSQL(_version_sql(), []))
            .get(pk=pk)
        )
        hit = (found.row_version, found)
        with _lock:
            if len(_procedures) >= _MAX_ENTRIES:
                _procedures.clear()
            _procedures[pk] = hit
    # A copy per request: nothing a request sets on its procedure reaches another.
    return copy.copy(hit[1])


def forget() -> None:
    """Empty this process's cache (tests)."""
    with _lock:
        _procedures.clear()
