import csv
import datetime
import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from actions.models import Action, Status
from partners.models import Organisation
from programme.models import (
    Axis,
    Commune,
    CopilMeeting,
    Decision,
    Intercommunality,
    NewsItem,
    Phase,
    ReferenceFingerprint,
    Territory,
)
from programme.reference_files import DATA_DIR, PROGRAMME_NAME, read_json, read_manifest
from tests.shared import shared_rows

pytestmark = pytest.mark.django_db

MANIFEST = read_manifest(read_json(DATA_DIR / PROGRAMME_NAME))
CSV_NAME, GEOJSON_NAME = MANIFEST.communes_file, MANIFEST.outlines_file

SIRENS = {
    "200073161": ("CC Touraine-Est Vallées", 10),
    "243700820": ("CC Autour de Chenonceaux Bléré-Val de Cher", 15),
    "243700499": ("CC du Castelrenaudais", 16),
    "200043065": ("CC du Val d'Amboise", 14),
}


def load(**options):
    out = StringIO()
    call_command("load_territory", stdout=out, **options)
    return out.getvalue()


def counts():
    """Rows and history rows of everything the loader writes."""
    return {
        "territories": Territory.objects.count(),
        "organisations": Organisation.objects.count(),
        "intercommunalities": Intercommunality.objects.count(),
        "communes": Commune.objects.count(),
        "phases": Phase.objects.count(),
        "axes": Axis.objects.count(),
        "meetings": CopilMeeting.objects.count(),
        "decisions": Decision.objects.count(),
        "news": NewsItem.objects.count(),
        "actions": Action.objects.count(),
        "action_history": Action.history.count(),
        "meeting_history": CopilMeeting.history.count(),
        "decision_history": Decision.history.count(),
    }


def relative_luminance(hex_colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the shipped data folder, to break."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


def rewrite_csv(folder, change):
    path = folder / CSV_NAME
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def rewrite_geojson(folder, insee, new_insee):
    path = folder / GEOJSON_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    for feature in data["features"]:
        if feature["properties"]["insee"] == insee:
            feature["properties"]["insee"] = new_insee
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """The shipped data loaded once for the class (its output); each test's own changes are
    rolled back after it."""
    with shared_rows(django_db_blocker):
        yield load()


class TestLoadTerritory:
    def test_loads_the_four_intercommunalities_and_their_55_communes(self, loaded):
        output = loaded

        assert "4 communautés de communes, 55 communes" in output
        intercommunalities = {i.siren: i for i in Intercommunality.objects.all()}
        assert set(intercommunalities) == set(SIRENS)
        for siren, (name, commune_count) in SIRENS.items():
            intercommunality = intercommunalities[siren]
            assert intercommunality.name == name
            assert intercommunality.communes.count() == commune_count
            assert intercommunality.organisation.kind == Organisation.Kind.INTERCOMMUNALITY
            assert intercommunality.organisation.name == name
            assert (
                intercommunality.population
                == intercommunality.communes.aggregate(total=Sum("population"))["total"]
            )
        assert Commune.objects.count() == 55
        assert Commune.objects.aggregate(total=Sum("population"))["total"] == 107690
        amboise = Commune.objects.get(insee="37003")
        assert (amboise.name, amboise.siren, amboise.population) == (
            "Amboise",
            "213700032",
            13132,
        )
        assert amboise.intercommunality.siren == "200043065"

    def test_every_commune_has_its_own_outline(self, loaded):

        shipped = json.loads((DATA_DIR / GEOJSON_NAME).read_text(encoding="utf-8"))
        by_insee = {f["properties"]["insee"]: f["geometry"] for f in shipped["features"]}
        for commune in Commune.objects.all():
            assert commune.outline == by_insee[commune.insee]
            assert commune.outline["type"] in ("Polygon", "MultiPolygon")

    def test_map_colours_are_distinct_and_readable_with_white_text(self, loaded):

        colours = list(Intercommunality.objects.values_list("colour", flat=True))
        assert len(set(colours)) == 4
        for colour in colours:
            contrast = 1.05 / (relative_luminance(colour) + 0.05)
            assert contrast >= 4.5, colour

    def test_organisations_have_their_kind_and_never_an_invented_name(self, loaded):

        kinds = dict(Organisation.objects.values_list("slug", "kind"))
        Kind = Organisation.Kind
        assert kinds["eret"] == kinds["aicr"] == kinds["geida"] == Kind.BUSINESS_ASSOCIATION
        assert kinds["prefecture-d-indre-et-loire"] == kinds["dreets-centre-val-de-loire"]
        assert kinds["prefecture-d-indre-et-loire"] == Kind.STATE
        assert kinds["region-centre-val-de-loire"] == Kind.REGION
        assert kinds["france-travail"] == kinds["opco-2i"] == kinds["mission-locale"]
        assert kinds["mission-locale"] == Kind.EMPLOYMENT_TRAINING
        for slug in ("ademe", "banque-des-territoires", "bpifrance", "business-france"):
            assert kinds[slug] == Kind.PUBLIC_OPERATOR
        assert kinds["uimm"] == Kind.BUSINESS_ASSOCIATION
        # Full name only where it is known.
        assert Organisation.objects.get(slug="eret").name == "ERET"
        assert Organisation.objects.get(slug="geida").name == "GEIDA"
        aicr = Organisation.objects.get(slug="aicr")
        assert aicr.name == "Association des industriels du Castelrenaudais"
        assert aicr.acronym == "AICR"

    def test_phases_axes_first_copil_and_news(self, loaded):

        territory = Territory.objects.get(slug="grand-est-touraine")
        assert territory.department == "Indre-et-Loire (37)"
        assert territory.region == "Centre-Val de Loire"
        assert "107\u00a0690 habitants" in territory.description
        phase_1, phase_2 = territory.phases.order_by("number")
        assert "mars 2019" in phase_1.description
        assert "23 avril 2019 à Amboise" in phase_1.description
        assert "29 mars 2021" in phase_1.description
        assert phase_2.labelled_on == datetime.date(2023, 11, 9)
        assert (phase_2.start_date.year, phase_2.end_date.year) == (2023, 2027)
        assert "182 autres" in phase_2.description
        assert list(phase_2.axes.values_list("number", "slug", "name")) == [
            (1, "competences", "Compétences"),
            (2, "innovation", "Innovation"),
            (3, "foncier", "Foncier"),
            (4, "transition-ecologique", "Transition écologique"),
        ]
        assert "zéro artificialisation nette" in Axis.objects.get(slug="foncier").description
        assert list(phase_1.axes.values_list("slug", flat=True)) == [
            "phase-1-attirer",
            "phase-1-recruter",
            "phase-1-innover",
            "phase-1-simplifier",
        ]

        copil = CopilMeeting.objects.get()
        assert copil.phase == phase_2
        assert copil.date == datetime.date(2024, 1, 25)
        assert copil.status == CopilMeeting.Status.HELD
        assert copil.is_public
        assert copil.agenda_items.exists()
        assert [d.text for d in copil.decisions.all()] == [
            "Validation du plan d'actions 2024 et de son budget."
        ]

        news = NewsItem.objects.published().get()
        assert news.slug == "grand-est-touraine-labellise-pour-la-phase-2"
        assert news.published_on == datetime.date(2024, 2, 26)
        assert "Chalon-sur-Saône" in news.body
        assert news.summary

    def test_phase_1_achievements_are_completed_public_actions(self, loaded):

        achievements = Action.objects.filter(phase__number=1)
        assert achievements.count() == 2
        for action in achievements:
            assert action.status == Status.DONE
            assert action.progress == 100
            assert action.is_public
            assert not action.is_demo
        rubixco = achievements.get(slug="tiers-lieu-le-rubixco")
        assert rubixco.pilot.slug == "cc-touraine-est-vallees"
        assert "15 juin 2020" in rubixco.description
        assert list(rubixco.intercommunalities.values_list("siren", flat=True)) == ["200073161"]
        assert not rubixco.fundings.exists()

    def test_second_run_creates_and_changes_nothing(self, loaded):
        before = counts()
        updated_at = dict(Organisation.objects.values_list("slug", "updated_at"))

        output = load()

        assert counts() == before
        assert dict(Organisation.objects.values_list("slug", "updated_at")) == updated_at
        assert "0 créations, 0 mises à jour" in output

    def test_second_run_keeps_rows_edited_in_the_admin_and_writes_no_history(
        self, loaded, admin_client
    ):
        axis = Axis.objects.get(slug="foncier")
        response = admin_client.post(
            reverse("admin:programme_axis_change", args=[axis.pk]),
            {
                "phase": axis.phase_id,
                "number": axis.number,
                "name": "Foncier et immobilier d'entreprise",
                "slug": axis.slug,
                "description": axis.description,
                "colour": axis.colour,
            },
        )
        assert response.status_code == 302
        amboise = Commune.objects.get(insee="37003")
        amboise.population = 13200
        amboise.save()
        meeting = CopilMeeting.objects.get()
        meeting.title = "Premier comité de pilotage de la phase 2"
        meeting._history_user = None
        meeting.save()
        before = counts()

        output = load()

        assert Axis.objects.get(slug="foncier").name == "Foncier et immobilier d'entreprise"
        assert Commune.objects.get(insee="37003").population == 13200
        assert CopilMeeting.objects.get().title == "Premier comité de pilotage de la phase 2"
        assert counts() == before
        assert "0 créations, 0 mises à jour" in output


def rename_communes(folder, names):
    """Give the communes of `names` (INSEE -> name) a new name in the folder's CSV."""

    def edit(rows):
        for row in rows:
            row[5] = names.get(row[3], row[5])
        return rows

    rewrite_csv(folder, edit)


class TestChangedReferenceFile:
    def test_updates_rows_nobody_edited_and_reports_those_a_user_edited(self, data_copy):
        load()
        amboise = Commune.objects.get(insee="37003")
        amboise.name = "Amboise-en-Touraine"
        amboise.save()
        other = Commune.objects.exclude(insee="37003").order_by("insee").first()
        rename_communes(data_copy, {"37003": "Amboise (nouveau)", other.insee: "Nouveau nom"})

        output = load(data_dir=data_copy)

        assert Commune.objects.get(insee="37003").name == "Amboise-en-Touraine"
        assert Commune.objects.get(insee=other.insee).name == "Nouveau nom"
        assert "0 créations, 1 mises à jour" in output
        assert (
            "1 ligne modifiée par un utilisateur laissée telle quelle\u00a0: "
            "commune «\u00a0Amboise-en-Touraine (37003)\u00a0» (nom)." in output
        )
        # Reported once: the user's value now stands until the file changes that row again.
        again = load(data_dir=data_copy)
        assert "0 créations, 0 mises à jour" in again
        assert "laissée" not in again

    def test_a_later_file_change_updates_a_row_as_it_was_loaded(self, data_copy):
        load()
        rename_communes(data_copy, {"37003": "Amboise (nouveau)"})
        load(data_dir=data_copy)
        rename_communes(data_copy, {"37003": "Amboise (encore)"})

        output = load(data_dir=data_copy)

        assert Commune.objects.get(insee="37003").name == "Amboise (encore)"
        assert "0 créations, 1 mises à jour" in output

    def test_rows_loaded_before_fingerprints_are_not_overwritten(self):
        load()
        ReferenceFingerprint.objects.all().delete()
        Commune.objects.filter(insee="37003").update(population=1)

        output = load()

        assert Commune.objects.get(insee="37003").population == 1
        assert "1 ligne modifiée par un utilisateur" in output
        assert "0 créations, 0 mises à jour" in output


BROKEN = {
    "missing_csv": (
        lambda folder: (folder / CSV_NAME).unlink(),
        "Fichier introuvable",
    ),
    "missing_geojson": (
        lambda folder: (folder / GEOJSON_NAME).unlink(),
        "Fichier introuvable",
    ),
    "missing_column": (
        lambda folder: rewrite_csv(folder, lambda rows: [row[:3] + row[4:] for row in rows]),
        "colonne(s) manquante(s) : insee",
    ),
    "bad_siren": (
        lambda folder: rewrite_csv(
            folder, lambda rows: rows[:5] + [[rows[5][0], *rows[5][1:4], "21370"] + rows[5][5:]]
        ),
        "le SIREN « 21370 » doit comporter exactement 9 chiffres",
    ),
    "row_missing": (
        lambda folder: rewrite_csv(folder, lambda rows: rows[:-1]),
        "54 communes trouvées, 55 attendues",
    ),
    "truncated_geojson": (
        lambda folder: (folder / GEOJSON_NAME).write_text(
            (DATA_DIR / GEOJSON_NAME).read_text(encoding="utf-8")[:5000], encoding="utf-8"
        ),
        "JSON invalide",
    ),
    "unknown_insee_in_geojson": (
        lambda folder: rewrite_geojson(folder, "37003", "37999"),
        "le code INSEE 37999 n'est pas celui d'une commune",
    ),
}


class TestBrokenDataFiles:
    @pytest.mark.parametrize("case", BROKEN)
    def test_stops_with_a_french_message_and_writes_nothing(self, case, data_copy):
        break_files, message = BROKEN[case]
        break_files(data_copy)

        with pytest.raises(CommandError) as error:
            load(data_dir=data_copy)

        assert message in str(error.value)
        assert "la base n'a pas été modifiée" in str(error.value)
        assert not any(counts().values())

    def test_conflict_with_existing_rows_rolls_everything_back(self):
        # An organisation already holds the name the loader wants for another slug: the
        # organisations written before it must be undone too.
        Organisation.objects.create(name="GEIDA", slug="une-autre-geida")

        with pytest.raises(CommandError, match="conflit avec des données existantes"):
            load()

        assert Organisation.objects.count() == 1
        assert not Territory.objects.exists()
        assert not Commune.objects.exists()


class TestBrokenDataFilesOverLoadedData:
    @pytest.mark.parametrize("case", BROKEN)
    def test_leaves_loaded_data_as_it_was(self, case, data_copy, loaded):
        before = counts()
        break_files, message = BROKEN[case]
        break_files(data_copy)

        with pytest.raises(CommandError, match="la base n'a pas été modifiée"):
            load(data_dir=data_copy)

        assert counts() == before

    def test_no_partial_write_when_a_later_row_is_bad(self, data_copy, loaded):
        def edit(rows):
            amboise = rows.index(next(row for row in rows if row[3] == "37003"))
            rows[amboise][6] = "1"
            rows[-1][4] = "XYZ"
            return rows

        rewrite_csv(data_copy, edit)

        with pytest.raises(CommandError, match="SIREN « XYZ »"):
            load(data_dir=data_copy)

        assert Commune.objects.get(insee="37003").population == 13132
