"""Territory-level reference data of Grand Est Touraine: read, checked, then written idempotently.

`read_reference_files()` reads and checks the two shipped files (programme/data/) before anything
is written; `load_reference()` writes the territory, its intercommunalities and communes, the
organisations, the phases and axes, the first phase-2 COPIL and the first news item. Every write
goes through `sync()`, which saves a row only when it is new or differs from what is wanted, so a
second run changes nothing (no `updated_at` bump, no new history row).

The facts come from the project's design notes only; nothing here is invented. The caller owns the
transaction (see the `load_territory` command).
"""

import csv
import datetime
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from partners.models import Organisation

from .models import (
    AgendaItem,
    Axis,
    Commune,
    CopilMeeting,
    Decision,
    Intercommunality,
    NewsItem,
    Phase,
    Territory,
)

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

TERRITORY_SLUG = "grand-est-touraine"
FIRST_COPIL_DATE = datetime.date(2024, 1, 25)
LABELLISATION_NEWS_SLUG = "grand-est-touraine-labellise-pour-la-phase-2"

# The four communautés de communes, by SIREN. Map colours: white text reads on each (contrast
# 4.6:1 to 11:1) and each stands out on white; the four stay apart (CIE76 ΔE ≥ 17) under
# simulated protanopia, deuteranopia and tritanopia.
INTERCOMMUNALITIES = {
    "200073161": {"slug": "cc-touraine-est-vallees", "colour": "#1F3A68"},
    "243700820": {"slug": "cc-autour-de-chenonceaux-blere-val-de-cher", "colour": "#A84F00"},
    "243700499": {"slug": "cc-du-castelrenaudais", "colour": "#14807A"},
    "200043065": {"slug": "cc-du-val-d-amboise", "colour": "#A3399A"},
}

Kind = Organisation.Kind
BUSINESS_ASSOCIATION_DESCRIPTION = (
    "Association d'entreprises, membre du Territoire d'industrie Grand Est Touraine."
)

# The organisations of the programme other than the communautés de communes. A website is given only
# where the official address is certain.
ORGANISATIONS = [
    {
        "slug": "territoire-d-industrie-grand-est-touraine",
        "name": "Territoire d'industrie Grand Est Touraine",
        "acronym": "",
        "kind": Kind.OTHER,
        "description": (
            "Le programme lui-même : l'équipe projet qui anime le Territoire d'industrie pour les "
            "quatre communautés de communes et leurs partenaires."
        ),
        "website": "",
    },
    {
        "slug": "eret",
        "name": "ERET",
        "acronym": "ERET",
        "kind": Kind.BUSINESS_ASSOCIATION,
        "description": BUSINESS_ASSOCIATION_DESCRIPTION,
        "website": "",
    },
    {
        "slug": "aicr",
        "name": "Association des industriels du Castelrenaudais",
        "acronym": "AICR",
        "kind": Kind.BUSINESS_ASSOCIATION,
        "description": (
            "Association des entreprises industrielles du Castelrenaudais, membre du Territoire "
            "d'industrie Grand Est Touraine."
        ),
        "website": "",
    },
    {
        "slug": "geida",
        "name": "GEIDA",
        "acronym": "GEIDA",
        "kind": Kind.BUSINESS_ASSOCIATION,
        "description": BUSINESS_ASSOCIATION_DESCRIPTION,
        "website": "",
    },
    {
        "slug": "prefecture-d-indre-et-loire",
        "name": "Préfecture d'Indre-et-Loire",
        "acronym": "",
        "kind": Kind.STATE,
        "description": "Représentation de l'État dans le département d'Indre-et-Loire.",
        "website": "https://www.indre-et-loire.gouv.fr",
    },
    {
        "slug": "dreets-centre-val-de-loire",
        "name": (
            "Direction régionale de l'économie, de l'emploi, du travail et des solidarités "
            "Centre-Val de Loire"
        ),
        "acronym": "DREETS",
        "kind": Kind.STATE,
        "description": (
            "Service régional de l'État chargé du développement économique, de l'emploi, du "
            "travail et des solidarités."
        ),
        "website": "",
    },
    {
        "slug": "region-centre-val-de-loire",
        "name": "Région Centre-Val de Loire",
        "acronym": "",
        "kind": Kind.REGION,
        "description": (
            "Collectivité régionale compétente en développement économique et en formation "
            "professionnelle."
        ),
        "website": "https://www.centre-valdeloire.fr",
    },
    {
        "slug": "france-travail",
        "name": "France Travail",
        "acronym": "",
        "kind": Kind.EMPLOYMENT_TRAINING,
        "description": (
            "Opérateur public de l'emploi (anciennement Pôle emploi, renommé France Travail le "
            "1er janvier 2024) : accompagnement des demandeurs d'emploi et des recrutements des "
            "entreprises."
        ),
        "website": "https://www.francetravail.fr",
    },
    {
        "slug": "uimm",
        "name": "Union des industries et métiers de la métallurgie",
        "acronym": "UIMM",
        "kind": Kind.BUSINESS_ASSOCIATION,
        "description": (
            "Organisation professionnelle des entreprises de la métallurgie, engagée dans la "
            "formation aux métiers de l'industrie."
        ),
        "website": "https://www.uimm.fr",
    },
    {
        "slug": "opco-2i",
        "name": "OPCO 2i",
        "acronym": "",
        "kind": Kind.EMPLOYMENT_TRAINING,
        "description": (
            "Opérateur de compétences interindustriel : financement de l'apprentissage et de la "
            "formation dans les entreprises industrielles."
        ),
        "website": "https://www.opco2i.fr",
    },
    {
        "slug": "mission-locale",
        "name": "Mission Locale",
        "acronym": "",
        "kind": Kind.EMPLOYMENT_TRAINING,
        "description": "Accompagnement des jeunes de 16 à 25 ans vers l'emploi et la formation.",
        "website": "",
    },
    {
        "slug": "ademe",
        "name": "Agence de la transition écologique",
        "acronym": "ADEME",
        "kind": Kind.PUBLIC_OPERATOR,
        "description": (
            "Opérateur de l'État pour la transition écologique et énergétique : conseil et "
            "financement des projets des entreprises et des collectivités."
        ),
        "website": "https://www.ademe.fr",
    },
    {
        "slug": "banque-des-territoires",
        "name": "Banque des Territoires",
        "acronym": "",
        "kind": Kind.PUBLIC_OPERATOR,
        "description": (
            "Direction de la Caisse des Dépôts au service des territoires ; opérateur national "
            "du programme Territoires d'industrie."
        ),
        "website": "https://www.banquedesterritoires.fr",
    },
    {
        "slug": "bpifrance",
        "name": "Bpifrance",
        "acronym": "",
        "kind": Kind.PUBLIC_OPERATOR,
        "description": (
            "Banque publique d'investissement ; opérateur national du programme Territoires "
            "d'industrie."
        ),
        "website": "https://www.bpifrance.fr",
    },
    {
        "slug": "business-france",
        "name": "Business France",
        "acronym": "",
        "kind": Kind.PUBLIC_OPERATOR,
        "description": (
            "Agence nationale au service de l'internationalisation de l'économie française ; "
            "opérateur national du programme Territoires d'industrie."
        ),
        "website": "https://www.businessfrance.fr",
    },
]

PHASE_1_AXES = [
    (
        1,
        "phase-1-attirer",
        "Attirer",
        "#8E3B6E",
        "Rendre le territoire attractif pour les entreprises.",
    ),
    (
        2,
        "phase-1-recruter",
        "Recruter",
        "#0072B2",
        "Répondre aux besoins de recrutement des entreprises.",
    ),
    (3, "phase-1-innover", "Innover", "#00795C", "Accompagner l'innovation des entreprises."),
    (4, "phase-1-simplifier", "Simplifier", "#B45300", "Simplifier les démarches des entreprises."),
]

# Axis colours: the Okabe–Ito hues darkened so that white text reads on each (5:1 or more).
PHASE_2_AXES = [
    (
        1,
        "competences",
        "Compétences",
        "#0072B2",
        "Recruter, former et rendre l'industrie attractive : faire connaître les métiers et les "
        "entreprises industrielles du territoire, développer l'apprentissage et la formation, "
        "faciliter les recrutements.",
    ),
    (
        2,
        "innovation",
        "Innovation",
        "#8E3B6E",
        "Accompagner les entreprises industrielles dans leurs projets d'innovation et de "
        "modernisation, et favoriser les coopérations entre entreprises.",
    ),
    (
        3,
        "foncier",
        "Foncier",
        "#B45300",
        "Disposer de foncier et de locaux pour l'industrie dans le cadre de l'objectif « zéro "
        "artificialisation nette » (ZAN) : mieux connaître et mobiliser les locaux et terrains "
        "disponibles, requalifier les friches, densifier les zones d'activités.",
    ),
    (
        4,
        "transition-ecologique",
        "Transition écologique",
        "#00795C",
        "Accompagner la transition écologique et énergétique des entreprises industrielles, "
        "dont leur décarbonation.",
    ),
]


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


@dataclass
class SyncStats:
    created: int = 0
    updated: int = 0

    def count(self, outcome):
        if outcome == "created":
            self.created += 1
        elif outcome == "updated":
            self.updated += 1


@dataclass
class Reference:
    """What `load_reference` wrote, for the callers that build on it."""

    territory: Territory
    phase_1: Phase
    phase_2: Phase
    axes: dict  # slug -> Axis
    organisations: dict  # slug -> Organisation
    intercommunalities: dict  # SIREN -> Intercommunality
    first_copil: CopilMeeting
    files: ReferenceFiles
    stats: SyncStats


def _has_changed(obj, name, value):
    field_ = obj._meta.get_field(name)
    if field_.many_to_one or field_.one_to_one:
        return getattr(obj, field_.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def sync(model, lookup, values, *, history_user=None, stats=None):
    """Create the row found by `lookup`, or update it only where it differs from `values`.

    Returns the object. Unlike `update_or_create`, an unchanged row is not saved, so neither its
    `auto_now` dates nor its history move.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        outcome = "created"
    else:
        changed = [name for name, value in values.items() if _has_changed(obj, name, value)]
        if not changed:
            return obj
        for name in changed:
            setattr(obj, name, values[name])
        outcome = "updated"
    if history_user is not None:
        obj._history_user = history_user
    obj.save()
    if stats is not None:
        stats.count(outcome)
    return obj


def sync_m2m(manager, objects):
    """Set a many-to-many relation only when its members differ."""
    wanted = {obj.pk for obj in objects}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(objects)


# Reading and checking the files ---------------------------------------------------------------


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


def read_reference_files(data_dir=DATA_DIR):
    """Read and check both files; nothing is written here."""
    data_dir = Path(data_dir)
    intercommunalities = read_communes_csv(data_dir / CSV_NAME)
    expected = {c.insee for i in intercommunalities.values() for c in i.communes}
    outlines = read_outlines(data_dir / GEOJSON_NAME, expected)
    return ReferenceFiles(intercommunalities=intercommunalities, outlines=outlines)


# Writing ----------------------------------------------------------------------------------------


def french_number(number):
    """107690 -> '107 690' with a no-break space, as French typography wants."""
    return f"{number:,}".replace(",", "\u00a0")


def _territory_description(files):
    names = ", ".join(i.name for i in files.intercommunalities.values())
    return (
        "Le Territoire d'industrie **Grand Est Touraine** réunit "
        f"{len(files.intercommunalities)} communautés de communes ({names}), soit "
        f"{files.commune_count} communes et {french_number(files.population)} habitants "
        "(population municipale), en Indre-et-Loire, région Centre-Val de Loire. C'est le seul "
        "Territoire d'industrie du département.\n\n"
        "Labellisé en mars 2019 pour la première phase du programme national Territoires "
        "d'industrie (protocole signé le 23 avril 2019 à Amboise, contrat signé le 29 mars "
        "2021), il a été labellisé de nouveau le 9 novembre 2023 à Chalon-sur-Saône, avec 182 "
        "autres territoires, pour la deuxième phase (2023-2027).\n\n"
        "Les communautés de communes, les associations d'entreprises (ERET, AICR, GEIDA) et les "
        "partenaires publics y conduisent ensemble un programme de réindustrialisation en quatre "
        "axes : compétences, innovation, foncier et transition écologique."
    )


PHASE_1_DESCRIPTION = (
    "Première phase du programme national Territoires d'industrie. Grand Est Touraine a été "
    "labellisé en mars 2019 ; le protocole a été signé le 23 avril 2019 à Amboise et le contrat "
    "le 29 mars 2021.\n\n"
    "Réalisations : une plateforme de ressources humaines pour les entreprises (recrutement, "
    "formation, attractivité) et le tiers-lieu Le Rubixco à Montlouis-sur-Loire, ouvert en juin "
    "2020."
)

PHASE_2_DESCRIPTION = (
    "Deuxième phase du programme national Territoires d'industrie (2023-2027). Grand Est "
    "Touraine a été labellisé de nouveau le 9 novembre 2023 à Chalon-sur-Saône, avec 182 autres "
    "territoires (183 au total).\n\n"
    "Le plan d'actions s'organise en quatre axes : **Compétences** (recrutement, formation, "
    "attractivité), **Innovation**, **Foncier** (foncier industriel, dans le cadre de l'objectif "
    "« zéro artificialisation nette ») et **Transition écologique** (transition écologique et "
    "énergétique, décarbonation)."
)

NEWS_SUMMARY = (
    "Le 9 novembre 2023, à Chalon-sur-Saône, Grand Est Touraine a été labellisé Territoire "
    "d'industrie pour la deuxième phase du programme (2023-2027), avec 182 autres territoires."
)

NEWS_BODY = """\
Grand Est Touraine reste Territoire d'industrie. Le 9 novembre 2023, à Chalon-sur-Saône, le
territoire a été labellisé pour la deuxième phase du programme national (2023-2027), avec 182 autres
territoires, soit 183 Territoires d'industrie en France. C'est le seul d'Indre-et-Loire.

## Un territoire, quatre communautés de communes

Le Territoire d'industrie réunit la communauté de communes Touraine-Est Vallées, la communauté de
communes Autour de Chenonceaux Bléré-Val de Cher, la communauté de communes du Castelrenaudais et
la communauté de communes du Val d'Amboise : 55 communes et environ 107 700 habitants. Les
associations d'entreprises ERET, AICR et GEIDA et les partenaires publics (État, Région
Centre-Val de Loire, France Travail, ADEME…) y travaillent avec elles.

## Dans la continuité de la première phase

Labellisé une première fois en mars 2019 (protocole signé le 23 avril 2019 à Amboise, contrat
signé le 29 mars 2021), le territoire a notamment créé une plateforme de ressources humaines pour
les entreprises et ouvert en juin 2020 le tiers-lieu Le Rubixco à Montlouis-sur-Loire.

## Quatre axes pour 2023-2027

- **Compétences** : recruter, former, rendre l'industrie attractive ;
- **Innovation** ;
- **Foncier** : trouver de la place pour l'industrie dans le cadre de l'objectif « zéro
  artificialisation nette » ;
- **Transition écologique** : transition écologique et énergétique, décarbonation.

Le premier comité de pilotage de la phase 2, le 25 janvier 2024, a validé le plan d'actions 2024
et son budget. Chaque action et son avancement sont publiés sur ce portail.
"""


def load_reference(files, stats=None):
    """Write the reference data read by `read_reference_files`; returns a `Reference`."""
    stats = stats or SyncStats()

    organisations = {}
    for spec in ORGANISATIONS:
        spec = dict(spec)
        slug = spec.pop("slug")
        organisations[slug] = sync(Organisation, {"slug": slug}, spec, stats=stats)

    territory = sync(
        Territory,
        {"slug": TERRITORY_SLUG},
        {
            "name": "Grand Est Touraine",
            "department": "Indre-et-Loire (37)",
            "region": "Centre-Val de Loire",
            "description": _territory_description(files),
        },
        stats=stats,
    )

    intercommunalities = {}
    for siren, row in files.intercommunalities.items():
        known = INTERCOMMUNALITIES[siren]
        organisation = sync(
            Organisation,
            {"slug": known["slug"]},
            {
                "name": row.name,
                "acronym": "",
                "kind": Kind.INTERCOMMUNALITY,
                "description": (
                    f"Communauté de communes de {len(row.communes)} communes et "
                    f"{french_number(row.population)} habitants (population municipale), "
                    "membre du Territoire d'industrie Grand Est Touraine."
                ),
            },
            stats=stats,
        )
        organisations[known["slug"]] = organisation
        intercommunality = sync(
            Intercommunality,
            {"siren": siren},
            {
                "territory": territory,
                "name": row.name,
                "slug": known["slug"],
                "population": row.population,
                "colour": known["colour"],
                "organisation": organisation,
            },
            stats=stats,
        )
        intercommunalities[siren] = intercommunality
        for commune in row.communes:
            sync(
                Commune,
                {"insee": commune.insee},
                {
                    "intercommunality": intercommunality,
                    "name": commune.name,
                    "siren": commune.siren,
                    "population": commune.population,
                    "outline": files.outlines[commune.insee],
                },
                stats=stats,
            )

    phase_1 = sync(
        Phase,
        {"territory": territory, "number": 1},
        {
            "name": "Phase 1 (2019-2022)",
            "start_date": datetime.date(2019, 3, 1),
            "end_date": datetime.date(2022, 12, 31),
            # Labelled in March 2019; the day is not known, so no date is claimed.
            "labelled_on": None,
            "description": PHASE_1_DESCRIPTION,
        },
        stats=stats,
    )
    phase_2 = sync(
        Phase,
        {"territory": territory, "number": 2},
        {
            "name": "Phase 2 (2023-2027)",
            "start_date": datetime.date(2023, 1, 1),
            "end_date": datetime.date(2027, 12, 31),
            "labelled_on": datetime.date(2023, 11, 9),
            "description": PHASE_2_DESCRIPTION,
        },
        stats=stats,
    )

    axes = {}
    for phase, specs in ((phase_1, PHASE_1_AXES), (phase_2, PHASE_2_AXES)):
        for number, slug, name, colour, description in specs:
            axes[slug] = sync(
                Axis,
                {"slug": slug},
                {
                    "phase": phase,
                    "number": number,
                    "name": name,
                    "colour": colour,
                    "description": description,
                },
                stats=stats,
            )

    first_copil = sync(
        CopilMeeting,
        {"phase": phase_2, "date": FIRST_COPIL_DATE},
        {
            "title": "Comité de pilotage",
            "status": CopilMeeting.Status.HELD,
            "is_public": True,
            "minutes": (
                "Premier comité de pilotage de la phase 2 (2023-2027). Le comité a validé le plan "
                "d'actions 2024 et son budget."
            ),
            "minutes_public": True,
        },
        stats=stats,
    )
    agenda = [
        "Lancement de la phase 2 du Territoire d'industrie (2023-2027)",
        "Présentation du plan d'actions 2024 et de son budget",
        "Validation du plan d'actions 2024",
    ]
    for order, title in enumerate(agenda, start=1):
        sync(AgendaItem, {"meeting": first_copil, "order": order}, {"title": title}, stats=stats)
    sync(
        Decision,
        {"meeting": first_copil, "order": 1},
        {"text": "Validation du plan d'actions 2024 et de son budget."},
        stats=stats,
    )

    sync(
        NewsItem,
        {"slug": LABELLISATION_NEWS_SLUG},
        {
            "title": "Grand Est Touraine labellisé Territoire d'industrie pour la phase 2",
            "published_on": datetime.date(2024, 2, 26),
            "summary": NEWS_SUMMARY,
            "body": NEWS_BODY,
            "is_published": True,
        },
        stats=stats,
    )

    return Reference(
        territory=territory,
        phase_1=phase_1,
        phase_2=phase_2,
        axes=axes,
        organisations=organisations,
        intercommunalities=intercommunalities,
        first_copil=first_copil,
        files=files,
        stats=stats,
    )
