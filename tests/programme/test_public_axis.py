import re
from decimal import Decimal

import pytest
from django.urls import reverse

from teritoire.templatetags.portal import euros
from tests.actions.factories import ActionFactory, FundingFactory
from tests.budget import VISITORS, assert_no_n_plus_one, bulk_actions, bulk_fundings, visit_as
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory

pytestmark = pytest.mark.django_db


def budget_row(html, year):
    match = re.search(rf"<tr><th scope=\"row\">{year}</th>(.*?)</tr>", html)
    assert match, f"no budget row for {year}"
    return match.group(1)


class TestAxisPage:
    def test_description_is_rendered_safely(self, client):
        axis = AxisFactory(
            name="Compétences",
            description="Former et **recruter**.\n\n<script>alert(1)</script>"
            "[lien](javascript:alert(2))",
        )
        response = client.get(axis.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1>Compétences</h1>" in html
        assert "<strong>recruter</strong>" in html
        assert "<script>alert(1)" not in html
        assert "javascript:" not in html

    def test_lists_its_public_actions_only(self, client):
        axis = AxisFactory()
        ActionFactory(axis=axis, title="Campus des métiers", progress=20)
        ActionFactory(axis=axis, title="Groupement d'employeurs", progress=40)
        ActionFactory(axis=axis, title="Dossier confidentiel", is_public=False, progress=100)
        ActionFactory(axis=axis, title="Action archivée", is_archived=True)
        ActionFactory(title="Action d'un autre axe")
        html = client.get(axis.get_absolute_url()).content.decode()
        assert "Campus des métiers" in html and "Groupement d&#x27;employeurs" in html
        assert "Dossier confidentiel" not in html
        assert "Action archivée" not in html
        assert "Action d&#x27;un autre axe" not in html
        assert '<span class="figure-value">2</span>' in html
        assert '30\u00a0%</span> <span class="figure-label">d\'avancement moyen' in html

    def test_budget_by_year_sums_planned_and_actual_of_public_actions(self, client):
        axis = AxisFactory()
        first, second = ActionFactory(axis=axis), ActionFactory(axis=axis)
        FundingFactory(action=first, year=2024, planned_amount=Decimal("10000"))
        FundingFactory(
            action=second,
            year=2024,
            planned_amount=Decimal("5000"),
            actual_amount=Decimal("4500"),
        )
        FundingFactory(action=second, year=2025, planned_amount=Decimal("20000"))
        FundingFactory(
            action=ActionFactory(axis=axis, is_public=False),
            year=2024,
            planned_amount=Decimal("90000"),
        )
        html = client.get(axis.get_absolute_url()).content.decode()
        assert "15\u00a0000\u00a0€" in budget_row(html, 2024)
        assert "4\u00a0500\u00a0€" in budget_row(html, 2024)
        assert "20\u00a0000\u00a0€" in budget_row(html, 2025)
        assert "—" in budget_row(html, 2025)  # nothing spent yet
        assert "35\u00a0000\u00a0€" in html  # total
        assert "90\u00a0000" not in html and "105\u00a0000" not in html
        assert 'role="img" aria-labelledby="chart-caption"' in html

    def test_axis_without_funding_says_so(self, client):
        axis = AxisFactory()
        ActionFactory(axis=axis)
        html = client.get(axis.get_absolute_url()).content.decode()
        assert "Aucun financement" in html

    def test_unknown_axis_is_404(self, client):
        assert client.get(reverse("programme:axis", args=["inconnu"])).status_code == 404

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor):
        axis = AxisFactory()
        AxisFactory(phase=axis.phase)
        pilot = OrganisationFactory()
        visit_as(client, visitor, pilot)

        def add_actions(count):
            actions = bulk_actions(count, axis=axis, pilot=pilot)
            bulk_fundings(actions, funder=pilot, year=2024)
            bulk_fundings(actions, funder=pilot, year=2025)

        add_actions(1)
        few = count_queries(axis.get_absolute_url())
        assert few.text.count('class="card action-card"') == 1
        assert euros(10_000) in budget_row(few.text, 2024)
        add_actions(199)
        many = count_queries(axis.get_absolute_url())
        assert_no_n_plus_one(few, many)
        assert many.text.count('class="card action-card"') == 200
        assert euros(200 * 10_000) in budget_row(many.text, 2024)
