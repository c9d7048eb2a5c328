# Website update references (WEB-YYYY-NNNNN) were "last + 1" under a prefecture lock; they
# now come from the one reference service, whose counters start past the numbers given.

import re

from django.db import migrations

SCOPE = "indicators.website_update"
REFERENCE = re.compile(r"^WEB-(\d{4})-(\d+)$")


def forward(apps, schema_editor):
    WebsiteUpdate = apps.get_model("indicators", "WebsiteUpdate")
    Counter = apps.get_model("organisation", "ReferenceCounter")
    lasts: dict[tuple[int, int], int] = {}
    for prefecture_id, reference in WebsiteUpdate.objects.values_list(
        "prefecture_id", "reference"
    ).iterator():
        match = REFERENCE.match(reference)
        if match:
            key = (prefecture_id, int(match.group(1)))
            lasts[key] = max(lasts.get(key, 0), int(match.group(2)))
    Counter.objects.bulk_create(
        Counter(prefecture_id=prefecture_id, scope=SCOPE, year=year, last=last)
        for (prefecture_id, year), last in lasts.items()
    )


def backward(apps, schema_editor):
    apps.get_model("organisation", "ReferenceCounter").objects.filter(scope=SCOPE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("organisation", "0006_reference_counter"),
    ]

    operations = [migrations.RunPython(forward, backward)]
