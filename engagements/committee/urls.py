from django.urls import path

from .views import agents, documents, members, minutes, public

app_name = "committee"

public_urlpatterns = [
    path("prefectures/<slug:prefecture>/comite-des-usagers/", public.index, name="public"),
    path(
        "prefectures/<slug:prefecture>/comite-des-usagers/<int:pk>/releve.pdf",
        public.minutes_pdf,
        name="public-minutes-pdf",
    ),
    path(
        "prefectures/<slug:prefecture>/comite-des-usagers/documents/<int:pk>/",
        documents.public_download,
        name="public-document",
    ),
    path(
        "comite/acces/<str:uidb64>/<str:token>/",
        public.set_password,
        name="set-password",
    ),
]

P = "agents/<slug:prefecture>/comite"
agents_urlpatterns = [
    path(f"{P}/", agents.members, name="agents-members"),
    path(f"{P}/parametres/", agents.committee_settings, name="agents-settings"),
    path(f"{P}/import/", agents.import_members, name="agents-import"),
    path(f"{P}/sieges/<int:pk>/fin/", agents.end_mandate, name="agents-seat-end"),
    path(f"{P}/sieges/<int:pk>/acces/", agents.resend_access, name="agents-seat-access"),
    path(f"{P}/reunions/", agents.meetings, name="agents-meetings"),
    path(f"{P}/reunions/<int:pk>/", agents.meeting_detail, name="agents-meeting"),
    path(f"{P}/reunions/<int:pk>/modifier/", agents.meeting_edit, name="agents-meeting-edit"),
    path(f"{P}/reunions/<int:pk>/ordre-du-jour/", agents.agenda_add, name="agents-agenda-add"),
    path(
        f"{P}/ordre-du-jour/<int:item_pk>/<slug:action>/",
        agents.agenda_change,
        name="agents-agenda-change",
    ),
    path(f"{P}/reunions/<int:pk>/convoquer/", agents.invite, name="agents-invite"),
    path(f"{P}/reunions/<int:pk>/documents/", documents.upload, name="agents-document-add"),
    path(
        f"{P}/documents/<int:document_pk>/retirer/",
        documents.remove,
        name="agents-document-remove",
    ),
    path(f"{P}/reunions/<int:pk>/etat/<slug:to>/", agents.transition, name="agents-transition"),
    path(f"{P}/reunions/<int:pk>/presences/", agents.attendance, name="agents-attendance"),
    path(
        f"{P}/reunions/<int:pk>/emargement.pdf", agents.sign_in_sheet, name="agents-sign-in-sheet"
    ),
    path(f"{P}/reunions/<int:pk>/reunion.ics", agents.meeting_ics, name="agents-meeting-ics"),
    path(f"{P}/reunions/<int:pk>/releve/", minutes.edit, name="agents-minutes"),
    path(f"{P}/reunions/<int:pk>/releve/ouvrir/", minutes.start, name="agents-minutes-start"),
    path(
        f"{P}/releves/<int:minutes_pk>/decisions/",
        minutes.add_decision,
        name="agents-decision-add",
    ),
    path(
        f"{P}/decisions/<int:decision_pk>/retirer/",
        minutes.remove_decision,
        name="agents-decision-remove",
    ),
    path(
        f"{P}/releves/<int:minutes_pk>/observations/",
        minutes.send_draft,
        name="agents-minutes-send",
    ),
    path(
        f"{P}/releves/<int:minutes_pk>/observations/enregistrer/",
        minutes.record_observation,
        name="agents-observation-add",
    ),
    path(
        f"{P}/releves/<int:minutes_pk>/approuver/", minutes.approve, name="agents-minutes-approve"
    ),
    path(f"{P}/releves/<int:minutes_pk>/publier/", minutes.publish, name="agents-minutes-publish"),
    path(f"{P}/releves/<int:minutes_pk>/corriger/", minutes.correct, name="agents-minutes-correct"),
    path(f"{P}/releves/<int:minutes_pk>/releve.pdf", minutes.pdf, name="agents-minutes-pdf"),
    path(f"{P}/suggestions/", agents.suggestions, name="agents-suggestions"),
    path(
        f"{P}/suggestions/<int:suggestion_pk>/", agents.suggestion_answer, name="agents-suggestion"
    ),
    # Members' space (capability "committee": members, référent, auditor).
    path(
        f"{P}/espace/documents/<int:document_pk>/",
        documents.members_download,
        name="members-document",
    ),
    path(f"{P}/espace/", members.space, name="members-space"),
    path(f"{P}/espace/suggestion/", members.suggest, name="members-suggest"),
    path(f"{P}/espace/suites/", members.decided_actions, name="members-actions"),
    path(
        f"{P}/espace/releves/<int:minutes_pk>/observations/",
        members.observe,
        name="members-observe",
    ),
    path(
        f"{P}/espace/reunions/<int:pk>/releve.pdf",
        members.minutes_pdf,
        name="members-minutes-pdf",
    ),
]

urlpatterns = public_urlpatterns + agents_urlpatterns
