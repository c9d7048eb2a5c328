from django.urls import path

from .views import agents, library, overdue, public, quarantine, settings

app_name = "correspondence"

public_urlpatterns = [
    path("prefectures/<slug:prefecture>/nous-ecrire/", public.contact, name="contact"),
    path(
        "prefectures/<slug:prefecture>/nous-ecrire/envoye/<str:token>/",
        public.contact_sent,
        name="contact-sent",
    ),
    path(
        "prefectures/<slug:prefecture>/suivre-ma-demande/",
        public.follow_lookup,
        name="follow-lookup",
    ),
    path(
        "prefectures/<slug:prefecture>/suivre-ma-demande/<str:token>/",
        public.follow,
        name="follow",
    ),
    path(
        "prefectures/<slug:prefecture>/suivre-ma-demande/<str:token>/delai/",
        public.follow_more_time,
        name="follow-more-time",
    ),
]

P = "agents/<slug:prefecture>/courriers"
agents_urlpatterns = [
    path(f"{P}/", agents.worklist, name="agents-list"),
    path(f"{P}/attribuer/", agents.bulk_assign, name="agents-bulk-assign"),
    path(f"{P}/nouveau/", agents.new_message, name="agents-new"),
    path(f"{P}/<int:pk>/", agents.detail, name="agents-detail"),
    path(f"{P}/<int:pk>/attribuer/", agents.assign, name="agents-assign"),
    path(f"{P}/<int:pk>/classer/", agents.classify, name="agents-classify"),
    path(f"{P}/<int:pk>/repondre/", agents.answer, name="agents-answer"),
    path(f"{P}/<int:pk>/clore/", agents.close, name="agents-close"),
    path(f"{P}/<int:pk>/rouvrir/", agents.reopen, name="agents-reopen"),
    path(f"{P}/<int:pk>/commenter/", agents.comment, name="agents-comment"),
    path(f"{P}/<int:pk>/doublon/", agents.duplicate, name="agents-duplicate"),
    path(
        f"{P}/<int:pk>/pieces-manquantes/",
        agents.request_documents,
        name="agents-request-documents",
    ),
    path(
        f"{P}/<int:pk>/pieces-recues/",
        agents.documents_received,
        name="agents-documents-received",
    ),
    path(
        f"{P}/<int:pk>/pieces-manquantes/<int:wait_pk>/fiche.pdf",
        agents.documents_letter,
        name="agents-documents-letter",
    ),
    path(f"{P}/delai-depasse/", overdue.overdue_list, name="agents-overdue"),
    path(f"{P}/<int:pk>/pieces-delai/", overdue.extend_wait, name="agents-extend-wait"),
    path(f"{P}/<int:pk>/pieces-clore/", overdue.close_overdue, name="agents-close-overdue"),
    path(
        f"{P}/<int:pk>/pieces-manquantes/<int:wait_pk>/cloture.pdf",
        overdue.closed_letter,
        name="agents-documents-closed-letter",
    ),
    path(
        f"{P}/<int:pk>/envois/<int:delivery_pk>/renvoyer/",
        agents.resend,
        name="agents-resend",
    ),
    path(f"{P}/<int:pk>/accuse-reception.pdf", agents.ack_letter, name="agents-ack-letter"),
    path(f"{P}/<int:pk>/transmission.pdf", agents.forwarded_letter, name="agents-forwarded-letter"),
    path(f"{P}/reponses/<int:answer_pk>/courrier.pdf", agents.answer_pdf, name="agents-answer-pdf"),
    path(f"{P}/pieces/<int:attachment_pk>/", agents.attachment, name="agents-attachment"),
    path(f"{P}/a-verifier/", quarantine.index, name="agents-quarantine"),
    path(f"{P}/a-verifier/<int:pk>/", quarantine.detail, name="agents-quarantine-detail"),
    path(f"{P}/a-verifier/<int:pk>/ecarter/", quarantine.discard, name="agents-quarantine-discard"),
    path(f"{P}/a-verifier/<int:pk>/courriel.eml", quarantine.raw, name="agents-quarantine-raw"),
    path(f"{P}/parametres/", settings.register_settings, name="agents-settings"),
    path(f"{P}/parametres/themes/", settings.add_topic, name="agents-topic-add"),
    path(
        f"{P}/parametres/themes/<int:topic_pk>/",
        settings.toggle_topic,
        name="agents-topic-toggle",
    ),
    path(f"{P}/chiffres/", agents.figures, name="agents-figures"),
    path(f"{P}/chiffres.csv", agents.figures_csv, name="agents-figures-csv"),
    path(f"{P}/modeles/", library.index, name="agents-templates"),
    path(f"{P}/modeles/nouveau/", library.new_template, name="agents-template-new"),
    path(f"{P}/modeles/recueil/", library.collection, name="agents-templates-collection"),
    path(f"{P}/modeles/<int:pk>/", library.detail, name="agents-template"),
    path(f"{P}/modeles/<int:pk>/modifier/", library.edit, name="agents-template-edit"),
    path(
        f"{P}/modeles/versions/<int:version_pk>/observations/",
        library.observe,
        name="agents-version-observe",
    ),
    path(
        f"{P}/modeles/versions/<int:version_pk>/<slug:action>/",
        library.transition,
        name="agents-version-transition",
    ),
]

urlpatterns = public_urlpatterns + agents_urlpatterns
