"""Move the surveys app's mystery-check follow-up actions into quality actions.

Each follow-up becomes an action of its service's site plan for the year it was created,
with a PA reference from the counter, the failed criterion as its generic source (kind
mystery_check) and its history: a "created" update at the original date by its author,
and a status update when it was done (the old model kept no completion date: the creation
date stands in and the update says so).
"""

from django.db import migrations
from django.utils import timezone

DEFAULT_STATUSES = [
    ("planned", "Prévue", "planned", 0),
    ("started", "Engagée", "in_progress", 25),
    ("in_progress", "En cours", "in_progress", 50),
    ("done", "Réalisée", "done", 100),
    ("abandoned", "Abandonnée", "abandoned", 0),
]


def forwards(apps, schema_editor):
    FollowUp = apps.get_model("surveys", "FollowUpAction")
    Action = apps.get_model("quality", "Action")
    ActionPlan = apps.get_model("quality", "ActionPlan")
    ActionStatus = apps.get_model("quality", "ActionStatus")
    ActionCounter = apps.get_model("quality", "ActionCounter")
    ActionUpdate = apps.get_model("quality", "ActionUpdate")
    ContentType = apps.get_model("contenttypes", "ContentType")
    followups = FollowUp.objects.select_related(
        "service__site", "result__check_run", "result__criterion"
    ).order_by("created_at", "pk")
    if not followups.exists():
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="surveys", model="checkresult")
    statuses = {}
    for followup in followups:
        prefecture_id = followup.prefecture_id
        if prefecture_id not in statuses:
            if not ActionStatus.objects.filter(prefecture_id=prefecture_id).exists():
                ActionStatus.objects.bulk_create(
                    ActionStatus(
                        prefecture_id=prefecture_id,
                        code=code,
                        label=label,
                        base=base,
                        default_progress=progress,
                        position=index,
                    )
                    for index, (code, label, base, progress) in enumerate(DEFAULT_STATUSES)
                )
            by_base = {}
            for status in ActionStatus.objects.filter(prefecture_id=prefecture_id).order_by(
                "position", "pk"
            ):
                by_base.setdefault(status.base, status)
            statuses[prefecture_id] = by_base
        created_on = timezone.localdate(followup.created_at)
        year = created_on.year
        site = followup.service.site
        plan, _ = ActionPlan.objects.get_or_create(
            site=site, year=year, defaults={"prefecture_id": prefecture_id}
        )
        counter, _ = ActionCounter.objects.get_or_create(
            prefecture_id=prefecture_id, year=year, defaults={"last": 0}
        )
        counter.last += 1
        counter.save(update_fields=["last"])
        done = followup.status == "done"
        status = statuses[prefecture_id]["done" if done else "planned"]
        label = ""
        if followup.result_id:
            result = followup.result
            label = (
                f"Contrôle mystère du {result.check_run.planned_on:%d/%m/%Y} — "
                f"critère « {result.criterion.label} »"
            )[:300]
        action = Action.objects.create(
            prefecture_id=prefecture_id,
            plan=plan,
            site=site,
            reference=f"PA-{year}-{counter.last:03d}",
            title=followup.title,
            kind="corrective",
            service=followup.service,
            opened_on=created_on,
            closed_on=created_on if done else None,
            status=status,
            progress=status.default_progress,
            source_kind="mystery_check",
            source_type=content_type if followup.result_id else None,
            source_id=followup.result_id,
            source_label=label,
        )
        ActionUpdate.objects.create(
            action=action,
            kind="created",
            on=created_on,
            at=followup.created_at,
            author_id=followup.created_by_id,
            text="Action née d'un critère non satisfait (reprise du suivi des contrôles mystère).",
            to_status=statuses[prefecture_id]["planned"].label,
            progress=0,
        )
        if done:
            ActionUpdate.objects.create(
                action=action,
                kind="status",
                on=created_on,
                at=followup.created_at,
                text="Terminée dans l'ancien suivi (date de fin non connue).",
                from_status=statuses[prefecture_id]["planned"].label,
                to_status=status.label,
                progress=status.default_progress,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0001_initial"),
        ("surveys", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
