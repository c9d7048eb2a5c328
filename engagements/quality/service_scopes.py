"""Scope per service (which services of a site are in which module's scope), the fraud
referent of each service of module 2 (titles), and the year's training plan with its
coverage (issue 22)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from engagements.organisation.models import Prefecture, Service

from .cycle_enums import TrainingTopic
from .models import ServiceScope, TrainingPlanItem, TrainingSession

TITLES_MODULE = 2  # module 2: delivery of titles, where fraud is fought


def share(part: int, whole: int) -> float | None:
    """100 × part / whole, one decimal, half up; None when there is nothing to count."""
    if not whole:
        return None
    value = (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


class ScopeError(Exception):
    """A scope or a plan item refused (message in French)."""


def set_service_scope(
    prefecture: Prefecture, service: Service, modules: list[int], *, fraud_referent=None
) -> list[ServiceScope]:
    """Put a service in exactly these modules' scope; the fraud referent goes with module 2."""
    if service.site.prefecture_id != prefecture.pk:
        raise ScopeError("Ce service n'est pas de la préfecture.")
    wanted = sorted({int(m) for m in modules})
    if any(not 1 <= m <= 8 for m in wanted):
        raise ScopeError("Les modules sont numérotés de 1 à 8.")
    with transaction.atomic():
        ServiceScope.objects.filter(service=service).exclude(module__in=wanted).delete()
        scopes = []
        for module in wanted:
            referent = fraud_referent if module == TITLES_MODULE else None
            scope, _ = ServiceScope.objects.update_or_create(
                service=service,
                module=module,
                defaults={"prefecture": prefecture, "fraud_referent": referent},
            )
            scopes.append(scope)
    return scopes


def scopes_by_service(prefecture: Prefecture) -> dict[int, list[ServiceScope]]:
    out: dict[int, list[ServiceScope]] = {}
    for scope in ServiceScope.objects.filter(prefecture=prefecture).select_related(
        "fraud_referent"
    ):
        out.setdefault(scope.service_id, []).append(scope)
    return out


def titles_services(prefecture: Prefecture, sites=None) -> list[ServiceScope]:
    """The services in module 2's scope (active ones), with their fraud referent."""
    scopes = ServiceScope.objects.filter(
        prefecture=prefecture, module=TITLES_MODULE, service__is_active=True
    ).select_related("service__site", "fraud_referent")
    if sites is not None:
        scopes = scopes.filter(service__site__in=sites)
    return list(scopes)


def module_services(prefecture: Prefecture) -> dict[tuple[int, int], set[int]]:
    """{(site pk, module): the pks of the site's active services in that module's scope}."""
    out: dict[tuple[int, int], set[int]] = {}
    for site_id, module, service_id in ServiceScope.objects.filter(
        prefecture=prefecture, service__is_active=True
    ).values_list("service__site_id", "module", "service_id"):
        out.setdefault((site_id, module), set()).add(service_id)
    return out


def module_services_by_prefecture(prefectures) -> dict[int, dict[tuple[int, int], set[int]]]:
    """`module_services` of many prefectures in one query, by prefecture pk."""
    out: dict[int, dict[tuple[int, int], set[int]]] = {}
    for prefecture_id, site_id, module, service_id in ServiceScope.objects.filter(
        prefecture__in=prefectures, service__is_active=True
    ).values_list("prefecture_id", "service__site_id", "module", "service_id"):
        out.setdefault(prefecture_id, {}).setdefault((site_id, module), set()).add(service_id)
    return out


def titles_services_by_prefecture(prefectures) -> dict[int, list[ServiceScope]]:
    """`titles_services` of many prefectures in one query, by prefecture pk."""
    out: dict[int, list[ServiceScope]] = {}
    for scope in ServiceScope.objects.filter(
        prefecture__in=prefectures, module=TITLES_MODULE, service__is_active=True
    ).select_related("service__site", "fraud_referent"):
        out.setdefault(scope.prefecture_id, []).append(scope)
    return out


def scope_service_ids(prefecture: Prefecture, module: int) -> list[int]:
    """The pks of the prefecture's active services in a module's scope (sorted); the
    indicators app reads it through engagements.shell.label_cycle for module figures."""
    return sorted(
        ServiceScope.objects.filter(
            prefecture=prefecture, module=module, service__is_active=True
        ).values_list("service_id", flat=True)
    )


def add_plan_item(
    prefecture: Prefecture, *, year: int, service: Service, topic: str, participants=None
) -> TrainingPlanItem:
    """Add a training to the year's plan of a service."""
    if service.site.prefecture_id != prefecture.pk:
        raise ScopeError("Ce service n'est pas de la préfecture.")
    if topic not in TrainingTopic.values:
        raise ScopeError("Thème de formation inconnu.")
    with transaction.atomic():
        item, created = TrainingPlanItem.objects.get_or_create(
            year=year,
            service=service,
            topic=topic,
            defaults={"prefecture": prefecture, "participants": participants},
        )
    if not created:
        raise ScopeError("Cette formation est déjà au plan de l'année pour ce service.")
    return item


@dataclass(frozen=True)
class PlanLine:
    item: TrainingPlanItem
    sessions: int
    participants: int

    @property
    def covered(self) -> bool:
        return self.sessions > 0


def plan_coverage(prefecture: Prefecture, year: int, services=None) -> dict:
    """Each plan item with the year's sessions of its topic at its service; the coverage is
    the share of items with at least one session (one decimal)."""
    items = TrainingPlanItem.objects.filter(prefecture=prefecture, year=year).select_related(
        "service__site"
    )
    sessions = TrainingSession.objects.filter(prefecture=prefecture, date__year=year)
    if services is not None:
        items = items.filter(service__in=services)
        sessions = sessions.filter(service__in=services)
    lines = _plan_lines(items, sessions)
    return {
        "lines": lines,
        "coverage": share(sum(line.covered for line in lines), len(lines)),
    }


def plan_lines_by_prefecture(prefectures, year: int) -> dict[int, list[PlanLine]]:
    """`plan_coverage(…)["lines"]` of many prefectures in two queries, by prefecture pk."""
    items = TrainingPlanItem.objects.filter(prefecture__in=prefectures, year=year).select_related(
        "service__site"
    )
    sessions = TrainingSession.objects.filter(prefecture__in=prefectures, date__year=year)
    out: dict[int, list[PlanLine]] = {}
    for line in _plan_lines(items, sessions):
        out.setdefault(line.item.prefecture_id, []).append(line)
    return out


def _plan_lines(items, sessions) -> list[PlanLine]:
    """Each plan item with the sessions of its topic at its service."""
    done: dict[tuple[int, str], list[int]] = {}
    for service_id, topic, participants in sessions.values_list(
        "service_id", "topic", "participants"
    ):
        done.setdefault((service_id, topic), []).append(participants)
    lines = []
    for item in items:
        held = done.get((item.service_id, item.topic), [])
        lines.append(PlanLine(item, len(held), sum(held)))
    return lines
