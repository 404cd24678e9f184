import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from programme.models import Commune, Phase

from .factories import (
    AxisFactory,
    CommuneFactory,
    IntercommunalityFactory,
    PhaseFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("siren", ["12345678", "1234567890", "12345678A", " 12345678"])
def test_bad_siren_is_refused_in_french(siren):
    epci = IntercommunalityFactory.build(siren=siren, territory=TerritoryFactory())
    with pytest.raises(ValidationError) as error:
        epci.full_clean(exclude=["organisation"])
    assert (
        "Le numéro SIREN doit comporter exactement 9 chiffres."
        in (error.value.message_dict["siren"])
    )


@pytest.mark.parametrize("insee", ["3701", "370155", "ABCDE", "3A015"])
def test_bad_insee_is_refused_in_french(insee):
    commune = CommuneFactory.build(insee=insee, intercommunality=IntercommunalityFactory())
    with pytest.raises(ValidationError) as error:
        commune.full_clean()
    assert "Le code INSEE doit comporter 5 caractères" in error.value.message_dict["insee"][0]


@pytest.mark.parametrize("insee", ["37015", "2A004", "2B033"])
def test_valid_insee_codes_pass(insee):
    commune = CommuneFactory.build(insee=insee, intercommunality=IntercommunalityFactory())
    commune.full_clean()


def test_siren_is_unique_per_intercommunality():
    IntercommunalityFactory(siren="200073161")
    with pytest.raises(IntegrityError):
        IntercommunalityFactory(siren="200073161")


def test_insee_is_unique():
    CommuneFactory(insee="37015")
    with pytest.raises(IntegrityError):
        CommuneFactory(insee="37015")


def test_phase_end_before_start_is_refused():
    phase = PhaseFactory.build(territory=TerritoryFactory())
    phase.end_date = phase.start_date.replace(year=phase.start_date.year - 1)
    with pytest.raises(ValidationError) as error:
        phase.full_clean()
    assert "La date de fin doit suivre la date de début." in str(error.value)


def test_deleting_a_phase_with_axes_is_refused():
    from django.db.models import ProtectedError

    axis = AxisFactory()
    with pytest.raises(ProtectedError):
        Phase.objects.filter(pk=axis.phase_id).delete()


def test_deleting_an_intercommunality_with_communes_is_refused():
    from django.db.models import ProtectedError

    commune = CommuneFactory()
    with pytest.raises(ProtectedError):
        commune.intercommunality.delete()
    assert Commune.objects.count() == 1
