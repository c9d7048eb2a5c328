from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from engagements.shell import navigation

from ..enums import HoursChannel
from ..queries import platform_weekly_hours, public_prefectures, published_sites, weekly_hours


@require_GET
def prefecture(request, slug: str):
    prefecture = get_object_or_404(public_prefectures(), slug=slug)
    sites = list(published_sites(prefecture))
    prefetch_related_objects(sites, "telephone_platforms__hours")
    for site in sites:
        site.platforms = [
            {"platform": platform, "week": platform_weekly_hours(platform)}
            for platform in site.telephone_platforms.all()
        ]
        site.reception_hours = weekly_hours(site, HoursChannel.RECEPTION)
        site.telephone_hours = weekly_hours(site, HoursChannel.TELEPHONE)
        site.has_reception_hours = any(day["ranges"] for day in site.reception_hours)
        site.has_telephone_hours = any(day["ranges"] for day in site.telephone_hours)
    return render(
        request,
        "organisation/public/prefecture.html",
        {
            "prefecture": prefecture,
            "sites": sites,
            "actions": navigation.public_actions(),
            "panels": navigation.public_panels(request, prefecture),
        },
    )
