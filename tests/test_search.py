"""The site search (/recherche/?q=) and the action plan's `?q=`: accents and case ignored, every
public text searched, nothing non-public ever found, hostile input harmless, a fixed number of
queries. Runs on SQLite and on PostgreSQL (French full text with unaccent)."""

import html as html_lib
import re

import factory
import pytest
from django.urls import reverse

from actions.models import Action
from tests.actions.factories import ActionFactory
from tests.budget import PUBLIC_BUDGET, assert_no_n_plus_one, bulk, bulk_actions
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import (
    AxisFactory,
    CommuneFactory,
    CopilMeetingFactory,
    DecisionFactory,
    IntercommunalityFactory,
    NewsItemFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("search")
SECTION = re.compile(
    r'<section class="search-group" aria-labelledby="([a-z]+)">(.*?)</section>', re.S
)
RESULT_LINK = re.compile(r'<h3 class="card-title"><a href="([^"]+)">')


def search(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return response


def found(response):
    """{kind: [result URLs]} of a search page."""
    text = response.content.decode()
    return {kind: RESULT_LINK.findall(body) for kind, body in SECTION.findall(text)}


def action_urls(client, q):
    return set(found(search(client, q)).get("actions", []))


def list_urls(client, q):
    """The actions the action plan's list shows for ?q=."""
    text = client.get(reverse("actions:list"), {"q": q}).content.decode()
    every_action = {action.get_absolute_url() for action in Action.objects.all()}
    return set(re.findall(r'href="(/actions/[^"/]+/)"', text)) & every_action


def page_text(response):
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def plan():
    axis = AxisFactory(name="Transition écologique", slug="4-transition")
    return {
        "title": ActionFactory(axis=axis, code="4.1", title="Sobriété en énergie des ateliers"),
        "upper": ActionFactory(
            axis=axis, code="4.2", title="Chaleur fatale", summary="Récupérer l'ENERGIE perdue."
        ),
        "description": ActionFactory(
            axis=axis,
            code="4.3",
            title="Accompagnement des PME",
            summary="Un diagnostic par entreprise.",
            description="## Contenu\n\nUn plan de **décarbonation** et d'economie d'energie.",
        ),
        "objectives": ActionFactory(
            axis=axis,
            code="4.4",
            title="Plateforme RH",
            objectives="- Recruter 40 salariés\n- Former les tuteurs",
        ),
        "draft": ActionFactory(
            axis=axis, code="4.5", title="Énergie confidentielle", is_public=False
        ),
        "archived": ActionFactory(
            axis=axis,
            code="4.6",
            title="Ancienne énergie",
            description="décarbonation secrète",
            is_archived=True,
        ),
    }


class TestAccentsAndCase:
    @pytest.mark.parametrize("q", ["energie", "ENERGIE", "énergie", "Énergie", "éNeRgIe"])
    def test_same_actions_whatever_the_accents_and_case(self, client, plan, q):
        expected = {plan[k].get_absolute_url() for k in ("title", "upper", "description")}
        assert action_urls(client, q) == expected

    @pytest.mark.parametrize("q", ["energie", "ENERGIE", "énergie"])
    def test_the_action_plan_list_finds_the_same(self, client, plan, q):
        assert list_urls(client, q) == action_urls(client, q) != set()

    def test_a_word_only_in_a_description_is_found(self, client, plan):
        url = plan["description"].get_absolute_url()
        assert action_urls(client, "decarbonation") == {url}
        assert action_urls(client, "DÉCARBONATION") == {url}
        assert list_urls(client, "décarbonation") == {url}

    def test_a_word_only_in_the_objectives_is_found(self, client, plan):
        assert action_urls(client, "recruter") == {plan["objectives"].get_absolute_url()}

    def test_another_form_of_the_word_is_found(self, client, plan):
        # « recrutement » and « recruter » share their stem (French stemming on PostgreSQL, a
        # light stemmer on SQLite).
        assert action_urls(client, "recrutement") == {plan["objectives"].get_absolute_url()}

    def test_every_word_must_be_found(self, client, plan):
        assert action_urls(client, "sobriété ateliers") == {plan["title"].get_absolute_url()}
        assert action_urls(client, "sobriété recruter") == set()

    def test_code(self, client, plan):
        assert plan["objectives"].get_absolute_url() in action_urls(client, "4.4")


class TestNothingNonPublic:
    def test_a_non_public_or_archived_action_is_never_found(self, client, plan):
        for q in ("énergie", "confidentielle", "ancienne", "secrète", "4.5"):
            response = search(client, q)
            urls = found(response).get("actions", [])
            assert plan["draft"].get_absolute_url() not in urls
            assert plan["archived"].get_absolute_url() not in urls
            assert plan["draft"].title not in page_text(response)
            assert list_urls(client, q) == set(urls)
        assert "Aucun résultat" in page_text(search(client, "confidentielle"))

    def test_a_non_public_meeting_its_decisions_and_private_minutes_are_never_found(self, client):
        hidden = CopilMeetingFactory(title="Comité restreint", is_public=False, place="Huis clos")
        DecisionFactory(meeting=hidden, text="Fermer le site de Trifouillis")
        shown = CopilMeetingFactory(
            title="Comité de pilotage", minutes="Budget réservé", minutes_public=False
        )
        DecisionFactory(meeting=shown, text="Ouvrir une pépinière")
        assert found(search(client, "trifouillis")) == {}
        assert found(search(client, "restreint")) == {}
        assert found(search(client, "réservé")) == {}  # minutes not public
        assert found(search(client, "pepiniere")) == {
            "decisions": [shown.get_absolute_url() + "#decisions"]
        }

    def test_an_unpublished_news_item_is_never_found(self, client):
        NewsItemFactory(title="Brouillon sur l'hydrogène", is_published=False)
        published = NewsItemFactory(title="L'hydrogène vert", body="Texte.")
        assert found(search(client, "hydrogene")) == {"actualites": [published.get_absolute_url()]}


class TestResults:
    def test_grouped_by_kind_with_counts_and_marks(self, client, plan):
        NewsItemFactory(title="Énergie : un appel à projets", body="Texte.")
        OrganisationFactory(name="Agence de l'énergie", acronym="ADEME")
        response = search(client, "energie")
        text = page_text(response)
        assert "5 résultats pour" in text
        assert "Fiches actions (3)" in text and "Actualités (1)" in text
        assert "Partenaires (1)" in text
        assert "<mark>énergie</mark>" in response.content.decode()
        assert "<mark>ENERGIE</mark>" in response.content.decode()

    def test_html_in_a_title_is_escaped_around_the_marks(self, client):
        ActionFactory(title="<script>alert(1)</script> énergie <b>verte</b>")
        content = search(client, "energie").content.decode()
        assert "<script>alert(1)" not in content and "<b>verte" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>énergie</mark> &lt;b&gt;" in content

    def test_demonstration_results_are_marked(self, client):
        ActionFactory(title="Énergie fictive", is_demo=True)
        NewsItemFactory(title="Énergie réelle", body="Texte.")
        content = search(client, "energie").content.decode()
        assert content.count("Donnée de démonstration") == 1

    def test_a_commune_leads_to_its_intercommunality(self, client):
        amboise = IntercommunalityFactory(name="CC du Val d'Amboise", slug="cc-du-val-d-amboise")
        CommuneFactory(name="Nazelles-Négron", intercommunality=amboise)
        response = search(client, "negron")
        assert found(response) == {"communes": [amboise.get_absolute_url()]}
        assert "Commune de la CC du Val d'Amboise" in page_text(response)

    def test_more_than_the_first_results_link_to_the_filtered_lists(self, client):
        bulk_actions(7, title="Énergie locale")
        bulk(NewsItemFactory, 7, title="Énergie", slug=factory.Sequence(lambda n: f"e-{n}"))
        response = search(client, "energie")
        content = response.content.decode()
        assert len(found(response)["actions"]) == 5
        assert 'href="/actions/?q=energie">Voir les 7 fiches actions</a>' in content
        assert "Voir les 7 actualités" in content
        page = search(client, "energie", type="actualites")
        assert len(found(page)["actualites"]) == 7

    def test_no_result_suggests_the_axes(self, client, plan):
        AxisFactory(name="Foncier", slug="3-foncier", phase=plan["title"].phase)
        text = page_text(search(client, "xylophone"))
        assert "Aucun résultat pour « xylophone »" in text.replace("\u00a0", " ")
        assert "Transition écologique" in text and "Foncier" in text
        assert 'href="/axes/3-foncier/"' in text

    def test_no_result_suggests_the_firms_needs(self, client, plan):
        from django.apps import apps

        try:
            need_model = apps.get_model("partners", "Need")
        except LookupError:
            pytest.skip("pas de besoins des entreprises dans ce portail")
        need = need_model.objects.create(name="Recruter", slug="recruter")
        text = page_text(search(client, "xylophone"))
        assert f'href="{need.get_absolute_url()}">Recruter</a>' in text


class TestHostileInput:
    @pytest.mark.parametrize(
        "q",
        [
            "%",
            "_",
            "%%_%",
            "\\",
            "' OR 1=1 --",
            "'; DROP TABLE actions_action; --",
            "energie\x00",
            "\x07\x1b[31m",
            "\u202e\U0001f3ed",
            "x" * 20_000,
            "<img src=x onerror=alert(1)>",
            "a:* | b & !c",
            "[eE]*",
            "*",
        ],
    )
    def test_never_fails_never_finds_everything(self, client, plan, q):
        response = search(client, q)
        content = response.content.decode()
        assert "<img src=x" not in content and "\x00" not in content
        assert len(found(response).get("actions", [])) < 4
        assert client.get(reverse("actions:list"), {"q": q}).status_code == 200

    @pytest.mark.parametrize("q", ["%", "_", "%_%", "*", "?"])
    def test_wildcards_alone_find_nothing(self, client, plan, q):
        response = search(client, q)
        assert found(response) == {}
        assert "Aucun mot à rechercher" in page_text(response)

    def test_a_wildcard_beside_a_word_is_a_separator(self, client, plan):
        action = ActionFactory(title="Réduire de 50 % la facture")
        assert action_urls(client, "50%") == {action.get_absolute_url()}
        assert action_urls(client, "%50_") == {action.get_absolute_url()}

    def test_a_long_query_is_cut_and_said_so(self, client, plan):
        response = search(client, "énergie " * 100)
        assert "seuls les premiers mots" in page_text(response)
        assert len(found(response)["actions"]) == 3


def test_same_number_of_queries_with_1_and_200_rows(client, count_queries):
    pilot = OrganisationFactory(name="Association énergie")
    axis = AxisFactory()
    ActionFactory(title="Énergie 1", axis=axis, pilot=pilot)
    meeting = CopilMeetingFactory(title="Comité énergie")
    DecisionFactory(meeting=meeting, text="Énergie : décision")
    NewsItemFactory(title="Énergie", body="x")
    CommuneFactory(name="Énergieville")
    few = count_queries(URL, {"q": "energie"})
    bulk_actions(199, title="Énergie en masse", axis=axis, pilot=pilot)
    bulk(NewsItemFactory, 199, title="Énergie", slug=factory.Sequence(lambda n: f"e-{n}"))
    bulk(DecisionFactory, 199, meeting=meeting, text="Énergie")
    names = factory.Sequence(lambda n: f"Partenaire {n}")
    bulk(OrganisationFactory, 199, name=names, description="Énergie")
    many = count_queries(URL, {"q": "energie"})
    assert_no_n_plus_one(few, many)
    assert "200 fiches actions" in many.text
    # One kind page by page, and the suggestions when nothing is found: within the budget too.
    page = count_queries(URL, {"q": "energie", "type": "decisions", "page": "3"})
    assert len(found(page.response)["decisions"]) == 20
    nothing = count_queries(URL, {"q": "xylophone"})
    assert "Pistes" in nothing.text
    assert max(page.count, nothing.count) <= PUBLIC_BUDGET


def test_postgresql_can_use_the_index_of_the_action_texts():
    """The expression the search filters on is the one of ACTION_INDEX_SQL (for the actions
    migration that creates it): a change to either would silently fall back to reading every
    row's texts."""
    from django.db import connection

    from actions.models import Action
    from teritoire.search.kinds import ACTION_INDEX_SQL, filter_actions
    from teritoire.search.terms import parse

    if connection.vendor != "postgresql":
        pytest.skip("index PostgreSQL")
    # The text condition alone (the page adds is_public and is_archived, for which an empty
    # table's planner may prefer their own index): only the text index can serve it.
    matching = filter_actions(Action.objects.all(), parse("énergie")).values("pk")
    sql, params = matching.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(ACTION_INDEX_SQL)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan_text = "\n".join(row[0] for row in cursor.fetchall())
    assert "action_search_idx" in plan_text


def test_only_the_empty_search_page_is_kept_in_the_page_cache(client, settings, tmp_path, plan):
    """A typed search is served fresh (nobody fills the shared cache with made-up queries)."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    location = str(tmp_path / "cache")
    backend = "django.core.cache.backends.filebased.FileBasedCache"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location}}
    caches["default"].clear()

    def rendered(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries) > 0

    assert rendered("/recherche/") and not rendered("/recherche/")
    assert rendered("/recherche/?q=energie") and rendered("/recherche/?q=energie")
    for junk in ("/recherche/?q=&type=inconnu", "/recherche/?page=9"):
        assert rendered(junk) and rendered(junk)
