"""Every write of the appointments app: one function per use case.

Seats are protected by PostgreSQL: `seats.take_seat` (the one module that moves
`Slot.booked`) is a conditional UPDATE (`booked <
capacity`, row-locked by the UPDATE itself, re-checked after the lock wait under READ
COMMITTED) and `appt_slot_not_overbooked` is the last line of defence. The one-active-
booking-per-person rule is three partial unique constraints; the code checks first only to
give a friendly answer. Sweeps claim rows with a conditional UPDATE and act only when they
changed exactly one row, so two workers never send the same message twice.
"""

from .booking import (  # noqa: F401
    BookingError,
    Person,
    book_slot,
    cancel_booking,
    cancel_unconfirmed_day_before,
    check_public_rules,
    check_renewal_window,
    check_renewal_window_not_over,
    confirm_booking,
    confirm_day_before,
    existing_active_booking,
    is_priority_person,
    no_show_decision,
    release_expired_holds,
    release_past_booking,
    renewal_window,
    renewal_window_text,
    reschedule_booking,
    resend_manage_link,
    sweep_expired_holds,
)
from .desk import (  # noqa: F401
    book_for_person,
    generate_slots,
    generate_upcoming_slots,
    move_slot,
    open_slot,
    queue_certificate_mail,
    record_attendance,
    set_slot_blocked,
)
from .documents import remind_and_flag_document_waits  # noqa: F401
from .hold_address import correct_hold_address, may_correct_hold_address  # noqa: F401
from .idempotency import purge_idempotency_keys  # noqa: F401
from .slot_read import StaleSlot, bookable_slot  # noqa: F401
from .sweeps import (  # noqa: F401
    accept_offer,
    expire_offers,
    join_waitlist,
    leave_waitlist,
    offer_freed_slots,
    purge_personal_data,
    register_on_waitlist,
    send_reminders,
)
from .waiting_room import draw_due_rooms, purge_waiting_rooms  # noqa: F401
from .waitlist_address import (  # noqa: F401
    correct_waitlist_address,
    may_correct_waitlist_address,
)
