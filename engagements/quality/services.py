"""Writes on action plans and actions: references, statuses, roll-up, timeline, imports."""

from __future__ import annotations

import re
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone

from engagements.csvio import CsvImportError, code_key, read_csv
from engagements.db import analyze
from engagements.organisation import references
from engagements.organisation.models import Prefecture, Service, Site
from engagements.organisation.queries import working_agents
from engagements.words import counted_list

from .enums import CLOSED_CODES, DEFAULT_STATUSES, ActionType, SourceKind, StatusCode, UpdateKind
from .models import Action, ActionPlan, ActionStatus, ActionUpdate

REFERENCE_RE = re.compile(r"^PA-(\d{4})-(\d{3,6})$")


class QualityError(Exception):
    """A write refused by the rules of action plans (message in French, shown as is)."""


# Fields of a done or abandoned action that change only after an explicit reopening
# (`reopen_action`); the status and the effectiveness check are locked as well.
LOCKED_WHEN_CLOSED = {"title": "intitulé", "public_summary": "résumé pour le public"}


def _closed_message(action: Action) -> str:
    return (
        f"L'action {action.reference} est « {action.status.label} » : rouvrez-la d'abord "
        "(bouton « Rouvrir l'action », avec le motif) pour la modifier."
    )


# --- Statuses ------------------------------------------------------------------------------


def ensure_statuses(prefecture: Prefecture) -> list[ActionStatus]:
    """The prefecture's statuses, the default list created on first use."""
    statuses = list(ActionStatus.objects.filter(prefecture=prefecture))
    if statuses:
        return statuses
    ActionStatus.objects.bulk_create(
        [
            ActionStatus(
                prefecture=prefecture,
                code=code,
                label=label,
                base=base,
                default_progress=progress,
                position=index,
            )
            for index, (code, label, base, progress) in enumerate(DEFAULT_STATUSES)
        ],
        ignore_conflicts=True,
    )
    return list(ActionStatus.objects.filter(prefecture=prefecture))


def status_for_code(prefecture: Prefecture, code: str) -> ActionStatus:
    """The prefecture's status for one of the four codes (the one named so, else the first)."""
    candidates = [s for s in ensure_statuses(prefecture) if s.base == code]
    if not candidates:
        raise QualityError(f"Aucun statut de la préfecture ne correspond à « {code} ».")
    return next((s for s in candidates if s.code == code), candidates[0])


def save_status(
    prefecture: Prefecture,
    *,
    label: str,
    base: str,
    default_progress: int,
    position: int,
    status: ActionStatus | None = None,
) -> ActionStatus:
    """Add a status to the prefecture's list, or change one (its code never changes)."""
    from django.utils.text import slugify

    if base not in StatusCode.values:
        raise QualityError("État inconnu.")
    if base == StatusCode.DONE and default_progress != 100:
        raise QualityError("Une action réalisée est avancée à 100 % : avancement par défaut 100.")
    with transaction.atomic():
        if status is None:
            code = slugify(label)[:40] or "statut"
            if ActionStatus.objects.filter(prefecture=prefecture, code=code).exists():
                raise QualityError(f"Un statut « {label} » existe déjà.")
            status = ActionStatus(prefecture=prefecture, code=code)
        elif status.base != base and status.actions.exists():
            raise QualityError(
                "Des actions portent ce statut : son état (prévue, en cours, réalisée, "
                "abandonnée) ne peut plus changer."
            )
        status.label = label.strip()
        status.base = base
        status.default_progress = default_progress
        status.position = position
        status.save()
    return status


# --- References and plans ------------------------------------------------------------------


def allocate_reference(prefecture: Prefecture, year: int) -> str:
    """Next `PA-YYYY-NNN` of the prefecture; call inside the transaction inserting the
    action (gapless: `engagements.organisation.references`)."""
    return f"PA-{year}-{references.next_number(prefecture, references.ACTIONS, year):03d}"


def _claim_reference(prefecture: Prefecture, reference: str) -> None:
    """An imported reference `PA-YYYY-NNN` moves the counter past it (no future collision)."""
    match = REFERENCE_RE.match(reference)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        references.claim_number(prefecture, references.ACTIONS, year, number)


def plan_for(site: Site, year: int) -> ActionPlan:
    """The site's plan of the year, created if needed."""
    plan, _ = ActionPlan.objects.get_or_create(
        site=site, year=year, defaults={"prefecture_id": site.prefecture_id}
    )
    return plan


def validate_plan(plan: ActionPlan, *, actor) -> ActionPlan:
    with transaction.atomic():
        plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.validated_at:
            raise QualityError("Ce plan d'action est déjà validé.")
        plan.validated_by = actor
        plan.validated_at = timezone.now()
        plan.save(update_fields=["validated_by", "validated_at"])
    return plan


def record_presentation(plan: ActionPlan, on: date) -> ActionPlan:
    """The day the plan was presented to the local users' committee."""
    if on > timezone.localdate():
        raise QualityError("La présentation au comité ne peut pas être datée dans le futur.")
    with transaction.atomic():
        ActionPlan.objects.filter(pk=plan.pk).update(presented_on=on)
    plan.presented_on = on
    return plan


# --- Actions -------------------------------------------------------------------------------


def _set_source(action: Action, source, label: str = "") -> None:
    from . import sources

    if source is None:
        return
    info = sources.describe(source)
    action.source_kind = info.kind
    action.source_type = ContentType.objects.get_for_model(source)
    action.source_id = source.pk
    action.source_label = (label or info.label)[:300]


def create_action(
    prefecture: Prefecture,
    *,
    site: Site,
    year: int,
    title: str,
    actor=None,
    kind: str = ActionType.IMPROVEMENT,
    source=None,
    source_label: str = "",
    source_kind: str = SourceKind.INTERNAL,
    service: Service | None = None,
    owner=None,
    opened_on: date | None = None,
    start_on: date | None = None,
    due_on: date | None = None,
    parent: Action | None = None,
    description: str = "",
    public_summary: str = "",
    is_public: bool = False,
    translations: dict | None = None,
) -> Action:
    """Create an action in the site's plan of the year, with its source and first update."""
    if site.prefecture_id != prefecture.pk:
        raise QualityError("Ce site n'appartient pas à la préfecture.")
    if service is not None and service.site_id != site.pk:
        raise QualityError("Ce service n'appartient pas au site choisi.")
    if parent is not None and parent.prefecture_id != prefecture.pk:
        raise QualityError("L'action parente n'appartient pas à la préfecture.")
    if parent is not None and parent.is_closed:
        raise QualityError(_closed_message(parent))
    if not title.strip():
        raise QualityError("Donnez un intitulé à l'action.")
    _check_dates(start_on, due_on)
    status = status_for_code(prefecture, StatusCode.PLANNED)
    with transaction.atomic():
        plan = plan_for(site, year)
        action = Action(
            prefecture=prefecture,
            plan=plan,
            site=site,
            reference=allocate_reference(prefecture, year),
            title=title.strip()[:300],
            kind=kind,
            owner=owner,
            service=service,
            opened_on=opened_on or timezone.localdate(),
            start_on=start_on,
            due_on=due_on,
            status=status,
            progress=status.default_progress,
            parent=parent,
            description=description,
            public_summary=public_summary,
            is_public=is_public,
            translations=translations or {},
            source_kind=source_kind,
        )
        _set_source(action, source, source_label)
        action.save()
        ActionUpdate.objects.create(
            action=action,
            kind=UpdateKind.CREATED,
            author=actor,
            text=f"Action créée ({action.get_source_kind_display().lower()}).",
            to_status=status.label,
            progress=action.progress,
        )
        if parent is not None:
            roll_up(parent, actor=actor)
    return action


DUE_BEFORE_START = "L'échéance précède le début de l'action : corrigez l'une des deux dates."


def _check_dates(start_on: date | None, due_on: date | None) -> None:
    if start_on and due_on and due_on < start_on:
        raise QualityError(DUE_BEFORE_START)


EDITABLE_FIELDS = [
    "title",
    "kind",
    "owner",
    "service",
    "start_on",
    "due_on",
    "description",
    "public_summary",
    "is_public",
    "translations",
]


def update_action(action: Action, *, actor, **changes) -> Action:
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("status").get(pk=action.pk)
        for name, value in changes.items():
            if name not in EDITABLE_FIELDS:
                raise QualityError(f"Champ non modifiable : {name}")
            if name in LOCKED_WHEN_CLOSED and action.is_closed and getattr(action, name) != value:
                raise QualityError(
                    f"{LOCKED_WHEN_CLOSED[name].capitalize()} verrouillé. {_closed_message(action)}"
                )
            setattr(action, name, value)
        if action.service_id and action.service.site_id != action.site_id:
            raise QualityError("Ce service n'appartient pas au site de l'action.")
        _check_dates(action.start_on, action.due_on)
        if action.is_public and not action.public_summary.strip():
            raise QualityError("Rédigez le résumé pour le public avant de publier l'action.")
        action.save()
        ActionUpdate.objects.create(
            action=action, kind=UpdateKind.NOTE, author=actor, text="Fiche de l'action modifiée."
        )
    return action


def add_update(action: Action, *, actor, text: str, progress: int | None = None, on=None):
    """A dated point of the timeline, optionally moving the progress."""
    if not text.strip():
        raise QualityError("Écrivez le point d'avancement.")
    if on is not None and on > timezone.localdate():
        raise QualityError("Un point d'avancement ne peut pas être daté dans le futur.")
    if progress is not None and not 0 <= progress <= 100:
        raise QualityError("L'avancement est un pourcentage entre 0 et 100.")
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("status").get(pk=action.pk)
        if progress is not None:
            if action.is_closed:
                raise QualityError(f"Avancement verrouillé. {_closed_message(action)}")
            if action.children.exists():
                raise QualityError(
                    "L'avancement de cette action vient de ses sous-actions : modifiez-les plutôt."
                )
            action.progress = progress
            action.save(update_fields=["progress", "updated_at"])
        update = ActionUpdate.objects.create(
            action=action,
            kind=UpdateKind.NOTE,
            author=actor,
            text=text.strip(),
            progress=progress,
            on=on or timezone.localdate(),
        )
        if progress:
            _start_if_planned(action, actor=actor)
        if action.parent_id:
            roll_up(action.parent, actor=actor)
    return update


def status_for_progress(prefecture: Prefecture, status: ActionStatus, progress: int):
    """The one rule of the action's page and of the import: an action « prévue » that has
    progressed is under way, so it takes the prefecture's « en cours » status (any other
    status is kept)."""
    if status.base == StatusCode.PLANNED and progress:
        return status_for_code(prefecture, StatusCode.IN_PROGRESS)
    return status


def _start_if_planned(action: Action, *, actor) -> None:
    """An action « prévue » that has progressed is under way: it moves to the prefecture's
    « en cours » status, its progress kept, the switch written in its timeline like any
    status change (call inside the caller's transaction)."""
    started = status_for_progress(action.prefecture, action.status, action.progress)
    if started == action.status:
        return
    previous = action.status
    action.status = started
    action.save(update_fields=["status", "updated_at"])
    ActionUpdate.objects.create(
        action=action,
        kind=UpdateKind.STATUS,
        author=actor,
        text=f"Avancement de {action.progress} % : l'action a commencé.",
        from_status=previous.label,
        to_status=action.status.label,
        progress=action.progress,
    )


def record_effectiveness(action: Action, *, actor, text: str, on: date | None = None) -> Action:
    """Write the effectiveness check (required before closing an action as done)."""
    if not text.strip():
        raise QualityError("Décrivez comment l'efficacité de l'action a été vérifiée.")
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("status").get(pk=action.pk)
        if action.is_closed:
            raise QualityError(
                f"Vérification de l'efficacité verrouillée. {_closed_message(action)}"
            )
        action.effectiveness_check = text.strip()
        action.effectiveness_checked_on = on or timezone.localdate()
        action.save(update_fields=["effectiveness_check", "effectiveness_checked_on"])
        ActionUpdate.objects.create(
            action=action, kind=UpdateKind.EFFECTIVENESS, author=actor, text=text.strip()
        )
    return action


def change_status(
    action: Action,
    status: ActionStatus,
    *,
    actor,
    text: str = "",
    closed_on: date | None = None,
) -> Action:
    """Move an action to one of its prefecture's statuses (progress follows the default).

    Done needs the effectiveness check first; done and abandoned get a closing date.
    """
    if status.prefecture_id != action.prefecture_id:
        raise QualityError("Statut inconnu pour cette préfecture.")
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("status").get(pk=action.pk)
        previous = action.status
        if previous.pk == status.pk:
            raise QualityError(f"L'action est déjà « {status.label} ».")
        if action.is_closed:
            raise QualityError(_closed_message(action))
        if status.base == StatusCode.DONE and not action.effectiveness_check.strip():
            raise QualityError(
                "Vérifiez l'efficacité de l'action (et notez-le) avant de la déclarer réalisée."
            )
        if (
            status.base == StatusCode.DONE
            and action.children.exclude(
                status__base__in=[StatusCode.DONE, StatusCode.ABANDONED]
            ).exists()
        ):
            raise QualityError("Des sous-actions restent ouvertes : terminez-les d'abord.")
        action.status = status
        if status.base in (StatusCode.DONE, StatusCode.ABANDONED):
            closed_on = closed_on or timezone.localdate()
            if closed_on < action.opened_on or closed_on > timezone.localdate():
                raise QualityError(
                    "La date de clôture doit être entre l'ouverture de l'action et aujourd'hui."
                )
            action.closed_on = closed_on
        else:
            action.closed_on = None
        _log_status_switch(action, previous, UpdateKind.STATUS, actor=actor, text=text)
    return action


def _log_status_switch(action: Action, previous, kind: str, *, actor, text: str) -> None:
    """Progress follows the new status, the timeline gets the switch, the parent rolls up
    (one path for a status change and a reopening; call inside their transaction)."""
    if action.status.base == StatusCode.DONE:
        action.progress = 100
    elif not action.children.exists():
        action.progress = action.status.default_progress
    action.save(update_fields=["status", "closed_on", "progress", "updated_at"])
    ActionUpdate.objects.create(
        action=action,
        kind=kind,
        author=actor,
        text=text.strip(),
        from_status=previous.label,
        to_status=action.status.label,
        progress=action.progress,
    )
    if action.parent_id:
        roll_up(action.parent, actor=actor)


def reopen_action(action: Action, *, actor, reason: str, status: ActionStatus | None = None):
    """The only way back from done or abandoned: an explicit reopening, with its reason,
    written in the action's timeline (the title, public summary, effectiveness check and
    status are editable again)."""
    if not reason.strip():
        raise QualityError("Donnez le motif de la réouverture.")
    if status is None:
        status = status_for_code(action.prefecture, StatusCode.IN_PROGRESS)
    if status.prefecture_id != action.prefecture_id:
        raise QualityError("Statut inconnu pour cette préfecture.")
    if status.base in CLOSED_CODES:
        raise QualityError("Rouvrir une action la remet « prévue » ou « en cours ».")
    with transaction.atomic():
        action = Action.objects.select_for_update().select_related("status").get(pk=action.pk)
        if not action.is_closed:
            raise QualityError(f"L'action est « {action.status.label} » : elle est déjà ouverte.")
        if action.parent_id and action.parent.is_closed:
            raise QualityError(
                f"L'action parente {action.parent.reference} est clôturée : rouvrez-la d'abord."
            )
        previous = action.status
        action.status = status
        action.closed_on = None
        _log_status_switch(action, previous, UpdateKind.REOPENED, actor=actor, text=reason)
    return action


def roll_up(parent: Action, *, actor=None) -> None:
    """A parent's progress is the mean of its sub-actions' (abandoned ones left out); a done
    parent stays at 100 %; a parent « prévue » whose sub-actions progressed is « en cours »."""
    if parent.status.base == StatusCode.DONE:
        return
    children = parent.children.exclude(status__base=StatusCode.ABANDONED)
    mean = children.aggregate(mean=Avg("progress"))["mean"]
    if mean is None:
        return
    Action.objects.filter(pk=parent.pk).update(progress=round(mean))
    parent.progress = round(mean)
    _start_if_planned(parent, actor=actor)
    if parent.parent_id:
        roll_up(parent.parent, actor=actor)


# --- CSV import (contract: docs in the issue) ----------------------------------------------

ACTION_COLUMNS = [
    "reference",
    "site",
    "year",
    "title",
    "type",
    "service",
    "owner_email",
    "opened_on",
    "due_on",
    "status",
    "progress",
    "closed_on",
    "source",
]


def _imported_state(prefecture: Prefecture) -> dict[int, tuple[str, int | None]]:
    """The status (its state) and progress the last import gave each action."""
    states = {s.label: s.base for s in ActionStatus.objects.filter(prefecture=prefecture)}
    last: dict[int, tuple[str, int | None]] = {}
    updates = ActionUpdate.objects.filter(
        action__prefecture=prefecture, kind=UpdateKind.IMPORTED
    ).order_by("at", "pk")
    for action_id, label, progress in updates.values_list("action_id", "to_status", "progress"):
        if label in states:
            last[action_id] = (states[label], progress)
    return last


def import_actions(prefecture: Prefecture, data: bytes | str, *, actor=None) -> dict:
    """Create or update (by reference) the file's actions; all or nothing (CsvImportError).

    A line giving the status and progress the last import gave leaves those an agent
    changed on the action's page since (moved on, done, abandoned): `kept` names them.
    A line « planned » with a progress above 0 is imported « en cours », as the action's
    page does (`status_for_progress`): `started` says so for each such line."""
    table = read_csv(
        data,
        required=["site", "year", "title", "type", "status"],
        optional=[
            c for c in ACTION_COLUMNS if c not in {"site", "year", "title", "type", "status"}
        ],
    )
    sites = {s.slug.casefold(): s for s in Site.objects.filter(prefecture=prefecture)}
    services = list(Service.objects.filter(site__prefecture=prefecture).select_related("site"))
    agents = {}
    for user in working_agents(prefecture):
        if user.email:
            agents.setdefault(user.email.casefold(), user)
    actions = list(Action.objects.filter(prefecture=prefecture).select_related("status", "plan"))
    existing = {a.reference: a for a in actions}
    # A line without reference names its action by site, year and title: the same file
    # imported twice (a plan kept in a spreadsheet) updates its actions, never doubles them.
    by_title = {(a.site_id, a.plan.year, _title_key(a.title)): a for a in actions}
    titled: dict[tuple, int] = {}
    seen: dict[str, int] = {}
    parsed = []
    imported = _imported_state(prefecture)
    kept: list[str] = []
    started: list[str] = []
    for row in table:
        reference = row.text("reference", max_length=20)
        if reference:
            if reference in seen:
                row.error("reference", f"référence déjà présente ligne {seen[reference]}")
            seen[reference] = row.line
        site = row.choice("site", sites, label="site")
        year = row.int("year", required=True, min=2000, max=2100)
        title = row.text("title", required=True, max_length=300)
        kind = (
            row.choice("type", {t: t for t in ActionType.values}, required=False, label="type")
            or ActionType.IMPROVEMENT
        )
        service = None
        if row["service"] and site is not None:
            matches = [s for s in services if code_key(s.slug) == code_key(row["service"])]
            same_site = [s for s in matches if s.site_id == site.pk]
            if same_site:
                service = same_site[0]
            elif matches:
                row.error(
                    "service", f"le service « {row['service']} » n'est pas du site {site.slug}"
                )
            else:
                row.error("service", f"service « {row['service']} » inconnu dans la préfecture")
        owner = row.lookup(
            "owner_email",
            lambda v: agents.get(v.casefold()),
            "« {value} » n'est pas l'adresse d'un agent de la préfecture",
        )
        opened_on = row.date("opened_on")
        due_on = row.date("due_on")
        code = row.choice("status", {c: c for c in StatusCode.values}, label="statut")
        progress = row.int("progress", min=0, max=100)
        closed_on = row.date("closed_on")
        if code in (StatusCode.DONE, StatusCode.ABANDONED) and not row["closed_on"]:
            row.error(
                "closed_on", "date de clôture obligatoire pour une action réalisée ou abandonnée"
            )
        if code in (StatusCode.PLANNED, StatusCode.IN_PROGRESS):
            closed_on = None  # an open action has no closing date (ignored if given)
        if opened_on and closed_on and closed_on < opened_on:
            row.error("closed_on", "la clôture précède l'ouverture")
        if opened_on and due_on and due_on < opened_on:
            row.error("due_on", "l'échéance précède l'ouverture")
        source = row.choice(
            "source",
            {k: k for k in SourceKind.values},
            required=False,
            label="origine",
            feminine=True,
        )
        if code == StatusCode.DONE and progress not in (None, 100):
            row.error("progress", "une action réalisée est avancée à 100 %")
        current = existing.get(reference) if reference else None
        if not reference and site is not None and year is not None and title:
            key = (site.pk, year, _title_key(title))
            if key in titled:
                row.error(
                    "title",
                    f"même action que la ligne {titled[key]} (même site, année et intitulé) : "
                    "donnez une référence à chacune",
                )
            titled.setdefault(key, row.line)
            current = by_title.get(key)
            reference = current.reference if current is not None else ""
        # The file says what the last import said while the page moved the status on:
        # the spreadsheet brings nothing newer (an older copy imported again).
        keep_status = (
            current is not None
            and current.pk in imported
            and imported[current.pk][0] == code
            and progress in (None, imported[current.pk][1])
            and (current.status.base, current.progress) != imported[current.pk]
        )
        if keep_status:
            kept.append(f"{current.reference} ({current.status.label})")
        if current is not None and current.is_closed:
            unchanged = current.title == title and (
                keep_status
                or (
                    current.status.base == code
                    and (progress is None or progress == current.progress)
                )
            )
            if not unchanged:
                row.error("status", _closed_message(current))
        parsed.append(
            dict(
                line=row.line,
                reference=reference,
                site=site,
                year=year,
                title=title,
                kind=kind,
                service=service,
                owner=owner,
                opened_on=opened_on,
                due_on=due_on,
                code=code,
                progress=progress,
                closed_on=closed_on,
                source=source or SourceKind.INTERNAL,
                keep_status=keep_status,
            )
        )
    table.raise_errors()
    # Optional columns left out of the file leave an existing action's values as they are
    # (an owner or a due date set on the action's page is not wiped by a re-import).
    absent = {column for column in _KEPT_WHEN_ABSENT if column not in table.header}
    created = updated = unchanged = 0
    with transaction.atomic():
        analyze(Action, ActionUpdate)  # fresh statistics once committed
        # Inside the transaction: a refused file leaves not even the default statuses.
        statuses = {code: status_for_code(prefecture, code) for code in StatusCode.values}
        for item in parsed:
            status = statuses[item["code"]]
            plan = plan_for(item["site"], item["year"])
            action = existing.get(item["reference"]) if item["reference"] else None
            is_new = action is None
            if is_new:
                reference = item["reference"]
                if reference:
                    _claim_reference(prefecture, reference)
                else:
                    reference = allocate_reference(prefecture, item["year"])
                action = Action(prefecture=prefecture, reference=reference)
            previous_status = action.status.label if not is_new else ""
            if not is_new:
                before = _import_fields(action)
                for column in absent:
                    key, field = _KEPT_WHEN_ABSENT[column]
                    item[key] = getattr(action, field)
                if "progress" in absent and status.base != action.status.base:
                    item["progress"] = None  # a new status brings its own default progress
                if item["keep_status"]:
                    status = action.status
                    item["progress"], item["closed_on"] = action.progress, action.closed_on
            action.plan = plan
            action.site = item["site"]
            action.title = item["title"]
            action.kind = item["kind"]
            action.service = item["service"]
            action.owner = item["owner"]
            action.opened_on = item["opened_on"] or action.opened_on or timezone.localdate()
            action.due_on = item["due_on"]
            action.status = status
            action.progress = (
                100
                if status.base == StatusCode.DONE
                else item["progress"]
                if item["progress"] is not None
                else status.default_progress
            )
            under_way = status_for_progress(prefecture, status, action.progress)
            if under_way != status:
                started.append(f"ligne {item['line']} ({action.reference}, {action.progress} %)")
                status = action.status = under_way
            action.closed_on = item["closed_on"]
            action.source_kind = item["source"]
            if not is_new and _import_fields(action) == before:
                unchanged += 1  # the same line again: no save, no history entry
                continue
            action.save()
            ActionUpdate.objects.create(
                action=action,
                kind=UpdateKind.IMPORTED,
                author=actor,
                text="Créée par import." if is_new else "Mise à jour par import.",
                from_status=previous_status,
                to_status=status.label,
                progress=action.progress,
            )
            created += is_new
            updated += not is_new
    return {
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "kept": kept,
        "started": started,
    }


def kept_statuses_note(kept: list[str]) -> str:
    """The result's sentence naming the actions whose status the import left as it was."""
    return counted_list(
        kept,
        "action dont le statut a changé sur sa page depuis le dernier import le garde",
        "actions dont le statut a changé sur leur page depuis le dernier import le gardent",
        separator=", ",
        end=".",
    )


def started_actions_note(started: list[str]) -> str:
    """The result's sentence naming the lines « planned » with a progress, imported under
    way (the rule of the action's page)."""
    return counted_list(
        started,
        "action « prévue » mais déjà avancée est importée « en cours », comme sur sa page",
        "actions « prévues » mais déjà avancées sont importées « en cours », comme sur leur page",
        end=".",
    )


# Optional columns of import_actions: the parsed line's key and the action's field each sets.
_KEPT_WHEN_ABSENT = {
    "service": ("service", "service"),
    "owner_email": ("owner", "owner"),
    "opened_on": ("opened_on", "opened_on"),
    "due_on": ("due_on", "due_on"),
    "progress": ("progress", "progress"),
    "closed_on": ("closed_on", "closed_on"),
    "source": ("source", "source_kind"),
}


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def _import_fields(action: Action) -> tuple:
    """What an imported line sets on an action (compared to skip lines that change nothing)."""
    return (
        action.plan_id,
        action.site_id,
        action.title,
        action.kind,
        action.service_id,
        action.owner_id,
        action.opened_on,
        action.due_on,
        action.status_id,
        action.progress,
        action.closed_on,
        action.source_kind,
    )


__all__ = ["CsvImportError", "QualityError"]
