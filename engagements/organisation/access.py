"""Who may see and do what, where. Checked server-side on every agent view and API call.

Every agent URL starts with `agents/<slug:prefecture>/`. The `agent_view` decorator resolves
the prefecture through the user's roles (404 for anyone without a role there, so a user of
another prefecture learns nothing), puts `request.prefecture` and `request.access`, and
checks the capability. Record querysets are then narrowed with `Access.scope(...)`.

Roles (docs/glossary.md):
- national_admin: every prefecture, every capability;
- quality_lead: the whole prefecture, manages the organisation;
- site_manager: records of his sites;
- agent: records of his services;
- committee_member: the committee's documents only (no operational records);
- auditor: reads the whole prefecture, changes nothing, and reads records without the
  people in them (`Access.sees_people`: exports keep their columns, emptied).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest

from .enums import ROLE_AS, RoleKind
from .models import Prefecture, Role, Service, Site

# Capabilities and the roles that hold them (national_admin holds all).
CAPABILITIES: dict[str, set[str]] = {
    # open the agents' space of the prefecture
    "view": {
        RoleKind.QUALITY_LEAD,
        RoleKind.SITE_MANAGER,
        RoleKind.AGENT,
        RoleKind.COMMITTEE_MEMBER,
        RoleKind.AUDITOR,
    },
    # read operational records (register, bookings, results) within one's scope
    "read_records": {
        RoleKind.QUALITY_LEAD,
        RoleKind.SITE_MANAGER,
        RoleKind.AGENT,
        RoleKind.AUDITOR,
    },
    # read the people in those records (names, e-mail addresses, phones, what they wrote):
    # the auditor checks the approach on the records' facts, never on who the people are
    "read_people": {RoleKind.QUALITY_LEAD, RoleKind.SITE_MANAGER, RoleKind.AGENT},
    # act on operational records (answer, check in, enter coupons…) within one's scope
    "work": {RoleKind.QUALITY_LEAD, RoleKind.SITE_MANAGER, RoleKind.AGENT},
    # settings of the organisation, templates, campaigns, targets
    "manage": {RoleKind.QUALITY_LEAD},
    # figures of the whole prefecture
    "read_figures": {RoleKind.QUALITY_LEAD, RoleKind.SITE_MANAGER, RoleKind.AUDITOR},
    # the "Imports" page (each import kind then names the roles that may run it:
    # engagements.shell.imports)
    "import": {RoleKind.QUALITY_LEAD, RoleKind.SITE_MANAGER},
    # committee documents (template review, meetings)
    "committee": {RoleKind.QUALITY_LEAD, RoleKind.COMMITTEE_MEMBER, RoleKind.AUDITOR},
}
WHOLE_PREFECTURE = {RoleKind.NATIONAL_ADMIN, RoleKind.QUALITY_LEAD, RoleKind.AUDITOR}
# Roles whose records are those of some sites (and, for agents, services).
SCOPED = {RoleKind.SITE_MANAGER, RoleKind.AGENT}


@dataclass
class Access:
    """The roles of one user, with helpers to scope querysets to them.

    Made once per request (`get_access`): the sites and services a scoped user may see are
    read once and remembered for the request, as the roles themselves are."""

    user: object
    roles: list[Role] = field(default_factory=list)
    _ids: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def for_user(cls, user) -> Access:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(user=user, roles=[])
        roles = list(Role.objects.filter(user=user).select_related("prefecture"))
        # Only the roles limited to some sites or services read theirs.
        prefetch_related_objects([r for r in roles if r.kind in SCOPED], "sites", "services")
        return cls(user=user, roles=roles)

    @property
    def is_national_admin(self) -> bool:
        return any(r.kind == RoleKind.NATIONAL_ADMIN for r in self.roles)

    def prefectures(self) -> QuerySet[Prefecture]:
        if self.is_national_admin:
            return Prefecture.objects.all()
        return Prefecture.objects.filter(pk__in={r.prefecture_id for r in self.roles})

    def prefecture(self, slug: str) -> Prefecture | None:
        """The prefecture of that slug if this user holds a role there (read with his roles,
        or for a national administrator from the database), else None."""
        if self.is_national_admin:
            return Prefecture.objects.filter(slug=slug).first()
        return next((r.prefecture for r in self.roles if r.prefecture.slug == slug), None)

    def kinds(self, prefecture: Prefecture) -> set[str]:
        if self.is_national_admin:
            return {RoleKind.NATIONAL_ADMIN}
        return {r.kind for r in self.roles if r.prefecture_id == prefecture.pk}

    def can(self, prefecture: Prefecture, capability: str) -> bool:
        kinds = self.kinds(prefecture)
        if RoleKind.NATIONAL_ADMIN in kinds:
            return True
        return bool(kinds & CAPABILITIES[capability])

    def _roles_in(self, prefecture: Prefecture) -> list[Role]:
        return [r for r in self.roles if r.prefecture_id in (None, prefecture.pk)]

    def role_labels(self, prefecture: Prefecture) -> list[str]:
        """Names of the user's roles in the prefecture, sorted ("Agent", "Chef de site")."""
        return sorted({r.get_kind_display() for r in self._roles_in(prefecture)})

    def roles_as(self, prefecture: Prefecture) -> str:
        """The end of "Vous êtes connecté en tant …": "que chef de site et qu'agent"."""
        return " et ".join(
            sorted(
                {
                    ROLE_AS.get(r.kind, f"que {r.get_kind_display().lower()}")
                    for r in self._roles_in(prefecture)
                }
            )
        )

    def sees_people(self, prefecture: Prefecture) -> bool:
        """Whether this user may read who the people in the records are (names, contact
        details, free text): not an auditor, who reads the records' facts only."""
        return self.can(prefecture, "read_people")

    def sees_whole_prefecture(self, prefecture: Prefecture) -> bool:
        return bool(self.kinds(prefecture) & WHOLE_PREFECTURE)

    def site_ids(self, prefecture: Prefecture) -> frozenset[int]:
        """Sites whose records this user may see (all of them for prefecture-wide roles)."""
        return self._remembered(self._site_ids, prefecture)

    def _site_ids(self, prefecture: Prefecture) -> set[int]:
        if self.sees_whole_prefecture(prefecture):
            return set(prefecture.sites.values_list("pk", flat=True))
        ids: set[int] = set()
        for role in self.roles:
            if role.prefecture_id != prefecture.pk:
                continue
            if role.kind == RoleKind.SITE_MANAGER:
                ids |= {s.pk for s in role.sites.all()}
            elif role.kind == RoleKind.AGENT:
                ids |= {s.site_id for s in role.services.all()} | {s.pk for s in role.sites.all()}
        return ids

    def service_ids(self, prefecture: Prefecture) -> frozenset[int]:
        """Services whose records this user may see."""
        return self._remembered(self._service_ids, prefecture)

    def _remembered(self, read, prefecture: Prefecture) -> frozenset[int]:
        key = (read.__name__, prefecture.pk)
        if key not in self._ids:
            self._ids[key] = frozenset(read(prefecture))
        return self._ids[key]

    def _service_ids(self, prefecture: Prefecture) -> set[int]:
        if self.sees_whole_prefecture(prefecture):
            return set(
                Service.objects.filter(site__prefecture=prefecture).values_list("pk", flat=True)
            )
        ids: set[int] = set()
        site_ids: set[int] = set()  # the services of whole sites, read in one query
        for role in self.roles:
            if role.prefecture_id != prefecture.pk:
                continue
            if role.kind == RoleKind.SITE_MANAGER:
                site_ids |= {s.pk for s in role.sites.all()}
            elif role.kind == RoleKind.AGENT:
                ids |= {s.pk for s in role.services.all()}
                site_ids |= {s.pk for s in role.sites.all()}
        if site_ids:
            ids |= set(Service.objects.filter(site__in=site_ids).values_list("pk", flat=True))
        return ids

    def sees_record(self, prefecture: Prefecture, *, site_id=None, service_id=None) -> bool:
        """Whether a record of that site and service would be in `scope` for this user (a
        person offered a task on it can open it)."""
        if not self.can(prefecture, "read_records"):
            return False
        if self.sees_whole_prefecture(prefecture):
            return True
        if service_id is not None:
            return service_id in self.service_ids(prefecture)
        return site_id in self.site_ids(prefecture)

    def sites(self, prefecture: Prefecture) -> QuerySet[Site]:
        sites = Site.objects.filter(prefecture=prefecture)
        if self.sees_whole_prefecture(prefecture):
            return sites  # what site_ids would list, without reading the ids first
        return sites.filter(pk__in=self.site_ids(prefecture))

    def services(self, prefecture: Prefecture) -> QuerySet[Service]:
        services = Service.objects.filter(site__prefecture=prefecture).select_related("site")
        if self.sees_whole_prefecture(prefecture):
            return services
        return services.filter(pk__in=self.service_ids(prefecture))

    def scope(
        self,
        queryset: QuerySet,
        prefecture: Prefecture,
        *,
        prefecture_field: str = "prefecture",
        site_field: str | None = "site",
        service_field: str | None = "service",
    ) -> QuerySet:
        """Narrow a queryset of records to this prefecture and to the user's sites/services.

        A record with a service is visible when its service is in scope; a record with a
        site but no service, when its site is. Users without `read_records` see nothing.
        """
        queryset = queryset.filter(**{prefecture_field: prefecture})
        if not self.can(prefecture, "read_records"):
            return queryset.none()
        if self.sees_whole_prefecture(prefecture):
            return queryset
        condition = Q()
        if service_field:
            condition |= Q(**{f"{service_field}__in": self.service_ids(prefecture)})
        if site_field:
            site_condition = Q(**{f"{site_field}__in": self.site_ids(prefecture)})
            if service_field:
                site_condition &= Q(**{f"{service_field}__isnull": True})
            condition |= site_condition
        return queryset.filter(condition)


def get_access(request: HttpRequest) -> Access:
    if not hasattr(request, "_access"):
        request._access = Access.for_user(request.user)
    return request._access


def refuse_without_people(request: HttpRequest) -> None:
    """403 for a user who may not read the people in the records (the auditor) on what is
    all about a person: her letters, her papers, her certificate. Called after the record's
    lookup, so that a record out of scope stays a 404."""
    if not request.access.sees_people(request.prefecture):
        raise PermissionDenied("Ce document concerne la personne : votre rôle ne l'ouvre pas.")


def agent_view(capability: str = "view") -> Callable:
    """Decorate an agent view taking `prefecture` (slug) as its first URL argument.

    404 when the user holds no role in that prefecture (never reveal it exists), 403 when
    he holds one but lacks the capability.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, prefecture: str, *args, **kwargs):
            access = get_access(request)
            found = access.prefecture(prefecture)
            if found is None or not access.can(found, "view"):
                raise Http404("Préfecture inconnue")
            # Set before refusing, so that the 403 page keeps the agents' layout.
            request.prefecture = found
            request.access = access
            if not access.can(found, capability):
                raise PermissionDenied("Votre rôle ne permet pas cette action.")
            return view(request, *args, **kwargs)

        wrapper.agent_capability = capability
        return wrapper

    return decorator
