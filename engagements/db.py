"""Database helpers shared by every app: planner statistics after bulk writes.

PostgreSQL plans a query from the statistics of the tables it reads, which only ANALYZE
(or autovacuum, a minute or more later, or never on a badly tuned server) computes. Right
after a bulk load the planner believes a table of 100,000 rows is empty and nests loops
over it: a report that takes 0.2 s takes minutes. So every command or job that writes many
rows (imports, calendar builds, the demo) calls `analyze(...)` on the tables it filled: the
statistics are fresh when it returns, whatever autovacuum does.
"""

from __future__ import annotations

import functools
import logging
import operator
from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

import orjson
import psycopg
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

logger = logging.getLogger(__name__)


def _table(item) -> str:
    meta = getattr(item, "_meta", None)
    return meta.db_table if meta is not None else str(item)


def analyze(*tables) -> None:
    """ANALYZE the given tables (models or table names) once the current transaction has
    committed (at once outside a transaction). PostgreSQL only; SQLite's planner needs no
    statistics for our queries. A failure (two ANALYZE of one table at the same time) is
    logged, never raised: the rows are written, only the statistics wait for autovacuum."""
    if connection.vendor != "postgresql" or not tables:
        return
    names = sorted({_table(t) for t in tables})
    transaction.on_commit(lambda: _run(names), robust=True)


def analyze_all() -> None:
    """ANALYZE every table of the database once the current transaction has committed (a
    load that fills most tables: the demo, a restore)."""
    if connection.vendor == "postgresql":
        transaction.on_commit(lambda: _run([]), robust=True)


def _run(names: list[str]) -> None:
    quote = connection.ops.quote_name
    try:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(quote(name) for name in names))
    except DatabaseError:
        logger.warning("ANALYZE %s failed; autovacuum will compute the statistics", names)


def next_ids(model, count: int) -> list[int]:
    """`count` ids taken from the model's id sequence (PostgreSQL), for rows loaded with
    `copy_rows` that other rows point to."""
    if count <= 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(model, columns: list[str], rows) -> None:
    """Load rows (tuples in `columns` order) into the model's table with PostgreSQL's COPY,
    inside the current transaction: no model instances, no INSERT statements."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def bulk_insert(model, objects: list, *, batch_size: int = 2000) -> None:
    """Insert unsaved model instances without reading their ids back: COPY on PostgreSQL
    (every concrete column but the automatic id, as the instances hold it), bulk INSERTs
    elsewhere. For many plain rows (a queue_log's calls) that nothing else points to."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = [_column_value(f) for f in fields]
    copy_rows(
        model,
        [f.column for f in fields],
        (tuple(value(obj) for value in values) for obj in objects),
    )


# Fields whose attribute is already what COPY writes (psycopg adapts str, int, bool,
# float, date): read as they are, without Django's per-value conversion, which took most
# of a year of calls' load; so are aware date-times. Naive date-times (made aware), JSON,
# decimals and the rest go through the field's own conversion.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.FloatField,
    models.ForeignKey,
)


def _column_value(field):
    """How `bulk_insert` reads the field's value from an unsaved instance."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    if isinstance(field, _PLAIN_FIELDS) or (
        isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
    ):
        return operator.attrgetter(field.attname)
    if isinstance(field, models.DateTimeField):
        return lambda obj: _aware(getattr(obj, field.attname), field)
    return lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection)


def _aware(value, field):
    """An aware date-time as it is (psycopg writes it); a naive one made aware by Django."""
    if value is None or (isinstance(value, datetime) and value.utcoffset() is not None):
        return value
    return field.get_db_prep_save(value, connection)


def prepared_cursor():
    """A Django cursor (logged like any other) whose statements PostgreSQL prepares: the
    parameters are bound by the server (psycopg's server-side binding) instead of being
    written into the SQL text, and each statement is parsed and planned once per
    connection, then only executed (the booking's statement: a quarter of its database
    time was planning). Its parameters need explicit casts where PostgreSQL cannot infer
    their types (in a SELECT list); a whole row is best one parameter (`json_row`).
    PostgreSQL only.

    Django turns psycopg's automatic preparation off (its own cursors bind on the client
    and never prepare); here a statement is prepared only when run through this cursor."""
    # This thread's connection, looked up once: each attribute read through the `connection`
    # proxy looks it up again (asgiref's Local), and the cursor wrapper reads several on
    # each statement (4 % of a booking's instructions, `benchmarks.booking_instructions`).
    db = connections[DEFAULT_DB_ALIAS]
    # Checked like any cursor's connection (settings: CONN_HEALTH_CHECKS), then opened.
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw = db.connection
    # One cursor per database connection, kept (a connection serves one thread at a time).
    cursor = getattr(raw, "_engagements_prepared", None)
    if cursor is None or cursor.closed:
        if raw.prepare_threshold is None:
            raw.prepare_threshold = 2**31  # never automatic: only `prepare=True` prepares
        cursor = raw._engagements_prepared = _PreparingCursor(raw)
    wrapper = _PreparedDebugWrapper if db.queries_logged else _KeptCursorWrapper
    return wrapper(cursor, db)


class _KeptCursorWrapper(CursorWrapper):
    def __exit__(self, *exc_info):
        pass  # the cursor is kept for the connection's next prepared statement


class _PreparedDebugWrapper(_KeptCursorWrapper, CursorDebugWrapper):
    # Logged as written (with its %s): the server binds the parameters, psycopg never
    # writes the statement with its values.
    def execute(self, sql, params=None):
        with self.debug_sql(sql, params, use_last_executed_query=False):
            return CursorWrapper.execute(self, sql, params)


class _PreparingCursor(psycopg.Cursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=prepare is not False, binary=binary)


def build(model, /, **values):
    """`model(**values)` for a hot path: Django's positional constructor (one assignment per
    field), every field not given taking its default, instead of its keyword one (a lookup
    and a check per field and keyword: 3 % of a booking's instructions in the server,
    `benchmarks.booking_instructions`). A forward relation may be given by its object
    (`slot=slot`: its id is set and the object cached) or by its id (`slot_id`). Refuses
    an unknown name as Django does."""
    plan, names, relations = _build_plan(model)
    related = [(relations[name], values.pop(name)) for name in relations.keys() & values.keys()]
    for field, obj in related:
        values[field.attname] = None if obj is None else obj.pk
    if not names.issuperset(values):
        unknown = ", ".join(sorted(set(values) - names))
        raise TypeError(f"{model.__name__}() got unexpected keyword arguments: {unknown}")
    instance = model(
        *[
            values[name] if name in values else (default() if call else default)
            for name, default, call in plan
        ]
    )
    for field, obj in related:
        if obj is not None:
            field.set_cached_value(instance, obj)
    return instance


@functools.cache
def _build_plan(model) -> tuple[tuple, frozenset, dict]:
    """(attribute, default, whether to call it) per concrete field, in the constructor's
    order: a default that is a callable (a new reference, `dict`, `timezone.now`) is called
    for each object, any other is Django's own `get_default()`, computed once; with the
    attribute names and the forward relations by name."""
    fields = model._meta.concrete_fields
    plan = tuple(
        (f.attname, f.default, True)
        if f.has_default() and callable(f.default)
        else (f.attname, f.get_default(), False)
        for f in fields
    )
    relations = {f.name: f for f in fields if f.is_relation and f.many_to_one}
    return plan, frozenset(name for name, _, _ in plan), relations


@functools.cache
def row_columns(model, exclude: tuple[str, ...] = ()) -> tuple[tuple, str]:
    """For an `INSERT … (columns) SELECT columns FROM …, jsonb_populate_record(NULL::table,
    %s::jsonb) AS r`: the model's concrete fields but its primary key and `exclude` (field
    names), and their quoted column list, which serves both sides (the other relation of
    such a SELECT only has the `id` these columns never include; pass the fields to
    `json_row`)."""
    fields = tuple(
        f for f in model._meta.concrete_fields if not f.primary_key and f.name not in exclude
    )
    return fields, ", ".join(connection.ops.quote_name(f.column) for f in fields)


def json_row(obj, fields) -> str:
    """`obj`'s values for `fields` as one JSON object keyed by column, for a prepared
    INSERT that reads a whole row from one parameter
    (`jsonb_populate_record(NULL::table, %s::jsonb)`): one parameter instead of one per
    column. PostgreSQL checks each value as it would a typed one (a text too long for its
    column is an error, never cut)."""
    return json_text(
        {
            column: getattr(obj, attname) if field is None else field.pre_save(obj, True)
            for column, attname, field in _row_plan(tuple(fields))
        }
    )


def json_text(row: dict) -> str:
    """A row's values (column → value) as `json_row` writes them: dates in full precision
    (ISO 8601 with their offset), decimals and UUIDs as text. orjson: a tenth of the
    standard encoder's time on the booking's hot path."""
    return orjson.dumps(row, default=_json_value).decode()


@functools.cache
def _row_plan(fields: tuple) -> tuple:
    """(column, attribute, field whose pre_save must run or None) per field: most fields'
    pre_save only reads the attribute; dates set on save (auto_now…) and files are asked."""
    return tuple((f.column, f.attname, None if _plain(f) else f) for f in fields)


def _plain(field) -> bool:
    if isinstance(field, models.DateField):  # DateTimeField too
        return not (field.auto_now or field.auto_now_add)
    return type(field).pre_save is models.Field.pre_save


def _json_value(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()  # full precision (DjangoJSONEncoder cuts microseconds)
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} has no JSON form")
