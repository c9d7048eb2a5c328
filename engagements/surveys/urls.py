from django.urls import path

from .views import agents, mystery, public

app_name = "surveys"

public_urlpatterns = [
    path("avis/<slug:prefecture>/", public.prefecture_surveys, name="prefecture"),
    path("s/<slug:token>/", public.campaign_entry, name="campaign"),
    path("s/<slug:token>/merci/", public.thanks, name="thanks"),
    path("s/<slug:token>/<slug:service>/", public.answer, name="answer"),
    path("borne/<slug:token>/<slug:service>/", public.kiosk, name="kiosk"),
    path("avis-rdv/<str:token>/", public.invitation, name="invitation"),
]

P = "agents/<slug:prefecture>/enquetes"
M = "agents/<slug:prefecture>/controles"
agents_urlpatterns = [
    path(f"{P}/", agents.campaign_list, name="agents-campaigns"),
    path(f"{P}/nouvelle/", agents.campaign_edit, name="agents-campaign-new"),
    path(f"{P}/<int:pk>/", agents.campaign_detail, name="agents-campaign"),
    path(f"{P}/<int:pk>/modifier/", agents.campaign_edit, name="agents-campaign-edit"),
    path(f"{P}/<int:pk>/resultats.csv", agents.campaign_csv, name="agents-campaign-csv"),
    path(f"{P}/<int:pk>/rapport.pdf", agents.campaign_pdf, name="agents-campaign-pdf"),
    path(f"{P}/<int:pk>/affiches/", agents.posters, name="agents-posters"),
    path(f"{P}/<int:pk>/affiches/<int:service_pk>.pdf", agents.poster_pdf, name="agents-poster"),
    path(f"{P}/<int:pk>/coupons.pdf", agents.coupons_pdf, name="agents-coupons"),
    path(f"{P}/<int:pk>/saisie/", agents.coupon_entry, name="agents-coupon-entry"),
    path(f"{P}/coupons-a-saisir/", agents.coupon_campaigns, name="agents-coupon-campaigns"),
    path(f"{P}/commentaires/", agents.comment_list, name="agents-comments"),
    path(f"{P}/commentaires/<int:pk>/", agents.comment_review, name="agents-comment-review"),
    path(f"{P}/questionnaires/", agents.questionnaire_list, name="agents-questionnaires"),
    path(
        f"{P}/questionnaires/<int:pk>/",
        agents.questionnaire_detail,
        name="agents-questionnaire",
    ),
    path(
        f"{P}/questionnaires/<int:pk>/langues/",
        agents.questionnaire_languages,
        name="agents-questionnaire-languages",
    ),
    path(
        f"{P}/questionnaires/<int:pk>/traduction/<str:language>/",
        agents.questionnaire_translation,
        name="agents-questionnaire-translation",
    ),
    path(
        f"{P}/questionnaires/<int:pk>/copier/",
        agents.questionnaire_copy,
        name="agents-questionnaire-copy",
    ),
    path(
        f"{P}/questionnaires/<int:pk>/questions/<int:question_pk>/",
        agents.question_edit,
        name="agents-question-edit",
    ),
    path(f"{M}/", mystery.check_list, name="agents-checks"),
    path(f"{M}/planifier/", mystery.check_plan, name="agents-check-plan"),
    path(f"{M}/grilles/nouvelle/", mystery.grid_new, name="agents-grid-new"),
    path(f"{M}/a-realiser/", mystery.todo_list, name="agents-checks-todo"),
    path(f"{M}/a-realiser/<int:pk>/", mystery.check_perform, name="agents-check-perform"),
    path(f"{M}/<int:pk>/", mystery.check_detail, name="agents-check"),
    path(f"{M}/<int:pk>/annuler/", mystery.check_cancel, name="agents-check-cancel"),
]

urlpatterns = public_urlpatterns + agents_urlpatterns
