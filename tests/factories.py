"""Factories of the organisation, shared by every app's tests (invented people only)."""

from datetime import time

import factory
from django.contrib.auth import get_user_model

from engagements.organisation.enums import HoursChannel, RoleKind, SiteKind
from engagements.organisation.models import (
    Closure,
    OpeningHours,
    Prefecture,
    Role,
    Service,
    Site,
)


class PrefectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefecture

    slug = factory.Sequence(lambda n: f"prefecture-{n}")
    name = factory.Sequence(lambda n: f"Préfecture du Département {n}")
    department_code = factory.Sequence(lambda n: f"{(n % 95) + 1:02d}")
    department_name = factory.Sequence(lambda n: f"Département {n}")
    holiday_subdivision = "metropole"
    street = "1 place de la Préfecture"
    postal_code = "75000"
    city = "Chef-Lieu"
    phone = "01 23 45 67 89"
    email = factory.LazyAttribute(lambda o: f"contact@{o.slug}.test")
    website = factory.LazyAttribute(lambda o: f"https://www.{o.slug}.test")

    class Params:
        moselle = factory.Trait(holiday_subdivision="57")
        guadeloupe = factory.Trait(holiday_subdivision="971")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    prefecture = factory.SubFactory(PrefectureFactory)
    slug = factory.Sequence(lambda n: f"site-{n}")
    name = factory.Sequence(lambda n: f"Site {n}")
    kind = SiteKind.PREFECTURE
    street = "2 rue de l'Accueil"
    postal_code = "75000"
    city = "Chef-Lieu"
    labelled_modules = factory.LazyFunction(lambda: [1])

    class Params:
        sub_prefecture = factory.Trait(kind=SiteKind.SUB_PREFECTURE)
        with_hours = factory.Trait(
            hours=factory.RelatedFactoryList(
                "tests.factories.OpeningHoursFactory",
                "site",
                size=5,
                weekday=factory.Iterator(range(5)),
            )
        )


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    site = factory.SubFactory(SiteFactory)
    slug = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Bureau {n}")
    email = factory.LazyAttribute(lambda o: f"{o.slug}@service.test")


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    site = factory.SubFactory(SiteFactory)
    channel = HoursChannel.RECEPTION
    weekday = 0
    opens_at = time(9, 0)
    closes_at = time(12, 0)
    reopens_at = time(13, 30)
    closes_again_at = time(16, 30)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    prefecture = factory.SubFactory(PrefectureFactory)
    label = "Fermeture exceptionnelle"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@agents.test")
    password = factory.PostGenerationMethodCall("set_password", "secret-password")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    kind = RoleKind.AGENT
    prefecture = factory.SubFactory(PrefectureFactory)
    # Every letter's signature block names the signatory's title (seed 000).
    title = "Chargé d'accueil"

    @factory.post_generation
    def sites(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.sites.set(extracted)

    @factory.post_generation
    def services(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.services.set(extracted)
