"""Sample URL arguments for every agent URL of the appointments app."""

from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory


def cases(prefecture, site, service) -> dict[str, dict]:
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    booking = BookingFactory(slot=slot)
    return {
        "appointments:agents-index": {},
        "appointments:agents-day": {},
        "appointments:agents-export": {},
        "appointments:agents-calendar": {"procedure_pk": procedure.pk},
        "appointments:agents-book": {"procedure_pk": procedure.pk, "slot_pk": slot.pk},
        "appointments:agents-slot": {"pk": slot.pk},
        "appointments:agents-slot-new": {"procedure_pk": procedure.pk},
        "appointments:agents-slot-block": {"pk": slot.pk},
        "appointments:agents-booking": {"pk": booking.pk},
        "appointments:agents-booking-status": {"pk": booking.pk},
        "appointments:agents-certificate": {"pk": booking.pk},
        "appointments:agents-checkin": {"reference": booking.reference},
    }
