from django.urls import path

from .views import agents, public

app_name = "appointments"

R = "rendez-vous"
public_urlpatterns = [
    path(f"{R}/prefecture/<slug:prefecture>/", public.procedures, name="procedures"),
    path(f"{R}/demarche/<int:pk>/", public.terms, name="terms"),
    path(f"{R}/demarche/<int:pk>/creneaux/", public.slots, name="slots"),
    path(f"{R}/demarche/<int:pk>/creneaux/<int:slot_pk>/", public.details, name="details"),
    path(f"{R}/demarche/<int:pk>/liste-attente/", public.waitlist, name="waitlist"),
    path(f"{R}/liste-attente/inscription/", public.waitlist_joined, name="waitlist-joined"),
    path(f"{R}/demarche/<int:pk>/salle-attente/", public.waiting, name="waiting-room"),
    path(f"{R}/verifiez-vos-courriels/", public.sent, name="sent"),
    path(f"{R}/confirmer/<str:token>/", public.confirm, name="confirm"),
    path(f"{R}/gerer/<str:token>/", public.manage, name="manage"),
    path(f"{R}/gerer/<str:token>/annuler/", public.cancel, name="cancel"),
    path(f"{R}/gerer/<str:token>/annuler/confirmer/", public.cancel_confirm, name="cancel-confirm"),
    path(f"{R}/gerer/<str:token>/deplacer/", public.reschedule, name="reschedule"),
    path(f"{R}/gerer/<str:token>/documents/", public.send_document, name="send-document"),
    path(
        f"{R}/gerer/<str:token>/documents/delai/",
        public.documents_more_time,
        name="documents-more-time",
    ),
    path(f"{R}/gerer/<str:token>/rendez-vous.ics", public.ics, name="ics"),
    path(f"{R}/gerer/<str:token>/recapitulatif.pdf", public.pdf, name="pdf"),
    path(f"{R}/gerer/<str:token>/attestation.pdf", public.certificate, name="certificate"),
    path(f"{R}/gerer/<str:token>/veille/", public.day_before, name="day-before"),
    path(f"{R}/proposition/<str:token>/", public.offer, name="offer"),
    path(f"{R}/v/<str:code>/", public.short_link, name="short"),
    path(f"{R}/nouveau-rendez-vous/<str:token>/", public.rebook, name="rebook"),
]

A = "agents/<slug:prefecture>/rendez-vous"
agents_urlpatterns = [
    path(f"{A}/", agents.index, name="agents-index"),
    path(f"{A}/jour/", agents.day, name="agents-day"),
    path(f"{A}/jour.pdf", agents.day_pdf, name="agents-day-pdf"),
    path(f"{A}/jour.csv", agents.day_csv, name="agents-day-csv"),
    path(f"{A}/reserver/", agents.book_start, name="agents-book-start"),
    path(f"{A}/demarches/nouvelle/", agents.procedure_edit, name="agents-procedure-new"),
    path(f"{A}/demarches/<int:procedure_pk>/", agents.procedure_edit, name="agents-procedure"),
    path(f"{A}/demarches/<int:procedure_pk>/plages/", agents.rule_add, name="agents-rule-add"),
    path(
        f"{A}/demarches/<int:procedure_pk>/plages/<int:pk>/supprimer/",
        agents.rule_delete,
        name="agents-rule-delete",
    ),
    path(
        f"{A}/demarches/<int:procedure_pk>/generer/",
        agents.procedure_generate,
        name="agents-procedure-generate",
    ),
    path(f"{A}/demarches/<int:procedure_pk>/semaine/", agents.calendar, name="agents-calendar"),
    path(
        f"{A}/demarches/<int:procedure_pk>/liste-attente/",
        agents.waitlist,
        name="agents-waitlist",
    ),
    path(
        f"{A}/demarches/<int:procedure_pk>/reserver/<int:slot_pk>/",
        agents.book_on_behalf,
        name="agents-book",
    ),
    path(f"{A}/demarches/<int:procedure_pk>/ouvrir/", agents.slot_new, name="agents-slot-new"),
    path(f"{A}/creneaux/<int:pk>/", agents.slot_detail, name="agents-slot"),
    path(f"{A}/creneaux/<int:pk>/fermer/", agents.slot_block, name="agents-slot-block"),
    path(f"{A}/reservations/<int:pk>/", agents.booking_detail, name="agents-booking"),
    path(f"{A}/reservations/<int:pk>/statut/", agents.booking_status, name="agents-booking-status"),
    path(f"{A}/reservations/<int:pk>/deplacer/", agents.booking_move, name="agents-booking-move"),
    path(
        f"{A}/reservations/<int:pk>/envois/<int:delivery_pk>/renvoyer/",
        agents.resend,
        name="agents-resend",
    ),
    path(
        f"{A}/reservations/<int:pk>/attestation.pdf",
        agents.certificate,
        name="agents-certificate",
    ),
    path(
        f"{A}/reservations/<int:pk>/documents/<int:document_pk>/",
        agents.booking_document,
        name="agents-booking-document",
    ),
    path(f"{A}/pieces-en-attente/", agents.documents_overdue, name="agents-documents-overdue"),
    path(
        f"{A}/reservations/<int:pk>/pieces/<str:action>/",
        agents.documents_decide,
        name="agents-documents-decide",
    ),
    path(f"{A}/accueil/<str:reference>/", agents.checkin, name="agents-checkin"),
    path(f"{A}/export.csv", agents.export_csv, name="agents-export"),
]

urlpatterns = public_urlpatterns + agents_urlpatterns
