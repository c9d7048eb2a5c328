"""Public organisation data (open data: contact details and hours published everywhere)."""

from datetime import time
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import WithJsonSchema

from engagements.api_errors import Slug, errors
from engagements.db_router import replica_reads

from .enums import Channel, HoursChannel
from .queries import public_prefectures, published_sites, weekly_hours

router = Router(tags=["organisation"])


# A local wall-clock time ("09:00:00", Europe/Paris): JSON Schema's "time" format would
# demand an offset, which opening hours do not have.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9]$",
            "description": "heure locale (HH:MM:SS)",
        }
    ),
]


class DayHours(Schema):
    weekday: int
    ranges: list[tuple[LocalTime, LocalTime]]


class ServiceOut(Schema):
    slug: str
    name: str
    description: str
    email: str
    phone: str


class SiteOut(Schema):
    slug: str
    name: str
    kind: str
    address: str
    postal_code: str
    city: str
    phone: str
    labelled_modules: list[int]
    reception_hours: list[DayHours]
    telephone_hours: list[DayHours]
    services: list[ServiceOut]


class PrefectureSummary(Schema):
    slug: str
    name: str
    department_code: str
    holiday_subdivision: str


class PrefectureOut(PrefectureSummary):
    address: str
    postal_code: str
    city: str
    phone: str
    website: str
    deadlines: dict[str, int]
    sites: list[SiteOut]


def _hours(site, channel) -> list[dict]:
    return [
        {"weekday": day["weekday"], "ranges": day["ranges"]}
        for day in weekly_hours(site, channel)
        if day["ranges"]
    ]


def _prefecture_out(prefecture) -> dict:
    return {
        "slug": prefecture.slug,
        "name": prefecture.name,
        "department_code": prefecture.department_code,
        "holiday_subdivision": prefecture.holiday_subdivision,
        "address": prefecture.street,
        "postal_code": prefecture.postal_code,
        "city": prefecture.city,
        "phone": prefecture.phone,
        "website": prefecture.website,
        "deadlines": {channel.value: prefecture.deadline_for(channel) for channel in Channel},
        "sites": [
            {
                "slug": site.slug,
                "name": site.name,
                "kind": site.kind,
                "address": site.street,
                "postal_code": site.postal_code,
                "city": site.city,
                "phone": site.phone,
                "labelled_modules": sorted(site.labelled_modules or []),
                "reception_hours": _hours(site, HoursChannel.RECEPTION),
                "telephone_hours": _hours(site, HoursChannel.TELEPHONE),
                "services": [
                    {
                        "slug": s.slug,
                        "name": s.name,
                        "description": s.description,
                        "email": s.email,
                        "phone": s.phone,
                    }
                    for s in site.services.all()
                ],
            }
            for site in published_sites(prefecture)
        ],
    }


@router.get(
    "/prefectures",
    response={200: list[PrefectureSummary], **errors()},
    summary="Liste des préfectures",
)
@replica_reads
def list_prefectures(request):
    return list(public_prefectures())


@router.get(
    "/prefectures/{slug}",
    response={200: PrefectureOut, **errors(404, 422)},
    summary="Une préfecture : délais, sites, services, horaires",
)
@replica_reads
def get_prefecture(request, slug: Slug):
    return _prefecture_out(get_object_or_404(public_prefectures(), slug=slug))
