from django.urls import path

from .views import agents, cycle, public

app_name = "quality"

public_urlpatterns = [
    path("prefectures/<slug:prefecture>/nous-l-avons-fait/", public.done_page, name="public-done"),
    path(
        "prefectures/<slug:prefecture>/demarche-qualite/",
        public.approach_page,
        name="public-approach",
    ),
    path(
        "prefectures/<slug:prefecture>/demarche-qualite/affiche-<slug:size>.pdf",
        public.approach_poster,
        name="public-approach-poster",
    ),
]

Q = "agents/<slug:prefecture>/qualite"
agents_urlpatterns = [
    path(f"{Q}/actions/", agents.action_list, name="agents-actions"),
    path(f"{Q}/actions/nouvelle/", agents.action_new, name="agents-action-new"),
    path(f"{Q}/actions/<int:pk>/", agents.action_detail, name="agents-action"),
    path(f"{Q}/actions/<int:pk>/modifier/", agents.action_edit, name="agents-action-edit"),
    path(f"{Q}/actions/<int:pk>/statut/", agents.action_status, name="agents-action-status"),
    path(f"{Q}/actions/<int:pk>/suivi/", agents.action_update, name="agents-action-update"),
    path(f"{Q}/actions/<int:pk>/rouvrir/", agents.action_reopen, name="agents-action-reopen"),
    path(
        f"{Q}/actions/<int:pk>/efficacite/",
        agents.action_effectiveness,
        name="agents-action-effectiveness",
    ),
    path(f"{Q}/statuts/", agents.status_list, name="agents-statuses"),
    path(f"{Q}/plans/<int:year>/plan-d-actions.pdf", agents.plan_pdf, name="agents-plan-pdf"),
    path(f"{Q}/plans/<int:pk>/valider/", agents.plan_validate, name="agents-plan-validate"),
    path(f"{Q}/plans/<int:pk>/comite/", agents.plan_presented, name="agents-plan-presented"),
    path(f"{Q}/referentiels/", agents.referential_list, name="agents-referentials"),
    path(
        f"{Q}/referentiels/<int:referential_pk>/sites/<int:site_pk>/",
        agents.scope_edit,
        name="agents-scope",
    ),
    path(f"{Q}/evaluations/", agents.assessment_list, name="agents-assessments"),
    path(f"{Q}/evaluations/<int:pk>/", agents.assessment_detail, name="agents-assessment"),
    path(
        f"{Q}/evaluations/<int:pk>/resultats/<int:result_pk>/",
        agents.result_edit,
        name="agents-result",
    ),
    path(
        f"{Q}/evaluations/<int:pk>/statut/",
        agents.assessment_status,
        name="agents-assessment-status",
    ),
    path(f"{Q}/evaluations/<int:pk>/constats/", agents.finding_new, name="agents-finding-new"),
    path(f"{Q}/evaluations/<int:pk>/preuves/", agents.evidence_new, name="agents-evidence-new"),
    path(
        f"{Q}/evaluations/<int:pk>/rapport.pdf", agents.assessment_pdf, name="agents-assessment-pdf"
    ),
    path(
        f"{Q}/evaluations/<int:pk>/preuves.zip",
        agents.assessment_pack,
        name="agents-assessment-pack",
    ),
    path(f"{Q}/preuves/<int:pk>/fichier/", agents.evidence_file, name="agents-evidence-file"),
    path(f"{Q}/experiences-sp/", agents.experience_list, name="agents-experiences"),
    path(f"{Q}/experiences-sp/import/", agents.experience_import, name="agents-experiences-import"),
    path(f"{Q}/experiences-sp/structures/", agents.structure_map, name="agents-structure-map"),
    path(f"{Q}/labels/", cycle.label_list, name="agents-labels"),
    path(f"{Q}/formations/", cycle.training_list, name="agents-trainings"),
    path(f"{Q}/diagnostic/", cycle.diagnostic_page, name="agents-diagnostic"),
    path(f"{Q}/calendrier/", cycle.calendar_page, name="agents-calendar"),
    path(f"{Q}/services/", cycle.service_scope_list, name="agents-service-scopes"),
    path(f"{Q}/labels/import/", cycle.cycle_import, name="agents-cycle-import"),
]

# The national administrator's overview, outside any prefecture (404 for anybody else).
national_urlpatterns = [
    path("agents/national/labels/", cycle.national_page, name="national-labels"),
    path("agents/national/labels.csv", cycle.national_csv, name="national-labels-csv"),
]

urlpatterns = public_urlpatterns + agents_urlpatterns + national_urlpatterns
