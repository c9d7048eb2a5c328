import factory
from django.utils import timezone

from engagements.faq.models import Entry, ProcedureSheet, SearchMiss


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


class SheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProcedureSheet

    service = factory.SubFactory("tests.factories.ServiceFactory")
    prefecture = factory.LazyAttribute(lambda o: o.service.site.prefecture)
    title = factory.Sequence(lambda n: f"Fiche {n}")
    body = "Vérifier le passeport puis remettre le récépissé."
    owner = factory.SubFactory("tests.factories.UserFactory")
    review_on = factory.LazyFunction(lambda: timezone.localdate().replace(year=2099))
    reviewed_on = factory.LazyFunction(timezone.localdate)
