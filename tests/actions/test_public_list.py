"""The public action plan at /actions/: content, sort, pagination, bad input, query budget."""

import html as html_lib
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.actions.factories import ActionFactory, FundingFactory
from tests.budget import VISITORS, assert_no_n_plus_one, bulk_actions, bulk_fundings, visit_as
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory
from tests.shared import shared_rows

pytestmark = pytest.mark.django_db

URL = "/actions/"


def codes_on_page(response):
    """The action codes of the list, in the order shown."""
    html = page_text(response)
    return re.findall(
        r'<td class="cell-code"><span class="cell-label">Code</span>([^<]+)</td>', html
    )


def page_text(response):
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def plan():
    axis = AxisFactory(name="Compétences", slug="1-competences", number=1)
    pilot = OrganisationFactory(
        name="Association des industriels du Castelrenaudais", acronym="AICR"
    )
    first = ActionFactory(
        axis=axis, code="1.2", title="Forum de l'emploi industriel", pilot=pilot, progress=80
    )
    second = ActionFactory(
        axis=axis, code="1.10", title="Accueil des nouveaux salariés", status="planned", progress=0
    )
    hidden = ActionFactory(axis=axis, code="1.3", title="Fiche confidentielle", is_public=False)
    archived = ActionFactory(axis=axis, code="1.4", title="Fiche archivée", is_archived=True)
    FundingFactory(action=first, year=2024, planned_amount=Decimal("15000"))
    FundingFactory(action=second, year=2024, planned_amount=Decimal("40000"))
    FundingFactory(action=second, year=2025, planned_amount=Decimal("1000"))
    return {"first": first, "second": second, "hidden": hidden, "archived": archived}


class TestActionList:
    def test_lists_public_actions_only(self, client, plan):
        response = client.get(URL)
        assert response.status_code == 200
        assert "Plan d'actions" in page_text(response)
        assert codes_on_page(response) == ["1.2", "1.10"]  # 1.10 after 1.2: natural code order
        assert "Fiche confidentielle" not in page_text(response)
        assert "Fiche archivée" not in page_text(response)
        assert "2 actions" in page_text(response)

    def test_shows_status_progress_pilot_and_budget(self, client, plan):
        response = client.get(URL)
        html = page_text(response)
        assert reverse("actions:detail", args=[plan["first"].slug]) in html
        assert "En cours" in html and "À venir" in html
        assert "80\u00a0%" in html
        assert "AICR" in html
        assert "41\u00a0000\u00a0€" in html  # 40 000 + 1 000, all years

    def test_budget_column_follows_selected_year(self, client, plan):
        html = page_text(client.get(URL, {"annee": "2024"}))
        assert "Budget prévu 2024" in html
        assert "40\u00a0000\u00a0€" in html
        assert "41\u00a0000\u00a0€" not in html

    def test_form_fields_are_labelled(self, client, plan):
        html = page_text(client.get(URL))
        for name in (
            "q",
            "axe",
            "statut",
            "pilote",
            "intercommunalite",
            "annee",
            "priorite",
            "tri",
        ):
            assert f'<label for="id_{name}"' in html, name
            assert f'id="id_{name}"' in html, name

    def test_export_links_carry_the_filters(self, client, plan):
        html = page_text(client.get(URL, {"statut": "planned", "page": "1"}))
        assert 'href="/actions/export.csv?statut=planned"' in html
        assert 'href="/actions/export.xlsx?statut=planned"' in html

    def test_no_result_says_so(self, client, plan):
        response = client.get(URL, {"q": "introuvable"})
        assert response.status_code == 200
        assert "Aucune fiche action publique ne correspond" in page_text(response)


class TestSort:
    @pytest.mark.parametrize(
        ("tri", "expected"),
        [
            ("code", ["1.2", "1.10"]),
            ("-code", ["1.10", "1.2"]),
            ("titre", ["1.10", "1.2"]),  # Accueil… before Forum…
            ("-titre", ["1.2", "1.10"]),
            ("statut", ["1.10", "1.2"]),  # À venir before En cours
            ("-avancement", ["1.2", "1.10"]),
            ("avancement", ["1.10", "1.2"]),
            ("-budget", ["1.10", "1.2"]),
            ("budget", ["1.2", "1.10"]),
        ],
    )
    def test_sort(self, client, plan, tri, expected):
        assert codes_on_page(client.get(URL, {"tri": tri})) == expected

    def test_budget_sort_uses_selected_year(self, client, plan):
        FundingFactory(action=plan["first"], year=2025, planned_amount=Decimal("90000"))
        assert codes_on_page(client.get(URL, {"tri": "-budget", "annee": "2025"})) == [
            "1.2",
            "1.10",
        ]
        assert codes_on_page(client.get(URL, {"tri": "-budget", "annee": "2024"})) == [
            "1.10",
            "1.2",
        ]

    def test_current_sort_column_is_announced(self, client, plan):
        html = page_text(client.get(URL, {"tri": "-avancement"}))
        assert 'aria-sort="descending"' in html
        assert "?tri=avancement" in html  # clicking again reverses it


@pytest.fixture(scope="class")
def many(django_db_setup, django_db_blocker):
    """45 actions, made once for the class: its tests only read them."""
    with shared_rows(django_db_blocker):
        axis = AxisFactory()
        pilot = OrganisationFactory()
        yield ActionFactory.create_batch(45, axis=axis, pilot=pilot)


class TestPagination:
    def test_twenty_per_page_with_page_links(self, client, many):
        response = client.get(URL)
        assert len(codes_on_page(response)) == 20
        html = page_text(response)
        assert "45 actions" in html
        assert "page 1 sur 3" in html
        assert 'href="?page=2"' in html and 'rel="next"' in html

    def test_last_page(self, client, many):
        response = client.get(URL, {"page": "3"})
        assert len(codes_on_page(response)) == 5
        assert "Action de test" in page_text(response)

    def test_page_links_keep_filters(self, client, many):
        html = client.get(URL, {"statut": "in_progress", "page": "2"}).content.decode()
        assert 'href="?statut=in_progress&amp;page=3"' in html

    @pytest.mark.parametrize("page", ["99999", "4", "1" + "0" * 60])
    def test_page_beyond_the_end_shows_the_last(self, client, many, page):
        response = client.get(URL, {"page": page})
        assert response.status_code == 200
        assert len(codes_on_page(response)) == 5
        assert "voici la dernière page (3)" in page_text(response)

    @pytest.mark.parametrize("page", ["abc", "0", "-2", "1.5", "deux", "%00"])
    def test_malformed_page_shows_the_first(self, client, many, page):
        response = client.get(URL, {"page": page})
        assert response.status_code == 200
        assert len(codes_on_page(response)) == 20
        assert "n'est pas valide : voici la page 1" in page_text(response)


class TestMalformedFilters:
    @pytest.mark.parametrize(
        ("params", "notice"),
        [
            ({"statut": "xxx"}, "Le filtre « statut » a été ignoré : valeur inconnue."),
            ({"annee": "abc"}, "Le filtre « année » a été ignoré : valeur inconnue."),
            ({"annee": "1999"}, "Le filtre « année » a été ignoré : valeur inconnue."),
            ({"axe": "n-existe-pas"}, "Le filtre « axe » a été ignoré : valeur inconnue."),
            ({"axe": "999999"}, "Le filtre « axe » a été ignoré : valeur inconnue."),
            ({"pilote": "999999"}, "Le filtre « pilote » a été ignoré : valeur inconnue."),
            (
                {"intercommunalite": "Ville’été 🏭"},
                "Le filtre « communauté de communes » a été ignoré : valeur inconnue.",
            ),
            ({"priorite": "urgente"}, "Le filtre « priorité » a été ignoré : valeur inconnue."),
            ({"tri": "foo"}, "Le tri demandé a été ignoré : valeur inconnue."),
            ({"tri": "-"}, "Le tri demandé a été ignoré : valeur inconnue."),
            ({"q": "x" * 5000}, "La recherche a été ignorée : texte trop long"),
            ({"q": "forum\x00"}, "La recherche a été ignorée : caractère non autorisé."),
        ],
    )
    def test_bad_value_is_ignored_and_reported(self, client, plan, params, notice):
        response = client.get(URL, params)
        assert response.status_code == 200
        html = page_text(response)
        assert notice in html
        assert codes_on_page(response) == ["1.2", "1.10"]  # nothing was filtered out

    def test_valid_filters_still_apply_beside_a_bad_one(self, client, plan):
        response = client.get(URL, {"statut": "planned", "annee": "abc"})
        assert codes_on_page(response) == ["1.10"]
        assert "Le filtre « année » a été ignoré" in page_text(response)

    @pytest.mark.parametrize(
        "query",
        [
            "statut=&axe=&annee=",
            "statut=null",
            "statut=planned&statut=xxx",
            "q=%E2%80%AE%F0%9F%8F%AD",
            "q=%C3%A9t%C3%A9",
            "annee=2024.0",
            "annee=%00",
            "tri=budget%00",
            "pilote=%FF%FE",
            "unknown=1&page=2",
        ],
    )
    def test_odd_query_strings_never_fail(self, client, plan, query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200

    def test_no_notice_for_valid_filters(self, client, plan):
        html = page_text(client.get(URL, {"statut": "planned", "annee": "2024"}))
        assert "a été ignoré" not in html


class TestQueryBudget:
    @pytest.mark.parametrize("visitor", VISITORS)
    @pytest.mark.parametrize(
        "params", [{}, {"annee": "2024", "tri": "-budget", "page": "5"}, {"statut": "xxx"}]
    )
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor, params):
        axis, pilot = AxisFactory(), OrganisationFactory()
        visit_as(client, visitor, pilot)
        bulk_fundings(bulk_actions(1, axis=axis, pilot=pilot), year=2024, funder=pilot)
        few = count_queries(URL, params)
        bulk_fundings(bulk_actions(199, axis=axis, pilot=pilot), year=2024, funder=pilot)
        many = count_queries(URL, params)
        assert_no_n_plus_one(few, many)
        if not params:
            assert len(codes_on_page(many.response)) == 20  # a full page of the 200


class TestSeveralPhases:
    @pytest.fixture
    def phases(self):
        from tests.programme.factories import PhaseFactory

        phase1 = PhaseFactory(number=1, name="Phase 1 (2019-2022)")
        phase2 = PhaseFactory(number=2, name="Phase 2 (2023-2027)")
        old_axis = AxisFactory(phase=phase1, number=1, name="Attirer", slug="phase-1-attirer")
        new_axis = AxisFactory(phase=phase2, number=1, name="Compétences", slug="competences")
        ActionFactory(axis=old_axis, phase=phase1, code="1.1", title="Le Rubixco", status="done")
        ActionFactory(axis=new_axis, phase=phase2, code="1.1", title="GPEC territoriale")
        ActionFactory(axis=new_axis, phase=phase2, code="1.2", title="Job dating")

    def test_current_phase_first_and_older_phase_named(self, client, phases):
        response = client.get(URL)
        html = page_text(response)
        assert html.index("GPEC territoriale") < html.index("Job dating") < html.index("Le Rubixco")
        assert "Axe 1 — Attirer · Phase 1 (2019-2022)" in html
        assert "Axe 1 — Compétences · Phase" not in html

    def test_codes_name_their_phase_when_both_phases_are_listed(self, client, phases):
        assert codes_on_page(client.get(URL)) == ["P2 · 1.1", "P2 · 1.2", "P1 · 1.1"]
        # One phase on the page: the codes alone.
        assert codes_on_page(client.get(URL, {"axe": "competences"})) == ["1.1", "1.2"]

    def test_axes_grouped_by_phase_in_the_filter(self, client, phases):
        html = page_text(client.get(URL))
        assert html.index('<optgroup label="Phase 2 (2023-2027)">') < html.index(
            '<optgroup label="Phase 1 (2019-2022)">'
        )
        assert codes_on_page(client.get(URL, {"axe": "phase-1-attirer"})) == ["1.1"]
        assert "Le Rubixco" in page_text(client.get(URL, {"axe": "phase-1-attirer"}))
