"""The demo FAQ: about sixty answers over every demo service, some in English, some overdue
for review, unanswered searches to turn into questions; the search finds demo answers."""

import pytest

from engagements.faq.models import Entry, SearchMiss
from engagements.faq.search import search
from engagements.faq.services import overdue_filter
from engagements.organisation.management.commands.seed_demo import seed_apps
from engagements.organisation.models import Prefecture, Service


@pytest.mark.django_db
@pytest.mark.slow
def test_demo_faq():
    seed_apps(only=("faq",))
    assert 55 <= Entry.objects.count() <= 70
    assert Entry.objects.filter(language="en").count() >= 10
    with_faq = set(Entry.objects.values_list("service", flat=True))
    assert set(Service.objects.values_list("pk", flat=True)) - with_faq == set()
    assert Entry.objects.filter(overdue_filter()).count() >= 5
    assert SearchMiss.objects.count() >= 5
    demo = Prefecture.objects.get(slug="demo")
    assert search(demo, "carte grise occasion")[0].question.startswith("Comment obtenir une carte")
