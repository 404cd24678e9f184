import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from programme.map import build_paths
from programme.models import Commune, Intercommunality
from tests.actions.factories import ActionFactory
from tests.budget import VISITORS, assert_no_n_plus_one, bulk_actions, visit_as
from tests.partners.factories import OrganisationFactory
from tests.programme.factories import AxisFactory, CommuneFactory, IntercommunalityFactory

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[0.9, 47.4], [1.0, 47.4], [1.0, 47.5], [0.9, 47.5], [0.9, 47.4]]],
}
NEIGHBOUR = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[1.0, 47.4], [1.1, 47.4], [1.1, 47.5], [1.0, 47.5], [1.0, 47.4]]],
        [[[1.2, 47.4], [1.25, 47.4], [1.25, 47.45], [1.2, 47.4]]],
    ],
}


def paths(html):
    return re.findall(r"<path [^>]*>", html)


class TestMapDrawing:
    def test_polygons_and_multipolygons_fit_the_view_box(self):
        drawn = build_paths({"a": SQUARE, "b": NEIGHBOUR, "c": None})
        assert set(drawn["paths"]) == {"a", "b"}
        assert drawn["width"] == 800
        assert drawn["paths"]["b"].count("M") == 2  # one subpath per polygon
        numbers = [int(n) for n in re.findall(r"-?\d+", drawn["paths"]["a"])]
        assert numbers[0] >= 0 and numbers[1] >= 0
        # y grows southwards: the square's first point (south-west corner) is at the bottom
        assert numbers[1] == drawn["height"] - 4

    def test_latitude_is_stretched_so_the_square_in_degrees_is_taller_than_wide(self):
        drawn = build_paths({"a": SQUARE})
        assert drawn["height"] > drawn["width"] * 1.4


class TestTerritoryPage:
    def test_reference_map_names_every_commune_and_stays_light(self, client):
        call_command("load_territory", verbosity=0)
        response = client.get(reverse("programme:territory"))
        assert response.status_code == 200
        html = response.content.decode()
        shapes = paths(html)
        assert len(shapes) == 55
        assert all('tabindex="0"' in shape and "aria-label=" in shape for shape in shapes)
        assert html.count("<title>") == 55 + 1  # each commune, plus the page's <title>
        assert "Montlouis-sur-Loire — CC Touraine-Est Vallées, 11\u00a0261 habitants" in html
        for ic in Intercommunality.objects.all():
            assert ic.name in html
            assert f'fill="{ic.colour}"' in html
        assert "107\u00a0690" in html  # the total in the table
        assert len(response.content) < 150_000
        assert "<script" not in html

    def test_table_gives_communes_and_population_per_intercommunality(self, client):
        ic = IntercommunalityFactory(name="CC du Castelrenaudais")
        CommuneFactory(intercommunality=ic, name="Château-Renault", population=5_100)
        CommuneFactory(intercommunality=ic, name="Auzouer-en-Touraine", population=2_200)
        html = client.get(reverse("programme:territory")).content.decode()
        row = re.search(
            r"<tr><th scope=\"row\"><a [^>]*>CC du Castelrenaudais</a></th>.*?</tr>", html
        )
        assert row
        assert ">2</td>" in row.group(0)
        assert "7\u00a0300" in row.group(0)
        # communes listed alphabetically whatever the accents
        assert html.index("Auzouer-en-Touraine") < html.index("Château-Renault")

    def test_commune_without_outline_is_listed_but_not_drawn(self, client):
        CommuneFactory(name="Sans-Contour", outline=None)
        CommuneFactory(name="Avec-Contour")
        html = client.get(reverse("programme:territory")).content.decode()
        assert len(paths(html)) == 1
        assert "Sans-Contour" in html

    def test_map_follows_a_changed_outline(self, client):
        commune = CommuneFactory(outline=SQUARE)
        CommuneFactory(outline=NEIGHBOUR)
        before = paths(client.get(reverse("programme:territory")).content.decode())
        Commune.objects.filter(pk=commune.pk).update(
            outline={
                "type": "Polygon",
                "coordinates": [[[0.8, 47.3], [1.0, 47.4], [0.9, 47.5], [0.8, 47.3]]],
            }
        )
        after = paths(client.get(reverse("programme:territory")).content.decode())
        assert before != after

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor):
        visit_as(client, visitor)
        ics = [IntercommunalityFactory() for _ in range(4)]
        for index in range(20):
            CommuneFactory(intercommunality=ics[index % 4])
        axis = AxisFactory()
        pilot = OrganisationFactory()
        bulk_actions(1, axis=axis, pilot=pilot, intercommunalities=ics)
        few = count_queries(reverse("programme:territory"))
        bulk_actions(199, axis=axis, pilot=pilot, intercommunalities=ics)
        many = count_queries(reverse("programme:territory"))
        assert_no_n_plus_one(few, many)
        assert len(paths(many.text)) == 20


class TestIntercommunalityPage:
    def test_its_communes_are_highlighted_and_others_greyed(self, client):
        ic = IntercommunalityFactory(name="CC du Val d'Amboise", colour="#A3399A", population=0)
        other = IntercommunalityFactory(name="CC Touraine-Est Vallées", colour="#1F3A68")
        CommuneFactory(intercommunality=ic, name="Amboise", population=13_000)
        CommuneFactory(intercommunality=ic, name="Nazelles-Négron", population=3_900)
        CommuneFactory(intercommunality=other, name="Vouvray", population=3_400)
        response = client.get(ic.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        shapes = paths(html)
        assert len(shapes) == 3
        vouvray = next(shape for shape in shapes if "Vouvray" in shape)
        amboise = next(shape for shape in shapes if "Amboise —" in shape)
        assert 'class="dimmed"' in vouvray
        assert "dimmed" not in amboise
        assert "16\u00a0900 habitants" in html  # its population, from its communes
        assert "Ses 2 communes" in html
        assert 'aria-current="true">Le territoire' in html

    def test_only_public_actions_that_concern_it(self, client):
        ic = IntercommunalityFactory()
        CommuneFactory(intercommunality=ic)
        ActionFactory(title="Campus des métiers", intercommunalities=[ic])
        ActionFactory(title="Action confidentielle", intercommunalities=[ic], is_public=False)
        ActionFactory(title="Action archivée", intercommunalities=[ic], is_archived=True)
        ActionFactory(title="Action ailleurs", intercommunalities=[IntercommunalityFactory()])
        html = client.get(ic.get_absolute_url()).content.decode()
        assert "Campus des métiers" in html
        assert "Action confidentielle" not in html
        assert "Action archivée" not in html
        assert "Action ailleurs" not in html

    def test_unknown_slug_is_404(self, client):
        response = client.get(reverse("programme:intercommunality", args=["inconnue"]))
        assert response.status_code == 404

    @pytest.mark.parametrize("visitor", VISITORS)
    def test_same_queries_with_1_and_200_actions(self, client, count_queries, visitor):
        visit_as(client, visitor)
        ic = IntercommunalityFactory()
        for _ in range(10):
            CommuneFactory(intercommunality=ic)
        CommuneFactory()
        axis = AxisFactory()
        pilot = OrganisationFactory()
        bulk_actions(1, axis=axis, pilot=pilot, intercommunalities=[ic])
        few = count_queries(ic.get_absolute_url())
        assert few.text.count('class="card action-card"') == 1
        bulk_actions(199, axis=axis, pilot=pilot, intercommunalities=[ic])
        many = count_queries(ic.get_absolute_url())
        assert_no_n_plus_one(few, many)
        assert many.text.count('class="card action-card"') == 200
