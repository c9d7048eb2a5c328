"""The partners' JSON API, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Each app of ours that has an `api.py` with a `router` contributes it here, so apps stay
independent: nothing to edit in this file when an app adds endpoints.
"""

from importlib import import_module, util

from django.apps import apps
from ninja import NinjaAPI

from engagements import api_errors

api = NinjaAPI(
    title="Engagements API",
    version="1",
    urls_namespace="api",
    description="Données publiques d'organisation et services aux partenaires.",
)
api_errors.install(api)

for app_config in apps.get_app_configs():
    if not app_config.name.startswith("engagements."):
        continue
    module_name = f"{app_config.name}.api"
    if util.find_spec(module_name) is None:
        continue
    module = import_module(module_name)
    router = getattr(module, "router", None)
    if router is not None:
        api.add_router("/", router)
