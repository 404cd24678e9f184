import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from actions.models import Action, Funding, Indicator, Measurement, ProgressUpdate
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory, IntercommunalityFactory, PhaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference():
    phase = PhaseFactory()
    for number in range(1, 5):
        AxisFactory(phase=phase, number=number)
    OrganisationFactory.create_batch(5)
    IntercommunalityFactory.create_batch(2)


def test_refused_without_yes_outside_debug(reference, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusé"):
        call_command("generate_scale_data", actions=3)
    assert Action.objects.count() == 0


def test_refused_without_reference_data():
    with pytest.raises(CommandError, match="load_territory"):
        call_command("generate_scale_data", actions=3, yes=True)


def test_creates_actions_with_their_rows(reference):
    call_command("generate_scale_data", actions=20, yes=True)
    assert Action.objects.count() == 20
    assert ProgressUpdate.objects.count() == 200
    assert Funding.objects.count() == 80
    assert Indicator.objects.count() == 40
    assert Measurement.objects.count() == 100
    assert Action.objects.values("axis").distinct().count() == 4
    assert Action.objects.filter(intercommunalities__isnull=False).distinct().count() == 20


def test_same_seed_gives_same_data(reference):
    call_command("generate_scale_data", actions=8, seed=5, yes=True)
    first = list(Action.objects.values_list("code", "title", "status", "progress"))
    Action.objects.all().delete()
    call_command("generate_scale_data", actions=8, seed=5, yes=True)
    assert list(Action.objects.values_list("code", "title", "status", "progress")) == first


def test_a_second_run_adds_after_the_first(reference):
    call_command("generate_scale_data", actions=4, yes=True)
    call_command("generate_scale_data", actions=4, yes=True)
    assert Action.objects.count() == 8
