import datetime

import factory
from django.utils.text import slugify

from programme.models import (
    Axis,
    Commune,
    CopilMeeting,
    Decision,
    Intercommunality,
    NewsItem,
    Phase,
    Territory,
)
from tests.factory_base import ModelFactory
from tests.partners.factories import OrganisationFactory


class TerritoryFactory(ModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ("slug",)

    name = "Grand Est Touraine"
    slug = "grand-est-touraine"
    department = "Indre-et-Loire (37)"
    region = "Centre-Val de Loire"


class IntercommunalityFactory(ModelFactory):
    class Meta:
        model = Intercommunality

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"CC numéro {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    siren = factory.Sequence(lambda n: f"{200000000 + n:09d}")
    population = 10000
    organisation = factory.SubFactory(
        OrganisationFactory, name=factory.SelfAttribute("..name"), kind="intercommunality"
    )


class CommuneFactory(ModelFactory):
    class Meta:
        model = Commune

    intercommunality = factory.SubFactory(IntercommunalityFactory)
    name = factory.Sequence(lambda n: f"Commune {n}")
    insee = factory.Sequence(lambda n: f"37{n:03d}")
    siren = factory.Sequence(lambda n: f"{213700000 + n:09d}")
    population = 1000
    outline = factory.LazyFunction(
        lambda: {
            "type": "Polygon",
            "coordinates": [[[0.9, 47.4], [1.0, 47.4], [1.0, 47.5], [0.9, 47.5], [0.9, 47.4]]],
        }
    )


class PhaseFactory(ModelFactory):
    class Meta:
        model = Phase
        django_get_or_create = ("territory", "number")

    territory = factory.SubFactory(TerritoryFactory)
    number = 2
    name = "Phase 2 (2023-2027)"
    start_date = datetime.date(2023, 1, 1)
    end_date = datetime.date(2027, 12, 31)
    labelled_on = datetime.date(2023, 11, 9)


class AxisFactory(ModelFactory):
    class Meta:
        model = Axis

    phase = factory.SubFactory(PhaseFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Axe thématique {n}")
    slug = factory.LazyAttribute(lambda o: slugify(f"{o.number}-{o.name}"))


class CopilMeetingFactory(ModelFactory):
    class Meta:
        model = CopilMeeting

    phase = factory.SubFactory(PhaseFactory)
    date = datetime.date(2024, 1, 25)
    place = "Amboise"
    status = CopilMeeting.Status.HELD


class DecisionFactory(ModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(CopilMeetingFactory)
    text = factory.Sequence(lambda n: f"Décision numéro {n}")


class NewsItemFactory(ModelFactory):
    class Meta:
        model = NewsItem

    title = factory.Sequence(lambda n: f"Actualité {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    published_on = datetime.date(2024, 2, 26)
    body = "Texte de l'actualité."
