"""The fiche action at /actions/<slug>/: what the public sees, what it never sees, query budget."""

import datetime
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from actions.models import Action, Document, Funding, Measurement
from tests.actions.factories import (
    ActionFactory,
    DocumentFactory,
    FundingFactory,
    IndicatorFactory,
    MeasurementFactory,
    ProgressUpdateFactory,
)
from tests.budget import assert_no_n_plus_one, bulk, bulk_actions, visit_as
from tests.partners.factories import (
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from tests.programme.factories import (
    AxisFactory,
    CopilMeetingFactory,
    DecisionFactory,
    IntercommunalityFactory,
)

pytestmark = pytest.mark.django_db


def text(response):
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def action():
    axis = AxisFactory(number=1, name="Compétences", slug="1-competences")
    pilot = OrganisationFactory(name="Association des industriels du Castelrenaudais", slug="aicr")
    partner = OrganisationFactory(name="France Travail", slug="france-travail")
    region = OrganisationFactory(
        name="Région Centre-Val de Loire", slug="region-centre-val-de-loire"
    )
    castel = IntercommunalityFactory(name="CC du Castelrenaudais", slug="cc-du-castelrenaudais")
    editor = UserFactory(first_name="Claire", last_name="Dubois")
    action = ActionFactory(
        axis=axis,
        code="1.2",
        title="Forum de l'emploi industriel",
        slug="forum-emploi-industriel",
        summary="Un forum annuel entre industriels et demandeurs d'emploi.",
        description="## Déroulé\n\nUn **forum** chaque printemps.<script>alert('x')</script>",
        objectives="- 300 visiteurs\n- 40 entreprises",
        pilot=pilot,
        partners=[partner],
        intercommunalities=[castel],
        status="in_progress",
        progress=45,
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2026, 6, 30),
        updated_by=editor,
    )
    FundingFactory(
        action=action,
        year=2024,
        funder=region,
        planned_amount=Decimal("12000"),
        actual_amount=Decimal("11500.50"),
    )
    FundingFactory(action=action, year=2024, funder=pilot, planned_amount=Decimal("3000"))
    FundingFactory(action=action, year=2025, funder=region, planned_amount=Decimal("14000"))
    indicator = IndicatorFactory(
        action=action,
        name="Entreprises participantes",
        unit="entreprises",
        baseline=Decimal("0"),
        target=Decimal("40"),
        target_date=datetime.date(2026, 6, 30),
    )
    MeasurementFactory(indicator=indicator, date=datetime.date(2024, 4, 15), value=Decimal("22"))
    MeasurementFactory(
        indicator=indicator,
        date=datetime.date(2025, 4, 15),
        value=Decimal("31"),
        comment="Deuxième édition",
    )
    ProgressUpdateFactory(
        action=action,
        date=datetime.date(2024, 2, 1),
        text="Lancement du projet.",
        status_before="planned",
        status_after="in_progress",
    )
    ProgressUpdateFactory(
        action=action,
        date=datetime.date(2024, 5, 2),
        text="Première édition tenue.",
        progress_after=45,
    )
    DocumentFactory(action=action, title="Bilan de la première édition", original_name="bilan.pdf")
    DocumentFactory(
        action=action, title="Budget détaillé interne", visibility=Document.Visibility.PARTNERS
    )
    DocumentFactory(
        action=action, title="Note de l'équipe projet", visibility=Document.Visibility.STAFF
    )
    return action


def url(action):
    return reverse("actions:detail", args=[action.slug])


class TestActionDetail:
    def test_heading_axis_status_and_progress(self, client, action):
        response = client.get(url(action))
        assert response.status_code == 200
        page = text(response)
        assert "<h1>Forum de l'emploi industriel</h1>" in page
        assert "Action 1.2" in page
        assert 'href="/axes/1-competences/"' in page
        assert 'class="badge status-in_progress">En cours<' in page
        assert "Avancement : <strong>45\u00a0%</strong>" in page
        assert 'width="45"' in page  # the bar drawn to scale

    def test_markdown_is_rendered_and_sanitised(self, client, action):
        page = text(client.get(url(action)))
        assert "<h2>Déroulé</h2>" in page
        assert "<strong>forum</strong>" in page
        assert "<script>alert" not in page
        assert "<li>300 visiteurs</li>" in page

    def test_organisations_and_intercommunalities_link_to_their_pages(self, client, action):
        page = text(client.get(url(action)))
        assert 'href="/partenaires/aicr/"' in page
        assert 'href="/partenaires/france-travail/">France Travail</a>' in page
        assert 'href="/territoire/cc-du-castelrenaudais/">CC du Castelrenaudais</a>' in page
        assert "Du 1er mars 2024 au 30 juin 2026" in page

    def test_budget_table_per_year_and_funder_with_totals(self, client, action):
        page = text(client.get(url(action)))
        budget = page[page.index('<table class="budget-table">') :]
        budget = budget[: budget.index("</table>")]
        cells = [
            re.sub(r"[ \n]+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", budget, re.S)
        ]
        assert cells[:6] == ["Financeur", "Statut", "Prévu", "Accordé", "Réalisé", "Versé"]
        assert cells[6:8] == [
            "2024",
            "Association des industriels du Castelrenaudais Fonctionnement",
        ]
        assert "Région Centre-Val de Loire Fonctionnement" in cells
        assert "11\u00a0500\u00a0€" in cells  # 11 500,50 rounded to the euro
        assert cells[cells.index("Total 2024") + 1] == "15\u00a0000\u00a0€"
        assert cells[cells.index("Total 2025") + 1] == "14\u00a0000\u00a0€"
        assert cells[cells.index("Total toutes années") + 1] == "29\u00a0000\u00a0€"
        assert cells[cells.index("Total toutes années") + 3] == "11\u00a0500\u00a0€"

    def test_indicator_chart_is_accessible_svg_with_a_table(self, client, action):
        page = text(client.get(url(action)))
        svg = re.search(r"<svg class=\"indicator-chart\"[^>]*>.*?</svg>", page, re.S).group(0)
        assert 'role="img"' in svg
        assert "<title" in svg and "Entreprises participantes" in svg
        assert "2 mesures du 15/04/2024 au 15/04/2025" in svg
        assert "Cible : 40 entreprises au 30/06/2026" in svg
        assert svg.count("<circle") == 2
        assert "Deuxième édition" in page  # the table alternative
        assert "style=" not in svg

    def test_timeline_newest_first_with_status_change(self, client, action):
        page = text(client.get(url(action)))
        assert page.index("Première édition tenue.") < page.index("Lancement du projet.")
        change = page[page.index("Lancement du projet.") - 800 : page.index("Lancement du projet.")]
        assert "À venir" in change and "En cours" in change

    def test_only_public_documents(self, client, action):
        page = text(client.get(url(action)))
        public = action.documents.get(title="Bilan de la première édition")
        assert reverse("space:document_download", args=[public.pk]) in page
        assert "PDF" in page
        assert "Budget détaillé interne" not in page
        assert "Note de l'équipe projet" not in page

    def test_last_change_and_never_who_made_it(self, client, action):
        page = text(client.get(url(action)))
        assert re.search(r"Modifiée le \d+(?:er)? \w+ \d{4} à \d\d:\d\d\.", page)
        assert "Claire Dubois" not in page

    def test_copil_decisions_of_public_meetings_only(self, client, action):
        public = DecisionFactory(text="Le forum est inscrit au plan 2024.")
        private = DecisionFactory(
            text="Arbitrage confidentiel.", meeting=CopilMeetingFactory(is_public=False)
        )
        action.decisions.add(public, private)
        page = text(client.get(url(action)))
        assert "Le forum est inscrit au plan 2024." in page
        assert "Arbitrage confidentiel." not in page

    def test_empty_sections_say_so(self, client):
        bare = ActionFactory(summary="", description="")
        page = text(client.get(url(bare)))
        assert "Aucun financement n'est encore inscrit" in page
        assert "Aucun indicateur" in page
        assert "Aucune note de suivi" in page
        assert "Aucun document public" in page

    @pytest.mark.parametrize("is_demo", [False, True])
    def test_a_demonstration_fiche_says_so(self, client, action, is_demo):
        Action.objects.filter(pk=action.pk).update(is_demo=is_demo)
        html = client.get(action.get_absolute_url()).content.decode()
        assert ("Donnée de démonstration" in html) is is_demo

    def test_unknown_slug_is_404(self, client, action):
        assert client.get("/actions/n-existe-pas/").status_code == 404


class TestNonPublicActions:
    @pytest.fixture
    def hidden(self):
        return ActionFactory(title="Fiche réservée", is_public=False)

    def test_hidden_is_404_for_the_public(self, client, hidden):
        assert client.get(url(hidden)).status_code == 404

    def test_archived_is_404_for_the_public(self, client):
        archived = ActionFactory(is_archived=True)
        assert client.get(url(archived)).status_code == 404

    def test_member_of_the_pilot_sees_it_with_a_warning(self, client, hidden):
        member = MembershipFactory(organisation=hidden.pilot).user
        client.force_login(member)
        response = client.get(url(hidden))
        assert response.status_code == 200
        assert "Cette fiche n'est pas publique" in text(response)

    def test_member_of_another_organisation_gets_404(self, client, hidden):
        client.force_login(MembershipFactory().user)
        assert client.get(url(hidden)).status_code == 404

    def test_staff_sees_it(self, client, hidden):
        client.force_login(StaffFactory())
        assert client.get(url(hidden)).status_code == 200


class TestQueryBudget:
    @staticmethod
    def make_heavy(action):
        """Many rows of every kind on the fiche, among 200 actions."""
        bulk_actions(199)
        Funding.objects.bulk_create(
            FundingFactory.build(action=action, year=year, funder=funder)
            for year in range(2024, 2028)
            for funder in bulk(OrganisationFactory, 5)
        )
        indicators = bulk(IndicatorFactory, 6, action=action)
        Measurement.objects.bulk_create(
            MeasurementFactory.build(indicator=indicator, date=datetime.date(2024, month, 1))
            for indicator in indicators
            for month in range(1, 13)
        )
        bulk(ProgressUpdateFactory, 30, action=action)
        bulk(DocumentFactory, 10, action=action)
        action.partners.add(*bulk(OrganisationFactory, 8))
        action.intercommunalities.add(*IntercommunalityFactory.create_batch(4))
        meeting = CopilMeetingFactory()
        action.decisions.add(*bulk(DecisionFactory, 5, meeting=meeting))

    def test_light_fiche(self, client, count_queries):
        assert count_queries(url(ActionFactory())).count <= 12

    @pytest.mark.parametrize("visitor", ["anonyme", "partenaire", "staff"])
    def test_same_queries_for_a_fiche_with_few_and_with_many_rows(
        self, client, count_queries, visitor, action
    ):
        """The fixture's fiche has one or two rows of every kind (and one decision here); the
        heavy one dozens, among 200 actions."""
        visit_as(client, visitor, action.pilot)
        action.decisions.add(DecisionFactory())
        few = count_queries(url(action))
        self.make_heavy(action)
        many = count_queries(url(action))
        assert_no_n_plus_one(few, many)
        assert text(many.response).count('<svg class="indicator-chart"') == 7
