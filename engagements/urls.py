"""URL map. Pages are under i18n_patterns: / in French, /en/ in English. Each app of ours
with a `urls.py` (app_name = its label) is included here, so apps add pages without editing
this file. Back-office URLs start with `agents/` and are named `agents-…`
(e.g. `correspondence:agents-detail`); the API and health check are not translated."""

from importlib import import_module, util

from django.apps import apps
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from engagements import api
from engagements.views import healthz

app_patterns = []
for app_config in apps.get_app_configs():
    if app_config.name.startswith("engagements.") and util.find_spec(f"{app_config.name}.urls"):
        app_patterns.append(path("", include(import_module(f"{app_config.name}.urls"))))

handler403 = "engagements.shell.pages.permission_denied"
handler500 = "engagements.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls()),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(*app_patterns, prefix_default_language=False)
# Uploaded files (attachments) are never served under MEDIA_URL, not even in the demo:
# only through each app's permission-checked view.
