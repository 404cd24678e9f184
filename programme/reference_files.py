"""Reading and checking the two data files of the territory (shipped in programme/data/).

`grand-est-touraine-communes.csv` lists the four communautés de communes and their 55 communes,
`grand-est-touraine-communes.geojson` their outlines; their provenance is in `data/SOURCES.md`.
Nothing is written here: a missing or malformed file raises `ReferenceDataError`, with a message
in French for the user, before anything is written (see `programme.reference`).
"""

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CSV_NAME = "grand-est-touraine-communes.csv"
GEOJSON_NAME = "grand-est-touraine-communes.geojson"
CSV_COLUMNS = (
    "epci_siren",
    "epci_name",
    "epci_population_municipale",
    "insee",
    "commune_siren",
    "commune",
    "population_municipale",
)
EXPECTED_COMMUNES = 55

SIREN_RE = re.compile(r"^\d{9}\Z")
INSEE_RE = re.compile(r"^(\d{2}|2[AB])\d{3}\Z")

# The four communautés de communes, by SIREN. Map colours: white text reads on each (contrast
# 4.6:1 to 11:1) and each stands out on white; the four stay apart (CIE76 ΔE ≥ 17) under
# simulated protanopia, deuteranopia and tritanopia.
INTERCOMMUNALITIES = {
    "200073161": {"slug": "cc-touraine-est-vallees", "colour": "#1F3A68"},
    "243700820": {"slug": "cc-autour-de-chenonceaux-blere-val-de-cher", "colour": "#A84F00"},
    "243700499": {"slug": "cc-du-castelrenaudais", "colour": "#14807A"},
    "200043065": {"slug": "cc-du-val-d-amboise", "colour": "#A3399A"},
}


class ReferenceDataError(Exception):
    """A data file is missing or malformed; the message is in French, for the user."""


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
    intercommunalities: dict  # SIREN -> IntercommunalityRow, in file order
    outlines: dict  # INSEE -> GeoJSON geometry dict

    @property
    def commune_count(self):
        return sum(len(i.communes) for i in self.intercommunalities.values())

    @property
    def population(self):
        return sum(c.population for i in self.intercommunalities.values() for c in i.communes)


def _parse_int(value, what, line):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ReferenceDataError(
            f"{CSV_NAME}, ligne {line} : {what} « {value} » n'est pas un nombre entier."
        ) from None
    if number < 0:
        raise ReferenceDataError(f"{CSV_NAME}, ligne {line} : {what} ne peut pas être négative.")
    return number


def read_communes_csv(path):
    """Read the CSV of intercommunalities and communes; raise ReferenceDataError when malformed."""
    if not path.is_file():
        raise ReferenceDataError(f"Fichier introuvable : {path}.")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [name for name in CSV_COLUMNS if name not in columns]
            if missing:
                raise ReferenceDataError(
                    f"{CSV_NAME} : colonne(s) manquante(s) : {', '.join(missing)}."
                )
            rows = list(reader)
    except UnicodeDecodeError:
        raise ReferenceDataError(f"{CSV_NAME} : le fichier n'est pas encodé en UTF-8.") from None
    except csv.Error as error:
        raise ReferenceDataError(f"{CSV_NAME} : fichier CSV illisible ({error}).") from None

    intercommunalities = {}
    seen_insee, seen_siren = set(), set()
    for line, row in enumerate(rows, start=2):
        values = {name: (row.get(name) or "").strip() for name in CSV_COLUMNS}
        for name in CSV_COLUMNS:
            if not values[name]:
                raise ReferenceDataError(f"{CSV_NAME}, ligne {line} : la colonne {name} est vide.")
        epci_siren, commune_siren, insee = (
            values["epci_siren"],
            values["commune_siren"],
            values["insee"],
        )
        for siren in (epci_siren, commune_siren):
            if not SIREN_RE.match(siren):
                raise ReferenceDataError(
                    f"{CSV_NAME}, ligne {line} : le SIREN « {siren} » doit comporter "
                    "exactement 9 chiffres."
                )
        if not INSEE_RE.match(insee):
            raise ReferenceDataError(
                f"{CSV_NAME}, ligne {line} : le code INSEE « {insee} » n'est pas valide."
            )
        if epci_siren not in INTERCOMMUNALITIES:
            raise ReferenceDataError(
                f"{CSV_NAME}, ligne {line} : le SIREN {epci_siren} n'est pas celui d'une des "
                "quatre communautés de communes du territoire."
            )
        if insee in seen_insee:
            raise ReferenceDataError(
                f"{CSV_NAME}, ligne {line} : le code INSEE {insee} apparaît deux fois."
            )
        if commune_siren in seen_siren:
            raise ReferenceDataError(
                f"{CSV_NAME}, ligne {line} : le SIREN {commune_siren} apparaît deux fois."
            )
        seen_insee.add(insee)
        seen_siren.add(commune_siren)
        epci_population = _parse_int(
            values["epci_population_municipale"], "la population de l'EPCI", line
        )
        epci = intercommunalities.setdefault(
            epci_siren,
            IntercommunalityRow(epci_siren, values["epci_name"], epci_population),
        )
        if (epci.name, epci.population) != (values["epci_name"], epci_population):
            raise ReferenceDataError(
                f"{CSV_NAME}, ligne {line} : nom ou population de la communauté de communes "
                f"{epci_siren} différents des lignes précédentes."
            )
        epci.communes.append(
            CommuneRow(
                insee=insee,
                siren=commune_siren,
                name=values["commune"],
                population=_parse_int(
                    values["population_municipale"], "la population de la commune", line
                ),
            )
        )

    if len(rows) != EXPECTED_COMMUNES:
        raise ReferenceDataError(
            f"{CSV_NAME} : {len(rows)} communes trouvées, {EXPECTED_COMMUNES} attendues."
        )
    if set(intercommunalities) != set(INTERCOMMUNALITIES):
        raise ReferenceDataError(
            f"{CSV_NAME} : les quatre communautés de communes du territoire doivent y figurer."
        )
    for epci in intercommunalities.values():
        total = sum(c.population for c in epci.communes)
        if total != epci.population:
            raise ReferenceDataError(
                f"{CSV_NAME} : la population de {epci.name} ({epci.population}) n'est pas la "
                f"somme de celles de ses communes ({total})."
            )
    return intercommunalities


def _valid_geometry(geometry):
    return (
        isinstance(geometry, dict)
        and geometry.get("type") in ("Polygon", "MultiPolygon")
        and isinstance(geometry.get("coordinates"), list)
        and bool(geometry["coordinates"])
    )


def read_outlines(path, expected_insee):
    """Read the GeoJSON outlines: one geometry per expected INSEE code, no other."""
    if not path.is_file():
        raise ReferenceDataError(f"Fichier introuvable : {path}.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ReferenceDataError(
            f"{GEOJSON_NAME} : le fichier n'est pas encodé en UTF-8."
        ) from None
    except json.JSONDecodeError as error:
        raise ReferenceDataError(
            f"{GEOJSON_NAME} : JSON invalide (ligne {error.lineno}, colonne {error.colno})."
        ) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not features:
        raise ReferenceDataError(
            f"{GEOJSON_NAME} : une collection d'entités GeoJSON (FeatureCollection) est attendue."
        )
    outlines = {}
    for position, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        insee = str((properties or {}).get("insee") or "").strip()
        if not insee:
            raise ReferenceDataError(
                f"{GEOJSON_NAME} : l'entité n° {position} n'a pas de propriété « insee »."
            )
        if insee not in expected_insee:
            raise ReferenceDataError(
                f"{GEOJSON_NAME} : le code INSEE {insee} n'est pas celui d'une commune du "
                f"fichier {CSV_NAME}."
            )
        if insee in outlines:
            raise ReferenceDataError(f"{GEOJSON_NAME} : le code INSEE {insee} apparaît deux fois.")
        geometry = feature.get("geometry")
        if not _valid_geometry(geometry):
            raise ReferenceDataError(
                f"{GEOJSON_NAME} : la géométrie de la commune {insee} doit être un polygone."
            )
        outlines[insee] = geometry
    missing = sorted(expected_insee - set(outlines))
    if missing:
        raise ReferenceDataError(
            f"{GEOJSON_NAME} : contour manquant pour {len(missing)} commune(s) : "
            f"{', '.join(missing)}."
        )
    return outlines
