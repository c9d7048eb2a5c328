"""The partners' JSON API, mounted at /api/v1/ (OpenAPI at /api/v1/openapi.json).

Each app of ours that has an `api.py` with a `router` contributes it here, so apps stay
independent: nothing to edit in this file when an app adds endpoints.
"""

from collections.abc import Callable
from importlib import import_module, util

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern
from ninja import NinjaAPI

from engagements import api_errors

api = NinjaAPI(
    title="Engagements API",
    version="1",
    urls_namespace="api",
    description="Données publiques d'organisation et services aux partenaires.",
)
api_errors.install(api)

# A path an app serves with a plain Django view of its own instead of django-ninja's: its
# api.py names it in `direct_views = {route: factory}`, and factory(api, ninja's view of the
# path) gives the view, which hands ninja's view every request it does not answer itself.
# ninja's operation still describes the path (OpenAPI) and keeps its URL name. For a hot
# path only, where ninja's per-request layer is a measured share (the partner booking).
direct_views: dict[str, Callable] = {}


def add_direct_views(views: dict[str, Callable], source: str) -> None:
    """Adds `source`'s direct views; a path one already has is refused (the later would
    silently replace the earlier)."""
    if taken := sorted(set(views) & set(direct_views)):
        raise ImproperlyConfigured(f"{source}: direct views for paths already taken: {taken}")
    direct_views.update(views)


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
    add_direct_views(getattr(module, "direct_views", {}), module_name)


def urls():
    """`api.urls`, with each direct view in the place of ninja's view of its path."""
    patterns, app_name, namespace = api.urls
    routed, placed = [], set()
    for pattern in patterns:
        route = str(getattr(pattern, "pattern", ""))
        factory = direct_views.get(route)
        if factory is not None:
            view = factory(api, pattern.callback)
            pattern = URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)
            placed.add(route)
        routed.append(pattern)
    if unplaced := set(direct_views) - placed:
        raise ImproperlyConfigured(f"direct views for no operation's path: {sorted(unplaced)}")
    return routed, app_name, namespace
