import datetime
from decimal import Decimal

import factory
from django.utils.text import slugify

from actions.models import (
    Action,
    Document,
    Funding,
    Indicator,
    Measurement,
    ProgressUpdate,
)
from tests.factory_base import ModelFactory
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory


class ActionFactory(ModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    axis = factory.SubFactory(AxisFactory)
    phase = factory.SelfAttribute("axis.phase")
    code = factory.Sequence(lambda n: f"9.{n + 1}")
    title = factory.Sequence(lambda n: f"Action de test {n}")
    slug = factory.LazyAttribute(lambda o: slugify(f"{o.code}-{o.title}"))
    summary = "Résumé de l'action."
    pilot = factory.SubFactory(OrganisationFactory)
    progress = 30
    status = "in_progress"
    is_public = True  # a new fiche is a draft (the model's default); tests publish theirs
    start_date = datetime.date(2024, 1, 1)
    end_date = datetime.date(2026, 12, 31)

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.add(*extracted)

    @factory.post_generation
    def intercommunalities(self, create, extracted, **kwargs):
        if create and extracted:
            self.intercommunalities.add(*extracted)


class FundingFactory(ModelFactory):
    class Meta:
        model = Funding

    action = factory.SubFactory(ActionFactory)
    year = 2024
    funder = factory.SubFactory(OrganisationFactory)
    kind = Funding.Kind.OPERATING
    planned_amount = Decimal("10000.00")


class IndicatorFactory(ModelFactory):
    class Meta:
        model = Indicator

    action = factory.SubFactory(ActionFactory)
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "entreprises"
    baseline = Decimal("0")
    target = Decimal("50")


class MeasurementFactory(ModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    date = datetime.date(2024, 6, 30)
    value = Decimal("12")


class ProgressUpdateFactory(ModelFactory):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    date = datetime.date(2024, 6, 1)
    text = "Point d'étape."


class DocumentFactory(ModelFactory):
    class Meta:
        model = Document

    action = factory.SubFactory(ActionFactory)
    title = factory.Sequence(lambda n: f"Document {n}")
    file = factory.django.FileField(filename="rapport.pdf", data=b"%PDF-1.4 test")
    visibility = Document.Visibility.PUBLIC
