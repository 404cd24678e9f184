"""/actions/carte/: the public actions counted per intercommunality on the territory map."""

import html as html_lib
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from actions.models import Action
from partners.models import Need
from programme.map import SequentialScale, build_paths, group_centre
from programme.models import Intercommunality
from teritoire import pagecache
from tests.actions.factories import ActionFactory
from tests.budget import VISITORS, assert_no_n_plus_one, bulk_actions, visit_as
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory, CommuneFactory, IntercommunalityFactory
from tests.test_pagecache import cache_entries, rendered, shared_cache  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

URL = reverse("actions:map")


def square(lon, lat, size=0.1):
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def map_links(html):
    """{accessible name: href} of the intercommunality links drawn in the SVG."""
    svg = re.search(r"<svg [^>]*aria-labelledby=\"action-map-caption\".*?</svg>", html, re.S)
    assert svg, "la carte des actions manque"
    links = re.findall(r'<a href="([^"]*)" class="map-area[^"]*"[^>]*aria-label="([^"]*)"', svg[0])
    return {html_lib.unescape(name): html_lib.unescape(href) for href, name in links}


def table_counts(html):
    rows = re.findall(
        r'<tr[^>]*><th scope="row"><a href="[^"]*">([^<]*)</a>.*?</th><td class="num">([^<]*)</td>',
        html,
    )
    return {html_lib.unescape(name): int(count.replace("\u00a0", "")) for name, count in rows}


@pytest.fixture
def world():
    """Three intercommunalities of two communes each, and actions public or not across them."""
    east = IntercommunalityFactory(name="CC de l'Est")
    west = IntercommunalityFactory(name="CC de l'Ouest")
    empty = IntercommunalityFactory(name="CC Sans Action")
    for index, ic in enumerate((east, west, empty)):
        CommuneFactory(intercommunality=ic, outline=square(0.9 + 0.2 * index, 47.4))
        CommuneFactory(intercommunality=ic, outline=square(0.9 + 0.2 * index, 47.5))
    jobs, land = AxisFactory(name="Compétences"), AxisFactory(name="Foncier")
    both = ActionFactory(axis=jobs, code="1.1", title="Job dating partagé")
    both.intercommunalities.add(east, west)
    east_land = ActionFactory(axis=land, code="3.1", title="Friches de l'Est")
    east_land.intercommunalities.add(east)
    ActionFactory(axis=land, code="3.2", title="Tout le territoire")  # names no intercommunality
    draft = ActionFactory(axis=jobs, code="1.9", title="Brouillon secret", is_public=False)
    draft.intercommunalities.add(east, west, empty)
    archived = ActionFactory(axis=land, code="3.9", title="Ancienne archivée", is_archived=True)
    archived.intercommunalities.add(east, empty)
    return {"east": east, "west": west, "empty": empty, "jobs": jobs, "land": land}


class TestCounts:
    def test_one_named_link_per_intercommunality_with_its_public_count(self, client, world):
        html = client.get(URL).content.decode()
        links = map_links(html)
        assert set(links) == {
            "CC de l'Est : 2 actions publiques",
            "CC de l'Ouest : 1 action publique",
            "CC Sans Action : aucune action publique",
        }
        # the counts are what the list shows for each intercommunality
        for ic in (world["east"], world["west"], world["empty"]):
            expected = Action.objects.public().filter(intercommunalities=ic).count()
            assert table_counts(html)[ic.name] == expected
        assert "1 action ne désigne aucune communauté de communes" in html

    def test_darker_colour_for_more_actions_and_a_legend(self, client, world):
        html = client.get(URL).content.decode()
        fills = {}
        for ic in ("CC de l'Est", "CC de l'Ouest", "CC Sans Action"):
            group = re.search(
                rf'aria-label="{re.escape(html_lib.escape(ic))} :.*?</a>', html, re.S
            ).group(0)
            fills[ic] = set(re.findall(r'fill="(#[0-9a-f]{6})"', group))
            assert len(fills[ic]) == 1  # every commune of an intercommunality alike
        scale = SequentialScale([2, 1, 0])
        assert fills["CC de l'Est"] == {scale.colour(2)}
        assert fills["CC de l'Ouest"] == {scale.colour(1)}
        assert fills["CC Sans Action"] == {scale.colour(0)}
        assert len(set().union(*fills.values())) == 3
        assert "Aucune action" in html and "2 actions" in html  # legend classes

    def test_axis_filter_narrows_the_counts(self, client, world):
        html = client.get(URL, {"axe": world["land"].slug}).content.decode()
        assert set(map_links(html)) == {
            "CC de l'Est : 1 action publique",
            "CC de l'Ouest : aucune action publique",
            "CC Sans Action : aucune action publique",
        }
        # the intercommunality links keep the axis
        assert all(f"axe={world['land'].slug}" in href for href in map_links(html).values())

    def test_need_filter_narrows_the_counts(self, client, world):
        recruit = Need.objects.create(name="Recruter", slug="recruter")
        Need.objects.create(name="Innover", slug="innover")
        Action.objects.get(code="1.1").needs.add(recruit)
        html = client.get(URL, {"besoin": "recruter"}).content.decode()
        assert set(map_links(html)) == {
            "CC de l'Est : 1 action publique",
            "CC de l'Ouest : 1 action publique",
            "CC Sans Action : aucune action publique",
        }
        assert "pour le besoin «&nbsp;Recruter&nbsp;»" in html
        assert all("besoin=recruter" in href for href in map_links(html).values())
        html = client.get(URL, {"besoin": "innover"}).content.decode()
        assert all(name.endswith("aucune action publique") for name in map_links(html))

    def test_unknown_axis_is_ignored_and_said(self, client, world):
        html = client.get(URL, {"axe": "nimporte-quoi"}).content.decode()
        assert "Le filtre « axe » a été ignoré : valeur inconnue." in html
        assert "CC de l'Est : 2 actions publiques" in map_links(html)

    def test_no_intercommunality_yet_says_so(self, client):
        html = client.get(URL).content.decode()
        assert "Aucune communauté de communes n'est encore enregistrée." in html
        assert "Aucune action publique" in html


class TestSelection:
    def test_activating_an_intercommunality_lists_its_public_actions(self, client, world):
        html = client.get(URL).content.decode()
        href = map_links(html)["CC de l'Ouest : 1 action publique"]
        assert href.endswith("#actions-cc")
        selected = client.get(URL + href.split("#")[0]).content.decode()
        section = re.search(r'<section class="map-selection".*?</section>', selected, re.S)[0]
        assert "CC de l&#x27;Ouest&nbsp;: 1 action" in section
        assert "Job dating partagé" in section
        assert "Friches de l&#x27;Est" not in section
        assert 'aria-current="true"' in selected

    def test_a_non_public_action_never_appears(self, client, world):
        for params in ({}, {"intercommunalite": world["empty"].slug}, {"axe": world["jobs"].slug}):
            html = client.get(URL, params).content.decode()
            assert "Brouillon secret" not in html
            assert "Ancienne archivée" not in html
        html = client.get(URL, {"intercommunalite": world["empty"].slug}).content.decode()
        assert "Aucune fiche action publique ne concerne cette communauté de communes" in html

    def test_demo_actions_are_marked(self, client, world):
        demo = ActionFactory(title="Action fictive", is_demo=True)
        demo.intercommunalities.add(world["west"])
        html = client.get(URL, {"intercommunalite": world["west"].slug}).content.decode()
        assert "Inclut des données de démonstration" in html
        assert "Donnée de démonstration" in html
        plain = client.get(URL, {"axe": world["land"].slug}).content.decode()
        assert "démonstration" not in plain.split('id="contenu"')[1]


class TestScale:
    def test_zero_alone_and_classes_from_light_to_dark(self):
        scale = SequentialScale([0, 3, 17, 40])
        assert scale.classes[0] == {"low": 0, "high": 0, "colour": scale.colours[0]}
        lows = [item["low"] for item in scale.classes]
        highs = [item["high"] for item in scale.classes]
        assert lows == sorted(lows) and highs[-1] == 40
        assert all(low == high + 1 for low, high in zip(lows[1:], highs[:-1], strict=True))
        assert len({item["colour"] for item in scale.classes}) == len(scale.classes)
        assert scale.colour(40) == scale.colours[-1]

    def test_group_centre_lies_among_its_communes(self):
        drawn = build_paths({"a": square(0.9, 47.4), "b": square(1.0, 47.4), "c": square(2, 48)})
        x, y = group_centre(drawn, ["a", "b"])
        assert drawn["centres"]["a"][0] < x < drawn["centres"]["b"][0]
        assert group_centre(drawn, ["missing"]) is None


class TestReferenceTerritory:
    def test_the_four_intercommunalities_are_links_and_the_page_stays_light(self, client):
        call_command("load_territory", verbosity=0)
        response = client.get(URL)
        html = response.content.decode()
        assert len(map_links(html)) == Intercommunality.objects.count() == 4
        assert html.count("<path ") == 55
        assert "<script" not in html
        assert len(response.content) < 150_000


@pytest.mark.parametrize("visitor", VISITORS)
def test_same_queries_with_1_and_200_actions(client, count_queries, visitor):
    visit_as(client, visitor)
    ics = [IntercommunalityFactory() for _ in range(4)]
    for index in range(12):
        CommuneFactory(intercommunality=ics[index % 4])
    axis, pilot = AxisFactory(), OrganisationFactory()
    params = {"axe": axis.slug, "intercommunalite": ics[0].slug}
    bulk_actions(1, axis=axis, pilot=pilot, intercommunalities=ics)
    few = count_queries(URL, params)
    bulk_actions(199, axis=axis, pilot=pilot, intercommunalities=ics[:2])
    many = count_queries(URL, params)
    assert_no_n_plus_one(few, many)
    assert "CC numéro" in many.text and ": 200 actions publiques" in many.text


@pytest.mark.parametrize("shared_cache", ["files"], indirect=True)
def test_cached_for_known_filters_only(shared_cache, client, world):  # noqa: F811
    pagecache.current_version()  # the version key exists: count the pages alone
    known = f"{URL}?axe={world['land'].slug}&intercommunalite={world['east'].slug}"
    client.get(URL, {"autre": "1"})  # draws the map (cached apart), keeps no page
    before = cache_entries(shared_cache)
    assert rendered(client, known)
    assert cache_entries(shared_cache) == before + 1
    assert not rendered(client, known)
    for junk in (f"{URL}?axe=inconnu", f"{URL}?autre=1", f"{URL}?intercommunalite=x&axe="):
        assert rendered(client, junk)
        assert rendered(client, junk)
    assert cache_entries(shared_cache) == before + 1
