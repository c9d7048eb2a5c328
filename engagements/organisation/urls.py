from django.contrib.auth import views as auth_views
from django.urls import path

from .views import agents, imports, personal_data, public

app_name = "organisation"

public_urlpatterns = [
    path("prefectures/<slug:slug>/", public.prefecture, name="prefecture"),
]

P = "agents/<slug:prefecture>/organisation"
agents_urlpatterns = [
    path("agents/login/", agents.LoginView.as_view(), name="agents-login"),
    path("agents/logout/", auth_views.LogoutView.as_view(), name="agents-logout"),
    path("agents/", agents.home, name="agents-home"),
    path("agents/<slug:prefecture>/", agents.prefecture_home, name="agents-prefecture"),
    path(f"{P}/", agents.settings_overview, name="agents-settings"),
    path(f"{P}/prefecture/", agents.edit_prefecture, name="agents-edit-prefecture"),
    path(f"{P}/glossaire/", agents.edit_glossary, name="agents-glossary"),
    path(f"{P}/sites/new/", agents.edit_site, name="agents-new-site"),
    path(f"{P}/sites/<int:pk>/", agents.edit_site, name="agents-edit-site"),
    path(f"{P}/sites/<int:pk>/hours/<slug:channel>/", agents.edit_hours, name="agents-edit-hours"),
    path(f"{P}/sites/<int:site>/platforms/new/", agents.edit_platform, name="agents-new-platform"),
    path(f"{P}/platforms/<int:pk>/", agents.edit_platform, name="agents-edit-platform"),
    path(
        f"{P}/platforms/<int:pk>/hours/", agents.edit_platform_hours, name="agents-platform-hours"
    ),
    path(f"{P}/services/new/", agents.edit_service, name="agents-new-service"),
    path(f"{P}/services/<int:pk>/", agents.edit_service, name="agents-edit-service"),
    path(f"{P}/closures/new/", agents.add_closure, name="agents-add-closure"),
    path(f"{P}/closures/<int:pk>/delete/", agents.delete_closure, name="agents-delete-closure"),
    path(f"{P}/targets/<int:year>/", agents.edit_targets, name="agents-edit-targets"),
    path(f"{P}/history/", agents.organisation_history, name="agents-history"),
    path(f"{P}/donnees-personnelles/", personal_data.personal_data, name="agents-personal-data"),
    path(
        f"{P}/donnees-personnelles/releve.pdf",
        personal_data.statement,
        name="agents-personal-data-statement",
    ),
    path(
        f"{P}/donnees-personnelles/export.csv",
        personal_data.export,
        name="agents-personal-data-export",
    ),
    path(
        f"{P}/donnees-personnelles/effacer/",
        personal_data.erase,
        name="agents-personal-data-erase",
    ),
    path(
        f"{P}/donnees-personnelles/demandes/<int:pk>/prolonger/",
        personal_data.extend,
        name="agents-personal-data-extend",
    ),
    path("agents/<slug:prefecture>/imports/", imports.imports_home, name="agents-imports"),
    path(
        "agents/<slug:prefecture>/imports/confirmer/<uuid:token>/",
        imports.import_confirm,
        name="agents-import-confirm",
    ),
    path(
        "agents/<slug:prefecture>/imports/abandonner/<uuid:token>/",
        imports.import_cancel,
        name="agents-import-cancel",
    ),
    path(
        "agents/<slug:prefecture>/imports/<slug:kind>/",
        imports.import_kind,
        name="agents-import-kind",
    ),
]

urlpatterns = public_urlpatterns + agents_urlpatterns
