from django.urls import path

from .views import agents, poster, public

app_name = "indicators"

R = "prefectures/<slug:prefecture>/resultats"
public_urlpatterns = [
    path(f"{R}/", public.results, name="public-results"),
    path(f"{R}/methodologie/", public.methodology, name="methodology"),
    path(f"{R}/resultats.csv", public.results_csv, name="public-results-csv"),
    path(f"{R}/affiche-<str:size>.pdf", public.poster, name="public-poster"),
    path(f"{R}/<slug:site>/", public.results, name="public-site-results"),
    path("prefectures/<slug:prefecture>/affluence/", public.affluence, name="public-affluence"),
]

P = "agents/<slug:prefecture>/indicateurs"
agents_urlpatterns = [
    path(f"{P}/", agents.dashboard, name="agents-dashboard"),
    path(f"{P}/recalculer/", agents.recompute, name="agents-recompute"),
    path(f"{P}/tableau.csv", agents.dashboard_csv, name="agents-dashboard-csv"),
    path(f"{P}/sites/", agents.all_sites, name="agents-sites"),
    path(f"{P}/sites.csv", agents.all_sites_csv, name="agents-sites-csv"),
    path(f"{P}/detail/<slug:code>/", agents.records, name="agents-records"),
    path(f"{P}/propres/", agents.manual, name="agents-manual"),
    path(f"{P}/publications/", agents.publications, name="agents-publications"),
    path(f"{P}/publier/", agents.publish, name="agents-publish"),
    path(f"{P}/publier/apercu/", agents.publication_preview, name="agents-publication-preview"),
    path(
        f"{P}/publier/apercu/affiche-<str:size>.pdf",
        agents.publication_preview_poster,
        name="agents-publication-preview-poster",
    ),
    path(f"{P}/affiche/", poster.poster_choice, name="agents-poster"),
    path(
        f"{P}/publications/<int:pk>/retirer/", agents.withdraw, name="agents-publication-withdraw"
    ),
    path(f"{P}/rapport-<int:year>.pdf", agents.annual_report, name="agents-annual-report"),
    path(f"{P}/publie/", agents.published, name="agents-published"),
    path(f"{P}/affluence/", agents.heatmap, name="agents-heatmap"),
    path(f"{P}/accueil/", agents.desk, name="agents-desk"),
    path(f"{P}/accueil/<int:visit_pk>/recu/", agents.desk_served, name="agents-desk-served"),
    path(f"{P}/site-internet/", agents.website_queue, name="agents-website"),
    path(f"{P}/site-internet/demande/", agents.website_request, name="agents-website-new"),
    path(
        f"{P}/site-internet/<int:pk>/publiee/",
        agents.website_published,
        name="agents-website-published",
    ),
]

urlpatterns = public_urlpatterns + agents_urlpatterns
