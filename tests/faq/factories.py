import factory
from django.utils import timezone

from engagements.faq.models import Entry, SearchMiss


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    service = None
    site = factory.LazyAttribute(lambda o: o.service.site if o.service else None)
    prefecture = factory.LazyAttribute(
        lambda o: (
            o.site.prefecture if o.site else factory.SubFactory("tests.factories.PrefectureFactory")
        )
    )
    language = "fr"
    question = factory.Sequence(lambda n: f"Question numéro {n} ?")
    answer = "Une réponse claire."
    tags = ""
    reviewed_on = factory.LazyFunction(timezone.localdate)


class SearchMissFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SearchMiss

    service = None
    site = factory.LazyAttribute(lambda o: o.service.site if o.service else None)
    prefecture = factory.LazyAttribute(lambda o: o.service.site.prefecture)
    query = factory.Sequence(lambda n: f"recherche {n}")
