"""Sample URL arguments for every agent URL of the appointments app."""

from django.core.files.base import ContentFile

from tests.appointments.factories import BookingFactory, ProcedureFactory, SlotFactory
from tests.outbox.agent_urls import failed_delivery


def cases(prefecture, site, service) -> dict[str, dict]:
    procedure = ProcedureFactory(service=service)
    slot = SlotFactory(procedure=procedure)
    booking = BookingFactory(slot=slot)
    document = booking.documents.create(
        file=ContentFile(b"%PDF-1.4 test", name="passeport.pdf"),
        name="passeport.pdf",
        content_type="application/pdf",
        size=13,
    )
    rule = procedure.rules.create(weekday=0, starts_at="09:00", ends_at="12:00")
    return {
        "appointments:agents-index": {},
        "appointments:agents-day": {},
        "appointments:agents-day-pdf": {},
        "appointments:agents-day-csv": {},
        "appointments:agents-book-start": {},
        "appointments:agents-export": {},
        "appointments:agents-calendar": {"procedure_pk": procedure.pk},
        "appointments:agents-waitlist": {"procedure_pk": procedure.pk},
        "appointments:agents-procedure-new": {},
        "appointments:agents-procedure": {"procedure_pk": procedure.pk},
        "appointments:agents-rule-add": {"procedure_pk": procedure.pk},
        "appointments:agents-rule-delete": {"procedure_pk": procedure.pk, "pk": rule.pk},
        "appointments:agents-procedure-generate": {"procedure_pk": procedure.pk},
        "appointments:agents-book": {"procedure_pk": procedure.pk, "slot_pk": slot.pk},
        "appointments:agents-slot": {"pk": slot.pk},
        "appointments:agents-slot-new": {"procedure_pk": procedure.pk},
        "appointments:agents-slot-block": {"pk": slot.pk},
        "appointments:agents-booking": {"pk": booking.pk},
        "appointments:agents-resend": {
            "pk": booking.pk,
            "delivery_pk": failed_delivery(prefecture, record=booking).pk,
        },
        "appointments:agents-booking-status": {"pk": booking.pk},
        "appointments:agents-booking-move": {"pk": booking.pk},
        "appointments:agents-certificate": {"pk": booking.pk},
        "appointments:agents-booking-document": {"pk": booking.pk, "document_pk": document.pk},
        "appointments:agents-documents-overdue": {},
        "appointments:agents-documents-decide": {"pk": booking.pk, "action": "maintenir"},
        "appointments:agents-checkin": {"reference": booking.reference},
    }
