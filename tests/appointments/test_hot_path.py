"""The booking hot path: one seat counter, one bookability rule, a pinned query count, the
API token cached briefly."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements import metrics
from engagements.appointments import services, tokens
from engagements.appointments.enums import BookingStatus, SlotState
from engagements.appointments.models import ApiToken, Booking, BookingLog, Procedure, Slot
from engagements.appointments.queries import slot_state
from engagements.appointments.rules import public_refusal
from engagements.appointments.services import seats, slot_read
from engagements.organisation.models import Prefecture, Site
from engagements.outbox.models import Delivery
from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.tooling import require_postgres

pytestmark = pytest.mark.django_db
APP = Path(__file__).resolve().parents[2] / "engagements" / "appointments"


def test_only_the_seats_module_changes_the_counter():
    """`Slot.booked` is written (update(booked=…)) in services/seats.py and nowhere else."""
    writers = []
    for path in APP.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "update"
                and any(k.arg == "booked" for k in node.keywords)
            ):
                writers.append(path.relative_to(APP).as_posix())
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if "SET booked" in node.value:
                    writers.append(path.relative_to(APP).as_posix())
    assert set(writers) == {"services/seats.py"}
    for path in (APP / "services").glob("*.py"):
        text = path.read_text()
        assert "import _" not in text and "    _take_seat" not in text, path


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"blocked": True},
        {"priority": True},
        {"starts_at_days": 90},  # not open yet (opens 60 days ahead)
        {"starts_at_hours": 1},  # closed online (2 hours before)
    ],
)
def test_the_week_page_and_the_booking_share_one_rule(change):
    """A slot the week shows free is booked; one it shows not bookable is refused."""
    now = timezone.now()
    starts = now + timedelta(days=3)
    if "starts_at_days" in change:
        starts = now + timedelta(days=change["starts_at_days"])
    if "starts_at_hours" in change:
        starts = now + timedelta(hours=change["starts_at_hours"])
    slot = SlotFactory(
        starts_at=starts, blocked=change.get("blocked", False), priority="priority" in change
    )
    state = slot_state(slot, now)
    person = services.Person("Léa", "Martin", email="lea@usager.test")
    if state == SlotState.FREE:
        assert public_refusal(slot, now) is None
        assert services.book_slot(slot, person, now=now).status == BookingStatus.HELD
    else:
        assert public_refusal(slot, now) is not None
        with pytest.raises(services.BookingError) as error:
            services.book_slot(slot, person, now=now)
        assert error.value.code in ("closed", "priority")


def _post(client, token, slot, n):
    return client.post(
        "/api/v1/bookings",
        {
            "slot_id": slot.pk,
            "person": {"first_name": "Ana", "last_name": f"L{n}", "email": f"a{n}@usager.test"},
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_successful_api_booking_takes_a_pinned_number_of_queries(
    client, token, service, django_capture_on_commit_callbacks
):
    procedure = ProcedureFactory(service=service, capacity=5, no_show_policy="wait")
    slot = SlotFactory(procedure=procedure)
    # A former no-show of someone else and an active booking of someone else: the checks
    # still run (one query for both).
    BookingFactory(slot=SlotFactory(procedure=procedure, past=True), status="no_show")
    assert _post(client, token, slot, 0).status_code == 201  # warms the token cache
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, token, slot, 1)
    assert response.status_code == 201, response.json()
    statements = [q["sql"] for q in queries.captured_queries]
    # PostgreSQL: one statement for the check that the slot read before (answered from
    # this process's memory) still holds, the duplicate check, the seat, the booking, its
    # log row and the mail it owes; the no-show history is not read (under "wait" it
    # changes nothing for a partner). Plus a savepoint pair here, inside the test's
    # transaction (none in production: the statement is atomic by itself, see the next
    # test). (SQLite: the slot, the history, then seat, booking, log and mail one by one.)
    work = [s for s in statements if "SAVEPOINT" not in s]
    single = connection.vendor == "postgresql"
    assert len(work) == (1 if single else 6), "\n".join(statements)
    assert len(statements) == len(work) + 2, "\n".join(statements)
    if connection.vendor == "postgresql":
        assert sum("UPDATE" in s and "booked" in s for s in statements) == 1
        assert "outbox_delivery" in work[0] and "appointments_bookinglog" in work[0]
    booking = Booking.objects.get(reference=response.json()["reference"])
    assert booking.status == BookingStatus.CONFIRMED
    assert BookingLog.objects.filter(booking=booking, to_status="confirmed").count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 2
    owed = Delivery.objects.get(record_id=booking.pk, purpose="appointments.confirmed")
    assert owed.template == "appointments/mail/confirmed" and owed.to == [booking.email]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_in_production_the_booking_is_one_statement_without_a_transaction(
    client, token, service, settings
):
    """Outside a transaction (autocommit, as gunicorn serves it) a booking on a slot this
    process has read before is one statement: no read, no BEGIN, no SAVEPOINT, no COMMIT
    round trip around it."""
    require_postgres()
    settings.OUTBOX_DELIVER_AT_COMMIT = False  # the outbox worker sends it
    procedure = ProcedureFactory(service=service, capacity=5, no_show_policy="none")
    slot = SlotFactory(procedure=procedure)
    assert _post(client, token, slot, 0).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert _post(client, token, slot, 1).status_code == 201
        assert connection.get_autocommit()
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1, "\n".join(statements)
    assert not any("SAVEPOINT" in s for s in statements)
    assert Delivery.objects.filter(status="pending", template__endswith="confirmed").count() == 2


def _row_locks(rows: list[tuple[str, int]]) -> list[str]:
    """The xmax of each (table, id) row: a transaction that locked it FOR KEY SHARE (what
    PostgreSQL's check of a foreign key pointing to it does) leaves its id there."""
    with connection.cursor() as cursor:
        return [
            cursor.execute(f"SELECT xmax::text FROM {table} WHERE id = %s", [pk]).fetchone()[0]
            for table, pk in rows
        ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_booking_locks_no_row_that_every_booking_shares(client, token, service, settings):
    """The foreign keys checked when a booking commits lock the rows they point to (FOR KEY
    SHARE): the slot it has just updated and its own new row, nothing else. Not its
    procedure, its prefecture or the booking content type, which every booking shares: two
    bookings committing at once would make a MultiXact there, and each a WAL record."""
    require_postgres()
    settings.OUTBOX_DELIVER_AT_COMMIT = False
    procedure = ProcedureFactory(service=service, capacity=5, no_show_policy="none")
    slot = SlotFactory(procedure=procedure)
    assert _post(client, token, slot, 0).status_code == 201  # the slot read, the token
    shared = [
        ("appointments_procedure", procedure.pk),
        ("organisation_prefecture", procedure.prefecture_id),
        ("django_content_type", ContentType.objects.get_for_model(Booking).pk),
    ]
    before = _row_locks(shared)
    response = _post(client, token, slot, 1)
    assert response.status_code == 201
    assert _row_locks(shared) == before
    booking = Booking.objects.get(reference=response.json()["reference"])
    assert Delivery.objects.get(record_id=booking.pk).prefecture_id == procedure.prefecture_id


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_booking_s_slot_and_procedure_are_one_foreign_key(service):
    """One foreign key on (slot, procedure): a booking points to a slot that exists, and its
    procedure is the slot's."""
    require_postgres()
    slot = SlotFactory(procedure=ProcedureFactory(service=service), capacity=5)
    other = ProcedureFactory(service=service)
    BookingFactory(slot=slot)
    with pytest.raises(IntegrityError, match="appt_booking_slot_fk"), transaction.atomic():
        BookingFactory(slot=slot, procedure=other)
    missing = Slot.objects.order_by("-pk").first().pk + 1000
    with pytest.raises(IntegrityError, match="appt_booking_slot_fk"), transaction.atomic():
        Booking.objects.filter(slot=slot).update(slot_id=missing)
    assert Booking.objects.filter(slot=slot).count() == 1


def test_the_public_booking_query_count_is_pinned_too(service):
    procedure = ProcedureFactory(service=service, capacity=5)
    slot = Slot.objects.select_related("procedure", "procedure__site", "procedure__prefecture").get(
        pk=SlotFactory(procedure=procedure).pk
    )
    person = services.Person("Léa", "Martin", email="lea@usager.test")
    with CaptureQueriesContext(connection) as queries:
        booking = services.book_slot(slot, person, fresh=True)
    assert booking.status == BookingStatus.HELD
    # The history (the "confirm" no-show policy needs it), then seat + booking + log +
    # owed mail in one statement, and the savepoint pair (SQLite: four statements).
    expected = 4 if connection.vendor == "postgresql" else 7
    assert len(queries.captured_queries) == expected, [q["sql"] for q in queries.captured_queries]


def test_the_token_is_cached_briefly_and_forgotten_when_revoked(client, token, service):
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=5))
    assert _post(client, token, slot, 0).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        assert _post(client, token, slot, 1).status_code == 201
    assert not any("appointments_apitoken" in q["sql"] for q in queries.captured_queries)
    api_token = ApiToken.objects.get()
    api_token.revoked_at = timezone.now()
    api_token.save()  # the admin's way: the signal clears the cache at once
    assert _post(client, token, slot, 2).status_code == 401


def test_the_cache_expires_after_its_ttl(client, token, service, monkeypatch):
    slot = SlotFactory(procedure=ProcedureFactory(service=service, capacity=5))
    assert _post(client, token, slot, 0).status_code == 201
    ApiToken.objects.update(revoked_at=timezone.now())  # no signal: only the TTL protects
    assert _post(client, token, slot, 1).status_code == 201  # still cached
    later = tokens.time.monotonic() + 11
    monkeypatch.setattr(tokens.time, "monotonic", lambda: later)
    assert _post(client, token, slot, 2).status_code == 401


@pytest.mark.parametrize("policy", ["wait", "confirm", "none"])
def test_the_one_query_history_agrees_with_the_readable_checks(service, other_service, policy):
    from engagements.appointments.services.booking import _person_history

    now = timezone.now()
    procedure = ProcedureFactory(service=service, no_show_policy=policy, no_show_limit=2)
    sibling = ProcedureFactory(service=other_service)  # same prefecture
    stranger = ProcedureFactory()  # another prefecture
    person = services.Person("Léa", "Martin", email="Lea@Usager.test", phone="06 11 22 33 44")
    for proc, days in [
        (sibling, 10),
        (procedure, 40),
        (procedure, 400),  # outside the look-back
        (stranger, 5),  # another prefecture
    ]:
        no_show = BookingFactory(
            slot=SlotFactory(procedure=proc, starts_at=now - timedelta(days=days)),
            status="no_show",
            email="lea@usager.test",
            phone="",
        )
        no_show.set_identity_keys()
        no_show.save()
    active = BookingFactory(slot=SlotFactory(procedure=procedure), email="", phone="0611223344")
    active.set_identity_keys()
    active.save()
    existing, no_shows = _person_history(procedure, person, now)
    assert existing == services.existing_active_booking(procedure, person).pk == active.pk
    expected = services.no_show_decision(procedure, person, now)
    from engagements.appointments.services.booking import _no_show_verdict

    assert _no_show_verdict(procedure, no_shows, now) == expected
    assert len(no_shows) == (0 if policy == "none" else 2)


def test_a_procedure_changed_elsewhere_is_seen_at_once_by_the_next_booking(client, token, service):
    """The procedure comes from a per-process cache checked against the row's version in
    the slot's own query: an edit by another server (no signal here) counts at once."""
    procedure = ProcedureFactory(service=service, capacity=5, no_show_policy="none")
    slot = SlotFactory(procedure=procedure)
    assert _post(client, token, slot, 0).status_code == 201  # cached
    with CaptureQueriesContext(connection) as queries:
        assert _post(client, token, slot, 1).status_code == 201
    assert not any("FROM appointments_procedure" in q["sql"] for q in queries.captured_queries)
    Procedure.objects.filter(pk=procedure.pk).update(requires_permit_expiry=True)
    refused = _post(client, token, slot, 2)
    assert refused.status_code == 422 and "expiration" in refused.json()["detail"]


@pytest.mark.postgres
def test_a_booking_writes_no_index_it_does_not_need():
    """Every index is written by each booking: no LIKE twin of an equality-only column (what
    CharField's db_index and unique add on PostgreSQL), no single-column index that a
    composite one already leads with."""
    require_postgres()

    def indexes(table):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
            return dict(cursor.fetchall())

    booking = indexes("appointments_booking")
    like = sorted(name for name, sql in booking.items() if "pattern_ops" in sql)
    assert like == ["appt_booking_token_unique"]  # and SMS short links: LIKE 'code%'
    assert len(booking) == 14
    # What most bookings leave empty (no agent, no phone, no foreign number) is indexed
    # where set only: a booking writes no entry for it.
    partial = {name for name, sql in booking.items() if " WHERE " in sql}
    assert {
        "appt_booking_holds",
        "appt_booking_created_by",
        "appt_booking_checked_in_by",
        "appt_booking_email_hash",
        "appt_booking_phone_hash",
        "appt_booking_fn_hash",
    } <= partial
    columns = ("created_by_id", "checked_in_by_id", "phone_hash", "foreign_number_hash")
    for column in (*columns, "hold_expires_at"):
        assert all(" WHERE " in sql for sql in booking.values() if f"({column})" in sql), column
    # The holds' sweep still reaches its index.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    sweep = Booking.objects.filter(status=BookingStatus.HELD, hold_expires_at__lt=timezone.now())
    assert "appt_booking_holds" in sweep.explain()
    log = indexes("appointments_bookinglog")
    assert "WHERE (actor_id IS NOT NULL)" in log["appt_bookinglog_actor"]
    assert len(log) == 3
    delivery = indexes("outbox_delivery")
    assert not [name for name, sql in delivery.items() if "pattern_ops" in sql]
    assert len(delivery) == 4  # and the queue's index takes no sent row


def test_a_site_or_prefecture_changed_elsewhere_is_seen_by_the_next_booking(client, token, service):
    """The slot and its procedure, site and prefecture are kept in memory: the booking's
    statement checks their rows' versions, so a site renamed on another server is what
    the next booking carries (read again), and what the process keeps from then on."""
    procedure = ProcedureFactory(service=service, capacity=5, no_show_policy="none")
    slot = SlotFactory(procedure=procedure)
    assert _post(client, token, slot, 0).status_code == 201  # cached
    prefecture_id = procedure.prefecture_id
    read = slot_read.bookable_slot(slot.pk, prefecture_id=prefecture_id)
    assert read.procedure.site.name == procedure.site.name
    if connection.vendor == "postgresql":  # answered from memory: seat count unknown
        assert read.booked is None
    Site.objects.filter(pk=procedure.site_id).update(name="Sous-préfecture renommée")
    assert _post(client, token, slot, 1).status_code == 201
    read = slot_read.bookable_slot(slot.pk, prefecture_id=prefecture_id)
    assert read.procedure.site.name == "Sous-préfecture renommée"
    Prefecture.objects.filter(pk=prefecture_id).update(name="Préfecture renommée")
    assert _post(client, token, slot, 2).status_code == 201
    read = slot_read.bookable_slot(slot.pk, prefecture_id=prefecture_id)
    assert read.procedure.prefecture.name == "Préfecture renommée"
    assert Slot.objects.get(pk=slot.pk).booked == 3


def test_a_slot_moved_closed_or_shrunk_elsewhere_counts_for_the_next_booking(
    client, token, service
):
    """A slot answered from memory is checked in the booking's own statement: moved on
    another server, the booking is made at its new time (the rules checked against it);
    moved into the past, refused; closed or with no seat left, refused; nothing written
    by a refused booking."""
    procedure = ProcedureFactory(service=service, capacity=5, no_show_policy="none")
    slot = SlotFactory(procedure=procedure)
    assert _post(client, token, slot, 0).status_code == 201  # cached
    later = slot.starts_at + timedelta(days=1)
    Slot.objects.filter(pk=slot.pk).update(starts_at=later, ends_at=later + timedelta(minutes=15))
    moved = _post(client, token, slot, 1)
    assert moved.status_code == 201
    assert moved.json()["start"].startswith(timezone.localtime(later).astimezone().isoformat()[:10])
    assert Booking.objects.get(reference=moved.json()["reference"]).slot.starts_at == later
    past = timezone.now() - timedelta(hours=1)
    Slot.objects.filter(pk=slot.pk).update(starts_at=past, ends_at=past + timedelta(minutes=15))
    refused = metrics.BOOKINGS_REFUSED.labels("closed")
    before = refused._value.get()
    assert _post(client, token, slot, 2).json()["code"] == "closed"
    assert refused._value.get() == before + 1  # one refusal, counted once
    Slot.objects.filter(pk=slot.pk).update(
        starts_at=later, ends_at=later + timedelta(minutes=15), blocked=True
    )
    closed_before = refused._value.get()
    # Remembered in the past, it is read again before any refusal: now later but closed,
    # refused as full; the remembered refusal is neither answered nor counted.
    assert _post(client, token, slot, 3).json()["code"] == "full"
    assert refused._value.get() == closed_before
    Slot.objects.filter(pk=slot.pk).update(blocked=False, capacity=2)
    assert _post(client, token, slot, 4).json()["code"] == "full"
    assert Booking.objects.filter(slot=slot).count() == Slot.objects.get(pk=slot.pk).booked == 2


@pytest.mark.postgres
def test_the_duplicate_check_reads_its_partial_unique_index_in_a_generic_plan(service):
    """A booking's duplicate check is a prepared statement: its generic plan must still
    reach the person's row through the partial unique index of each identity key, not read
    every booking of the procedure (a cost that grew with the procedure's history)."""
    require_postgres()
    slot = SlotFactory(procedure=ProcedureFactory(service=service), capacity=300)
    BookingFactory.create_batch(150, slot=slot)
    sql = seats.active_booking_sql(["email_key", "phone_key"])
    numbered = sql.replace("%s", "{}").format(*(f"${n}" for n in range(1, 5)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appointments_booking")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"PREPARE duplicate_check(bigint, text, bigint, text) AS {numbered}")
        cursor.execute(
            "EXPLAIN EXECUTE duplicate_check(%s, 'personne3@usager.test', %s, '+33612340003')",
            [slot.procedure_id, slot.procedure_id],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE duplicate_check")
    assert "appt_one_active_per_email_key" in plan, plan
    assert "appt_one_active_per_phone_key" in plan, plan
    assert "Filter" not in plan, plan  # no booking read only to be thrown away


@pytest.mark.postgres
def test_the_no_show_look_back_reaches_the_partial_hash_indexes(service):
    """The identity hashes are indexed where not empty: the no-show look-back (its ORM form
    and the booking's hand-written query alike) still reaches the person's rows through
    those partial indexes, not by reading every no-show of the prefecture."""
    require_postgres()
    from engagements.appointments.services import booking as booking_service

    procedure = ProcedureFactory(service=service, no_show_policy="wait")
    person = services.Person(
        first_name="Awa", last_name="Diallo", email="awa@usager.test", phone="0612345678"
    )
    now = timezone.now()
    BookingFactory.create_batch(200, slot=SlotFactory(procedure=procedure, capacity=300))
    with connection.cursor() as cursor:
        # Without the status index, only the hash indexes can find the person's rows.
        cursor.execute("DROP INDEX appt_booking_holds")
        cursor.execute("ANALYZE appointments_booking")
        cursor.execute("SET LOCAL enable_seqscan = off")
    condition = booking_service._no_show_filter(procedure, person, now)
    plan = Booking.objects.filter(condition).explain()
    assert "appt_booking_email_hash" in plan and "appt_booking_phone_hash" in plan, plan
    with CaptureQueriesContext(connection) as queries:
        booking_service._person_history(procedure, person, now)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries.captured_queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "appt_booking_email_hash" in plan and "appt_booking_phone_hash" in plan, plan


@pytest.mark.parametrize("language", ["fr", "en", "uk"])
def test_links_built_around_a_token_are_the_reversed_ones(settings, language):
    """`absolute` resolves the URL around a token once per name and language (a booking's
    hot path): the same link as `reverse`, and a changed SITE_URL is followed."""
    from django.urls import reverse
    from django.utils import translation

    from engagements.appointments import notifications

    token = Booking().token
    for name in ("appointments:manage", "appointments:confirm", "appointments:short"):
        with translation.override(language):
            expected = settings.SITE_URL + reverse(name, args=[token])
        assert notifications.absolute(name, token, language=language) == expected
    settings.SITE_URL = "https://rdv.prefecture.test"
    assert notifications.absolute("appointments:manage", token, language=language).startswith(
        "https://rdv.prefecture.test/"
    )


def test_references_are_eight_letters_read_over_the_phone_without_ambiguity():
    from collections import Counter

    from engagements.appointments.models import REFERENCE_ALPHABET, new_reference

    references = [new_reference() for _ in range(4000)]
    assert all(len(r) == 8 and set(r) <= set(REFERENCE_ALPHABET) for r in references)
    assert not set("01IO") & set("".join(references))
    assert len(set(references)) == len(references)
    # Every letter drawn about as often (uniform: 32 letters, 32,000 draws, ~1,000 each).
    counts = Counter("".join(references))
    assert len(counts) == 32 and min(counts.values()) > 800 and max(counts.values()) < 1200


@pytest.mark.postgres
def test_one_index_finds_a_booking_by_its_token_and_by_its_short_code(service):
    """The token's unique index (pattern operator class) serves the manage links (equality)
    and the SMS short links (the token's start, LIKE 'code%'): a booking writes one index
    for its token, not two."""
    require_postgres()
    slot = SlotFactory(procedure=ProcedureFactory(service=service), capacity=60)
    BookingFactory.create_batch(50, slot=slot)
    booking = Booking.objects.first()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE appointments_booking")
        cursor.execute("SET LOCAL enable_seqscan = off")
    for lookup in (
        Booking.objects.filter(token=booking.token),
        Booking.objects.filter(token__startswith=booking.short_code),
    ):
        assert list(lookup) == [booking]
        assert "appt_booking_token_unique" in lookup.explain(), lookup.explain()


def test_the_booking_statement_stays_short_enough_for_psycopg_to_keep_its_conversion():
    """psycopg converts a statement's placeholders once and keeps the result only for a
    statement of 4 KB at most; a longer one (a column more on the booking…) would be
    parsed again on every booking."""
    from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH, MAX_CACHED_STATEMENT_PARAMS

    from engagements.outbox import services as outbox

    keys = ("email_key", "phone_key", "foreign_number_key")
    text = seats._book_seat_statement(keys, outbox._owed_mail_sql("new_booking"), True)
    assert len(text.encode()) <= MAX_CACHED_STATEMENT_LENGTH - 256  # room for a few columns more
    assert text.count("%s") <= MAX_CACHED_STATEMENT_PARAMS


def test_a_remembered_slot_deleted_elsewhere_is_unknown_not_an_error(client, token, service):
    procedure = ProcedureFactory(service=service, capacity=5, no_show_policy="none")
    slot = SlotFactory(procedure=procedure)
    assert slot_read.bookable_slot(slot.pk, prefecture_id=procedure.prefecture_id)  # remembered
    Slot.objects.filter(pk=slot.pk).delete()
    answer = _post(client, token, slot, 0)
    assert answer.status_code == 422 and answer.json()["detail"] == "Créneau inconnu."
    Procedure.objects.filter(pk=procedure.pk).delete()
    assert _post(client, token, slot, 1).status_code == 422
    assert not Booking.objects.exists()


@pytest.mark.postgres
def test_each_booking_reads_its_own_copy_of_the_remembered_procedure(
    service, django_assert_num_queries
):
    """The procedure is kept once per process and copied for each booking: what one request
    sets on its copy, an attribute or a related object, never reaches the next."""
    require_postgres()
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    first = slot_read.bookable_slot(slot.pk, prefecture_id=procedure.prefecture_id)
    first.procedure.name = "Changé par une requête"
    first.procedure.site = Site(pk=procedure.site_id, name="Autre")
    with django_assert_num_queries(1):  # the slot's own query: the procedure from memory
        second = slot_read.bookable_slot(
            slot.pk, prefecture_id=procedure.prefecture_id, cached=False
        )
    assert second.procedure is not first.procedure
    assert second.procedure.name == procedure.name
    with django_assert_num_queries(0):
        assert second.procedure.site.name == procedure.site.name
        assert second.procedure.prefecture.pk == procedure.prefecture_id
