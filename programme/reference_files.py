"""Reading and checking the data files of a territory (the shipped one is in programme/data/).

A territory's folder holds `programme.json`, whose manifest names its other files and says what
to expect in them (`files`, `expected_communes`, and `intercommunalities`: the slug and map colour
of each communauté de communes, by SIREN); a CSV of the communautés de communes and their
communes, a GeoJSON of the communes' outlines, `organisations.json`. The shipped files' provenance
is in `data/SOURCES.md`. Nothing is written here: a missing or malformed file raises
`ReferenceDataError`, with a message in French for the user, before anything is written (see
`programme.reference`).
"""

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
PROGRAMME_NAME = "programme.json"
CSV_COLUMNS = (
    "epci_siren",
    "epci_name",
    "epci_population_municipale",
    "insee",
    "commune_siren",
    "commune",
    "population_municipale",
)

SIREN_RE = re.compile(r"^\d{9}\Z")
INSEE_RE = re.compile(r"^(\d{2}|2[AB])\d{3}\Z")

COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}\Z")


class ReferenceDataError(Exception):
    """A data file is missing or malformed; the message is in French, for the user."""


@dataclass(frozen=True)
class Manifest:
    """What a territory's folder says about itself in `programme.json`."""

    communes_file: str
    outlines_file: str
    organisations_file: str
    expected_communes: int
    intercommunalities: dict  # SIREN -> {"slug": …, "colour": …}


@dataclass
class CommuneRow:
    insee: str
    siren: str
    name: str
    population: int


@dataclass
class IntercommunalityRow:
    siren: str
    name: str
    population: int
    communes: list = field(default_factory=list)


@dataclass
class ReferenceFiles:
    data_dir: Path
    programme: dict  # the content of programme.json
    manifest: Manifest
    organisations: list  # the content of the organisations file
    intercommunalities: dict  # SIREN -> IntercommunalityRow, in file order
    outlines: dict  # INSEE -> GeoJSON geometry dict

    @property
    def commune_count(self):
        return sum(len(i.communes) for i in self.intercommunalities.values())

    @property
    def population(self):
        return sum(c.population for i in self.intercommunalities.values() for c in i.communes)


def read_json(path):
    """The content of a JSON file of the folder; ReferenceDataError when missing or malformed."""
    if not path.is_file():
        raise ReferenceDataError(f"Fichier introuvable : {path}.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ReferenceDataError(
            f"{path.name}\u00a0: le fichier n'est pas encodé en UTF-8."
        ) from None
    except json.JSONDecodeError as error:
        raise ReferenceDataError(
            f"{path.name}\u00a0: JSON invalide (ligne {error.lineno}, colonne {error.colno})."
        ) from None


def read_manifest(programme):
    """The manifest part of `programme.json`'s content, checked."""
    try:
        files = programme["files"]
        manifest = Manifest(
            communes_file=str(files["communes"]),
            outlines_file=str(files["outlines"]),
            organisations_file=str(files["organisations"]),
            expected_communes=int(programme["expected_communes"]),
            intercommunalities={
                str(siren): {"slug": str(known["slug"]), "colour": str(known["colour"])}
                for siren, known in programme["intercommunalities"].items()
            },
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ReferenceDataError(
            f"{PROGRAMME_NAME}\u00a0: rubrique manquante ou invalide dans le manifeste ({error})."
        ) from None
    for siren, known in manifest.intercommunalities.items():
        if not SIREN_RE.match(siren) or not COLOUR_RE.match(known["colour"]):
            raise ReferenceDataError(
                f"{PROGRAMME_NAME}\u00a0: la communauté de communes {siren} doit avoir un SIREN de "
                "9 chiffres et une couleur #RRVVBB."
            )
    return manifest


def _parse_int(value, what, line, name):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ReferenceDataError(
            f"{name}, ligne {line} : {what} « {value} » n'est pas un nombre entier."
        ) from None
    if number < 0:
        raise ReferenceDataError(f"{name}, ligne {line} : {what} ne peut pas être négative.")
    return number


def read_communes_csv(path, manifest):
    """Read the CSV of intercommunalities and communes; raise ReferenceDataError when malformed."""
    rows = _read_csv_rows(path)
    csv_name = path.name
    intercommunalities = {}
    seen_insee, seen_siren = set(), set()
    for line, row in enumerate(rows, start=2):
        values = {name: (row.get(name) or "").strip() for name in CSV_COLUMNS}
        _check_row_codes(values, manifest, line, csv_name)
        _check_row_unique(values, seen_insee, seen_siren, line, csv_name)
        seen_insee.add(values["insee"])
        seen_siren.add(values["commune_siren"])
        _add_commune_row(intercommunalities, values, line, csv_name)
    _check_communes_totals(intercommunalities, len(rows), manifest, csv_name)
    return intercommunalities


def _read_csv_rows(path):
    """The rows of the CSV, as dicts, once its encoding, syntax and columns are checked."""
    if not path.is_file():
        raise ReferenceDataError(f"Fichier introuvable : {path}.")
    csv_name = path.name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [name for name in CSV_COLUMNS if name not in columns]
            if missing:
                raise ReferenceDataError(
                    f"{csv_name} : colonne(s) manquante(s) : {', '.join(missing)}."
                )
            return list(reader)
    except UnicodeDecodeError:
        raise ReferenceDataError(f"{csv_name} : le fichier n'est pas encodé en UTF-8.") from None
    except csv.Error as error:
        raise ReferenceDataError(f"{csv_name} : fichier CSV illisible ({error}).") from None


def _check_row_codes(values, manifest, line, csv_name):
    """Every column filled, well-formed SIREN and INSEE codes, an intercommunality declared."""
    for name in CSV_COLUMNS:
        if not values[name]:
            raise ReferenceDataError(f"{csv_name}, ligne {line} : la colonne {name} est vide.")
    epci_siren, commune_siren, insee = (
        values["epci_siren"],
        values["commune_siren"],
        values["insee"],
    )
    for siren in (epci_siren, commune_siren):
        if not SIREN_RE.match(siren):
            raise ReferenceDataError(
                f"{csv_name}, ligne {line} : le SIREN « {siren} » doit comporter "
                "exactement 9 chiffres."
            )
    if not INSEE_RE.match(insee):
        raise ReferenceDataError(
            f"{csv_name}, ligne {line} : le code INSEE « {insee} » n'est pas valide."
        )
    if epci_siren not in manifest.intercommunalities:
        raise ReferenceDataError(
            f"{csv_name}, ligne {line} : le SIREN {epci_siren} n'est pas celui d'une "
            f"communauté de communes déclarée dans {PROGRAMME_NAME}."
        )


def _check_row_unique(values, seen_insee, seen_siren, line, csv_name):
    """The commune's INSEE code and SIREN not met on an earlier line."""
    insee, commune_siren = values["insee"], values["commune_siren"]
    if insee in seen_insee:
        raise ReferenceDataError(
            f"{csv_name}, ligne {line} : le code INSEE {insee} apparaît deux fois."
        )
    if commune_siren in seen_siren:
        raise ReferenceDataError(
            f"{csv_name}, ligne {line} : le SIREN {commune_siren} apparaît deux fois."
        )


def _add_commune_row(intercommunalities, values, line, csv_name):
    """Add the line's commune to its intercommunality, which every line describes alike."""
    epci_siren = values["epci_siren"]
    epci_population = _parse_int(
        values["epci_population_municipale"], "la population de l'EPCI", line, csv_name
    )
    epci = intercommunalities.setdefault(
        epci_siren,
        IntercommunalityRow(epci_siren, values["epci_name"], epci_population),
    )
    if (epci.name, epci.population) != (values["epci_name"], epci_population):
        raise ReferenceDataError(
            f"{csv_name}, ligne {line} : nom ou population de la communauté de communes "
            f"{epci_siren} différents des lignes précédentes."
        )
    epci.communes.append(
        CommuneRow(
            insee=values["insee"],
            siren=values["commune_siren"],
            name=values["commune"],
            population=_parse_int(
                values["population_municipale"], "la population de la commune", line, csv_name
            ),
        )
    )


def _check_communes_totals(intercommunalities, row_count, manifest, csv_name):
    """The whole file: as many communes as expected, every declared intercommunality, and
    each one's population the sum of its communes'."""
    if row_count != manifest.expected_communes:
        raise ReferenceDataError(
            f"{csv_name} : {row_count} communes trouvées, {manifest.expected_communes} attendues."
        )
    if set(intercommunalities) != set(manifest.intercommunalities):
        raise ReferenceDataError(
            f"{csv_name}\u00a0: toutes les communautés de communes déclarées dans {PROGRAMME_NAME} "
            "doivent y figurer."
        )
    for epci in intercommunalities.values():
        total = sum(c.population for c in epci.communes)
        if total != epci.population:
            raise ReferenceDataError(
                f"{csv_name} : la population de {epci.name} ({epci.population}) n'est pas la "
                f"somme de celles de ses communes ({total})."
            )


def _valid_geometry(geometry):
    return (
        isinstance(geometry, dict)
        and geometry.get("type") in ("Polygon", "MultiPolygon")
        and isinstance(geometry.get("coordinates"), list)
        and bool(geometry["coordinates"])
    )


def read_outlines(path, expected_insee, csv_name):
    """Read the GeoJSON outlines: one geometry per expected INSEE code, no other."""
    data = read_json(path)
    geojson_name = path.name
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not features:
        raise ReferenceDataError(
            f"{geojson_name} : une collection d'entités GeoJSON (FeatureCollection) est attendue."
        )
    outlines = {}
    for position, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        insee = str((properties or {}).get("insee") or "").strip()
        if not insee:
            raise ReferenceDataError(
                f"{geojson_name} : l'entité n° {position} n'a pas de propriété « insee »."
            )
        if insee not in expected_insee:
            raise ReferenceDataError(
                f"{geojson_name} : le code INSEE {insee} n'est pas celui d'une commune du "
                f"fichier {csv_name}."
            )
        if insee in outlines:
            raise ReferenceDataError(f"{geojson_name} : le code INSEE {insee} apparaît deux fois.")
        geometry = feature.get("geometry")
        if not _valid_geometry(geometry):
            raise ReferenceDataError(
                f"{geojson_name} : la géométrie de la commune {insee} doit être un polygone."
            )
        outlines[insee] = geometry
    missing = sorted(expected_insee - set(outlines))
    if missing:
        raise ReferenceDataError(
            f"{geojson_name} : contour manquant pour {len(missing)} commune(s) : "
            f"{', '.join(missing)}."
        )
    return outlines
