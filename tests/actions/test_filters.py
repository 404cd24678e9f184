"""Each filter of the action plan narrows the list as a visitor expects."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from actions.public.filters import ActionFilter
from tests.actions.factories import ActionFactory, FundingFactory
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory, IntercommunalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    competences = AxisFactory(number=1, name="Compétences", slug="1-competences")
    foncier = AxisFactory(number=3, name="Foncier", slug="3-foncier")
    eret = OrganisationFactory(name="ERET", acronym="ERET", slug="eret")
    geida = OrganisationFactory(name="GEIDA", acronym="GEIDA", slug="geida")
    amboise = IntercommunalityFactory(name="CC du Val d'Amboise", slug="cc-du-val-d-amboise")
    castel = IntercommunalityFactory(name="CC du Castelrenaudais", slug="cc-du-castelrenaudais")
    forum = ActionFactory(
        axis=competences,
        code="1.1",
        title="Forum de l'emploi industriel",
        summary="Rencontres entre entreprises et demandeurs d'emploi.",
        pilot=eret,
        status="in_progress",
        priority="high",
        intercommunalities=[amboise],
    )
    friches = ActionFactory(
        axis=foncier,
        code="3.1",
        title="Inventaire des friches",
        summary="Recenser le foncier industriel mobilisable, sans artificialiser.",
        pilot=geida,
        status="planned",
        priority="low",
        intercommunalities=[castel, amboise],
    )
    hidden = ActionFactory(
        axis=foncier,
        code="3.2",
        title="Inventaire confidentiel",
        pilot=geida,
        status="planned",
        is_public=False,
        intercommunalities=[castel],
    )
    FundingFactory(action=forum, year=2024, planned_amount=Decimal("10000"))
    FundingFactory(action=forum, year=2024, planned_amount=Decimal("5000"))  # two funders
    FundingFactory(action=friches, year=2025, planned_amount=Decimal("20000"))
    FundingFactory(action=hidden, year=2026, planned_amount=Decimal("20000"))
    return {
        "forum": forum,
        "friches": friches,
        "hidden": hidden,
        "competences": competences,
        "foncier": foncier,
        "eret": eret,
        "amboise": amboise,
        "castel": castel,
    }


def codes(query):
    filterset = ActionFilter(data=QueryDict(query))
    return [action.code for action in filterset.qs]


class TestEachFilterNarrowsTheList:
    def test_no_filter_lists_every_public_action(self, plan):
        assert codes("") == ["1.1", "3.1"]

    def test_axis_by_slug(self, plan):
        assert codes("axe=3-foncier") == ["3.1"]

    def test_axis_by_id(self, plan):
        assert codes(f"axe={plan['competences'].pk}") == ["1.1"]

    def test_status(self, plan):
        assert codes("statut=planned") == ["3.1"]
        assert codes("statut=done") == []

    def test_pilot_by_slug_and_by_id(self, plan):
        assert codes("pilote=eret") == ["1.1"]
        assert codes(f"pilote={plan['eret'].pk}") == ["1.1"]

    def test_pilot_choices_are_pilots_of_public_actions(self, plan):
        OrganisationFactory(name="Région Centre-Val de Loire", slug="region")
        choices = dict(ActionFilter(data=QueryDict("")).form.fields["pilote"].choices)
        assert set(choices) == {"", "eret", "geida"}

    def test_intercommunality(self, plan):
        assert codes("intercommunalite=cc-du-castelrenaudais") == ["3.1"]
        assert codes("intercommunalite=cc-du-val-d-amboise") == ["1.1", "3.1"]
        assert codes(f"intercommunalite={plan['castel'].pk}") == ["3.1"]

    def test_year_of_funding(self, plan):
        assert codes("annee=2024") == ["1.1"]  # once, though two funding lines match
        assert codes("annee=2025") == ["3.1"]

    def test_year_choices_come_from_public_actions(self, plan):
        choices = dict(ActionFilter(data=QueryDict("")).form.fields["annee"].choices)
        assert set(choices) == {"", "2024", "2025"}  # not 2026, only funded by a hidden action

    def test_priority(self, plan):
        assert codes("priorite=high") == ["1.1"]
        assert codes("priorite=low") == ["3.1"]
        assert codes("priorite=medium") == []

    def test_text_in_title(self, plan):
        assert codes("q=forum") == ["1.1"]

    def test_text_in_summary(self, plan):
        assert codes("q=artificialiser") == ["3.1"]

    def test_text_in_code(self, plan):
        assert codes("q=3.1") == ["3.1"]

    def test_text_every_word_must_match(self, plan):
        assert codes("q=inventaire+friches") == ["3.1"]
        assert codes("q=inventaire+forum") == []

    def test_text_never_finds_a_hidden_action(self, plan):
        assert codes("q=confidentiel") == []

    def test_filters_combine(self, plan):
        assert codes("intercommunalite=cc-du-val-d-amboise&statut=in_progress") == ["1.1"]
        assert codes("axe=3-foncier&annee=2024") == []


class TestIgnoredFilters:
    def test_reports_each_ignored_filter_in_french(self, plan):
        filterset = ActionFilter(data=QueryDict("statut=xxx&annee=abc&axe=3-foncier"))
        assert [a.code for a in filterset.qs] == ["3.1"]
        assert filterset.ignored_filters() == [
            "Le filtre « statut » a été ignoré : valeur inconnue.",
            "Le filtre « année » a été ignoré : valeur inconnue.",
        ]

    def test_is_filtered_ignores_sort_and_bad_values(self, plan):
        assert not ActionFilter(data=QueryDict("tri=-budget&statut=xxx")).is_filtered
        assert ActionFilter(data=QueryDict("statut=planned")).is_filtered
