"""Writes on the read-replica test's own primary, in a process of its own (the test process's
Django is connected to the test database, not to that primary): `python -m
tests.scale.replica_writer seed|message` with DATABASE_URL pointing at the primary.

- `seed`: a prefecture `replique` with one site and service, a référent qualité with an
  open session, and three messages received today; prints {"session": key, "service": id}.
- `message SUBJECT`: one more message received today, through the factory.
"""

from __future__ import annotations

import json
import os
import sys
from importlib import import_module

import django


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engagements.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone

    from engagements.organisation.enums import RoleKind
    from engagements.organisation.models import Prefecture, Service
    from tests.correspondence.factories import MessageFactory
    from tests.factories import (
        PrefectureFactory,
        RoleFactory,
        ServiceFactory,
        SiteFactory,
        UserFactory,
    )

    today = timezone.localdate()
    if argv[0] == "seed":
        prefecture = PrefectureFactory(slug="replique", name="Préfecture de Réplique")
        site = SiteFactory(prefecture=prefecture, slug="chef-lieu", name="Chef-Lieu")
        service = ServiceFactory(site=site, slug="courrier", name="Bureau du courrier")
        user = UserFactory(username="referent")
        RoleFactory(user=user, prefecture=prefecture, kind=RoleKind.QUALITY_LEAD)
        for n in range(3):
            MessageFactory(
                service=service,
                received_on=today,
                reference=f"{today.year}-R{n:05d}",
                subject=f"Message initial {n}",
            )
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        print(json.dumps({"session": session.session_key, "service": service.pk}))
    elif argv[0] == "message":
        prefecture = Prefecture.objects.get(slug="replique")
        service = Service.objects.get(site__prefecture=prefecture, slug="courrier")
        message = MessageFactory(
            service=service,
            received_on=today,
            reference=f"{today.year}-W{os.getpid():05d}",
            subject=argv[1],
        )
        print(json.dumps({"message": message.pk}))
    else:
        raise SystemExit(f"unknown action {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
