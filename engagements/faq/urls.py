from django.urls import path

from .views import agents, public, sheets

app_name = "faq"

public_urlpatterns = [
    path("faq/<slug:prefecture>/", public.prefecture_faq, name="prefecture"),
    path("faq/<slug:prefecture>/suggestions/", public.suggestions, name="suggestions"),
    path("faq/<slug:prefecture>/questions/<int:pk>/", public.entry_detail, name="entry"),
    path("faq/<slug:prefecture>/questions/<int:pk>/avis/", public.entry_vote, name="vote"),
    path("faq/<slug:prefecture>/<slug:site>/<slug:service>/", public.service_faq, name="service"),
]

P = "agents/<slug:prefecture>/faq"
agents_urlpatterns = [
    path(f"{P}/", agents.entry_list, name="agents-list"),
    path(f"{P}/nouvelle/", agents.entry_edit, name="agents-new"),
    path(f"{P}/<int:pk>/", agents.entry_edit, name="agents-edit"),
    path(f"{P}/<int:pk>/relue/", agents.entry_review, name="agents-review"),
    path(f"{P}/recherches/", agents.miss_list, name="agents-misses"),
    path(f"{P}/recherches/<int:pk>/ecarter/", agents.miss_dismiss, name="agents-miss-dismiss"),
    path(f"{P}/inserer/", agents.insert_search, name="agents-insert"),
    path(f"{P}/fiches/", sheets.sheet_list, name="agents-sheets"),
    path(f"{P}/fiches/nouvelle/", sheets.sheet_edit, name="agents-sheet-new"),
    path(f"{P}/fiches/<int:pk>/", sheets.sheet_detail, name="agents-sheet"),
    path(f"{P}/fiches/<int:pk>/modifier/", sheets.sheet_edit, name="agents-sheet-edit"),
    path(f"{P}/fiches/<int:pk>/relue/", sheets.sheet_review, name="agents-sheet-review"),
]

urlpatterns = public_urlpatterns + agents_urlpatterns
