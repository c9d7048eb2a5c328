"""Labels per site and module, with their history: import, current labels, report, alerts.

A label row is one obtention (or renewal): (site, module, label, obtained_on) identifies
it, so a renewal is a new row and the history stays readable. What counts at a date is,
for each (site, module), the label with the latest `obtained_on` not after that date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from engagements.csvio import read_csv
from engagements.db import analyze
from engagements.organisation import services as organisation_services
from engagements.organisation.models import Prefecture, Site

from .cycle_enums import EXPIRING_DAYS, LabelCode, LabelStatus
from .models import Label

LABEL_COLUMNS = [
    "site",
    "module",
    "label",
    "obtained_on",
    "valid_until",
    "audit_body",
    "last_audit_on",
    "next_audit_on",
]
# The last three may be left out of the header as well as left empty.
OPTIONAL_LABEL_COLUMNS = ["audit_body", "last_audit_on", "next_audit_on"]
UPDATED_FIELDS = ["valid_until", "audit_body", "last_audit_on", "next_audit_on"]


def import_labels(prefecture: Prefecture, data: bytes | str) -> dict[str, int]:
    """Create or correct the file's labels, identified by (site, module, label, obtained_on);
    all or nothing (CsvImportError naming each line)."""
    table = read_csv(
        data,
        required=[c for c in LABEL_COLUMNS if c not in OPTIONAL_LABEL_COLUMNS],
        optional=OPTIONAL_LABEL_COLUMNS,
    )
    sites = {s.slug: s for s in Site.objects.filter(prefecture=prefecture)}
    codes = {code: code for code in LabelCode.values}
    seen: dict[tuple, tuple[int, dict]] = {}
    parsed: list[dict] = []
    for row in table:
        site = row.choice("site", sites, label="site")
        module = row.int("module", required=True, min=1, max=8)
        code = row.choice("label", codes, label="label")
        obtained_on = row.date("obtained_on", required=True)
        valid_until = row.date("valid_until", required=True)
        audit_body = row.text("audit_body", max_length=200)
        last_audit_on = row.date("last_audit_on")
        next_audit_on = row.date("next_audit_on")
        if obtained_on and valid_until and valid_until < obtained_on:
            row.error("valid_until", "la fin de validité précède l'obtention")
        if not row.ok:
            continue
        key = (site.pk, module, code, obtained_on)
        item = dict(
            key=key,
            site=site,
            module=module,
            label=code,
            obtained_on=obtained_on,
            valid_until=valid_until,
            audit_body=audit_body,
            last_audit_on=last_audit_on,
            next_audit_on=next_audit_on,
        )
        if key in seen:  # one line per label, as every import with a key (issue 20)
            row.error(
                None, f"même site, module, label et date d'obtention que la ligne {seen[key][0]}"
            )
            continue
        seen[key] = (row.line, item)
        parsed.append(item)
    table.raise_errors()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        analyze(Label)  # fresh statistics once committed
        existing = {
            (lab.site_id, lab.module, lab.label, lab.obtained_on): lab
            for lab in Label.objects.select_for_update().filter(prefecture=prefecture)
        }
        for item in parsed:
            label = existing.get(item.pop("key"))
            if label is None:
                Label.objects.create(prefecture=prefecture, **item)
                counts["created"] += 1
                continue
            # An optional column left out of the file leaves the label's value as it is.
            changed = [
                f
                for f in UPDATED_FIELDS
                if getattr(label, f) != item[f]
                and (f not in OPTIONAL_LABEL_COLUMNS or f in table.header)
            ]
            if not changed:
                counts["unchanged"] += 1
                continue
            for name in changed:
                setattr(label, name, item[name])
            label.save(update_fields=changed)
            counts["updated"] += 1
        sync_labelled_modules({item["site"] for item in parsed})
    return counts


def label_status(valid_until: date, at: date) -> str:
    """`expired` after its end, `expiring` at most 180 days before it, else `valid`."""
    if at > valid_until:
        return LabelStatus.EXPIRED.value
    if (valid_until - at).days <= EXPIRING_DAYS:
        return LabelStatus.EXPIRING.value
    return LabelStatus.VALID.value


@dataclass(frozen=True)
class CurrentLabel:
    label: Label
    status: str

    @property
    def renewal_unplanned(self) -> bool:
        """No audit planned before the label's end (a renewal audit must come before it)."""
        next_on = self.label.next_audit_on
        return self.status != LabelStatus.EXPIRED and (
            next_on is None or next_on > self.label.valid_until
        )


def current_labels(
    prefecture: Prefecture, at: date, *, sites=None
) -> dict[Site, list[CurrentLabel]]:
    """Each site's current label per module at `at` (sites in display order, modules 1–8)."""
    labels = Label.objects.filter(prefecture=prefecture, obtained_on__lte=at).select_related("site")
    if sites is not None:
        labels = labels.filter(site__in=sites)
    return _current(labels, at)


def current_labels_by_prefecture(
    prefectures, at: date
) -> dict[int, dict[Site, list[CurrentLabel]]]:
    """`current_labels` of many prefectures in one query, by prefecture pk (none: absent)."""
    grouped: dict[int, list[Label]] = {}
    for label in Label.objects.filter(
        prefecture__in=prefectures, obtained_on__lte=at
    ).select_related("site"):
        grouped.setdefault(label.prefecture_id, []).append(label)
    return {pk: _current(labels, at) for pk, labels in grouped.items()}


def _current(labels, at: date) -> dict[Site, list[CurrentLabel]]:
    latest: dict[tuple[int, int], Label] = {}
    for label in labels:
        key = (label.site_id, label.module)
        held = latest.get(key)
        # The latest obtention counts; on the same day, the one valid the longest.
        if held is None or (label.obtained_on, label.valid_until, label.pk) > (
            held.obtained_on,
            held.valid_until,
            held.pk,
        ):
            latest[key] = label
    by_site: dict[Site, list[CurrentLabel]] = {}
    ordered = sorted(
        latest.values(), key=lambda lab: (lab.site.position, lab.site.name, lab.site.pk, lab.module)
    )
    for label in ordered:
        by_site.setdefault(label.site, []).append(
            CurrentLabel(label, label_status(label.valid_until, at))
        )
    return by_site


def labels_report(prefecture: Prefecture, at: date) -> dict:
    """The `labels_report` contract: current label per (site, module) with its status."""
    by_site = current_labels(prefecture, at)
    counts = {status: 0 for status in LabelStatus.values}
    sites_out = []
    module_one_labelled: set[int] = set()
    for site, currents in by_site.items():
        modules = []
        for current in currents:
            label = current.label
            counts[current.status] += 1
            if label.module == 1 and current.status != LabelStatus.EXPIRED:
                module_one_labelled.add(site.pk)
            modules.append(
                {
                    "module": label.module,
                    "label": label.label,
                    "obtained_on": label.obtained_on.isoformat(),
                    "valid_until": label.valid_until.isoformat(),
                    "status": current.status,
                    "next_audit_on": (
                        label.next_audit_on.isoformat() if label.next_audit_on else None
                    ),
                }
            )
        sites_out.append({"site": site.slug, "modules": modules})
    # Every site of the prefecture, as the contract says (a closed site counts too).
    all_sites = Site.objects.filter(prefecture=prefecture).values_list("pk", flat=True)
    counts["unlabelled_sites"] = sum(1 for pk in all_sites if pk not in module_one_labelled)
    return {"at": at.isoformat(), "sites": sites_out, "counts": counts}


def labels_to_act_on(prefecture: Prefecture, at: date, *, sites=None) -> dict[str, list]:
    """Current labels expiring within 180 days, and those whose renewal audit is not planned."""
    expiring, unplanned = [], []
    for currents in current_labels(prefecture, at, sites=sites).values():
        for current in currents:
            if current.status == LabelStatus.EXPIRING:
                expiring.append(current)
            if current.renewal_unplanned:
                unplanned.append(current)
    return {"expiring": expiring, "unplanned": unplanned}


class LabelError(Exception):
    """A label refused (message in French, shown to the référent)."""


def add_label(
    prefecture: Prefecture,
    *,
    site: Site,
    module: int,
    label: str,
    obtained_on: date,
    valid_until: date,
    audit_body: str = "",
    last_audit_on: date | None = None,
    next_audit_on: date | None = None,
) -> Label:
    """Record a label obtained or renewed: always a new row, the earlier ones stay."""
    if site.prefecture_id != prefecture.pk:
        raise LabelError("Ce site n'est pas de la préfecture.")
    if valid_until < obtained_on:
        raise LabelError("La fin de validité précède la date d'obtention.")
    with transaction.atomic():
        if Label.objects.filter(
            site=site, module=module, label=label, obtained_on=obtained_on
        ).exists():
            raise LabelError("Ce label est déjà enregistré pour ce module à cette date.")
        created = Label.objects.create(
            prefecture=prefecture,
            site=site,
            module=module,
            label=label,
            obtained_on=obtained_on,
            valid_until=valid_until,
            audit_body=audit_body,
            last_audit_on=last_audit_on,
            next_audit_on=next_audit_on,
        )
        sync_labelled_modules([site])
        return created


def labelled_modules(site: Site, at: date) -> list[int]:
    """The modules a site holds a current label on at `at` (valid or to be renewed)."""
    prefecture = site.prefecture
    currents = current_labels(prefecture, at, sites=[site]).get(site, [])
    return sorted(c.label.module for c in currents if c.status != LabelStatus.EXPIRED)


def sync_labelled_modules(sites, at: date | None = None) -> int:
    """Keep the organisation's `Site.labelled_modules` (the site pages, the public page and
    the sites API read it) equal to the modules of the site's current labels, written
    through the organisation's service; returns how many sites changed."""
    at = at or timezone.localdate()
    return sum(
        organisation_services.set_labelled_modules(site, labelled_modules(site, at))
        for site in sites
    )


def sync_all_labelled_modules() -> int:
    """Daily: labels expire with time, every site holding a label is written again."""
    sites = Site.objects.filter(pk__in=Label.objects.values("site_id")).select_related("prefecture")
    return sync_labelled_modules(sites)
