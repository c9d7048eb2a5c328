"""`seed_demo`: invented people, one login per role, safe to run twice."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from engagements.organisation.demo import DEMO_PASSWORD, DEMO_USERS
from engagements.organisation.models import Prefecture, Site


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"organisation", "correspondence", "appointments", "surveys"}
        and not model._meta.label.endswith(("Historical", "historical"))
    }


@pytest.mark.django_db
@pytest.mark.slow  # two whole demos; on SQLite, test_demo_determinism seeds it (twice)
def test_seed_demo_twice_keeps_the_data_and_every_login_works(capsys):
    call_command("seed_demo")
    first = _counts()
    out = capsys.readouterr().out
    call_command("seed_demo")
    assert _counts() == first, "running seed_demo again must not add anything"
    demo = Prefecture.objects.get(slug="demo")
    kinds = set(Site.objects.filter(prefecture=demo).values_list("kind", flat=True))
    assert kinds == {"prefecture", "sub_prefecture", "digital_point"}
    for username, *_ in DEMO_USERS:
        assert username in out
        client = Client()
        response = client.post(
            reverse("organisation:agents-login"),
            {"username": username, "password": DEMO_PASSWORD},
            follow=True,
        )
        assert response.status_code == 200, username
        assert response.wsgi_request.user.is_authenticated, username
        assert "/agents/" in response.redirect_chain[-1][0]
