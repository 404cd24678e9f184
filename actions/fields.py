"""Every field of an action that leaves it, declared once.

`ACTION_FIELDS` holds one `ActionField` per attribute of the action, in the order of the open-data
files. Each says which open-data columns it gives (CSV, XLSX, JSON and the /donnees/ page, through
`actions.opendata`), its column in the import/export spreadsheet (`actions.spreadsheet`), the
`ActionSnapshot` attributes it fills when a COPIL validates the annual plan (`actions.services`),
and whether the plan's diff compares its frozen and current values (`actions.diff`). Adding a field
to any of these is one entry here (and, for a snapshot attribute, its column on `ActionSnapshot`).

The funding lines' own columns are declared beside their writers, in `actions.opendata.exports`
and `actions.spreadsheet.resources`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from operator import attrgetter

LIST_SEPARATOR = " | "

KIND_LABELS = {
    "text": "texte",
    "list": f"liste (valeurs séparées par « {LIST_SEPARATOR.strip()} »)",
    "integer": "nombre entier",
    "decimal": "nombre décimal, point comme séparateur",
    "date": "date ISO 8601 (AAAA-MM-JJ)",
    "datetime": "date et heure ISO 8601",
    "url": "adresse web",
}


@dataclass(frozen=True)
class Column:
    """A column of the open-data files; `read(obj)` gives its value (a list for kind "list").

    A "url" column reads a path, which the exports make absolute with the portal's address.
    """

    name: str
    kind: str  # one of KIND_LABELS
    description: str
    example: str = ""
    read: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class SheetColumn:
    """A column of the import/export spreadsheet: its header, the help shown in the template."""

    header: str
    help_text: str
    widget: str  # a key of actions.spreadsheet.resources.WIDGETS
    keep_when_empty: bool = False  # an empty cell keeps the current value (or the default)


@dataclass(frozen=True)
class Snapshot:
    """An ActionSnapshot attribute, frozen from the action by `read` when the plan is validated."""

    name: str
    read: Callable | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ActionField:
    """One attribute of the action; a reader left empty reads that attribute as it is.

    A compared attribute is frozen under its own name, and `actions.diff.Frozen` and `Current`
    carry it.
    """

    attribute: str
    columns: tuple[Column, ...] = ()
    sheet: SheetColumn | None = None
    snapshot: tuple[Snapshot, ...] = ()
    compared: bool = False  # the plan's diff compares the frozen value with the current one


def _names(relation, attribute):
    return lambda action: [getattr(item, attribute) for item in getattr(action, relation).all()]


def planned_total(action):
    return sum((f.planned_amount for f in action.fundings.all()), Decimal("0.00"))


def actual_total(action):
    """The sum of the actual amounts known so far; None while none is."""
    actuals = [f.actual_amount for f in action.fundings.all() if f.actual_amount is not None]
    return sum(actuals, Decimal("0.00")) if actuals else None


ACTION_FIELDS = [
    ActionField(
        "code",
        columns=(Column("code", "text", "Code de la fiche action, unique dans une phase.", "1.1"),),
        sheet=SheetColumn(
            "Code",
            "Code de la fiche action, par exemple 2.3. Obligatoire. Avec la phase, il identifie "
            "la fiche : un code existant met la fiche à jour.",
            "text",
        ),
        snapshot=(Snapshot("code"),),
    ),
    ActionField("code_sort", snapshot=(Snapshot("code_sort"),)),
    ActionField(
        "slug",
        columns=(
            Column(
                "slug",
                "text",
                "Identifiant stable de la fiche, unique sur tout le portail ; c'est aussi la fin "
                "de son adresse.",
                "tiers-lieu-le-rubixco",
            ),
        ),
    ),
    ActionField(
        "phase",
        columns=(
            Column(
                "phase",
                "integer",
                "Numéro de la phase du programme.",
                "2",
                read=attrgetter("phase.number"),
            ),
        ),
        sheet=SheetColumn(
            "Phase",
            "Numéro de la phase (2 pour 2023-2027). Vide : la phase la plus récente.",
            "phase",
        ),
    ),
    ActionField(
        "axis",
        columns=(
            Column(
                "axe_numero",
                "integer",
                "Numéro de l'axe dans la phase.",
                "1",
                read=attrgetter("axis.number"),
            ),
            Column("axe", "text", "Nom de l'axe.", "Compétences", read=attrgetter("axis.name")),
        ),
        sheet=SheetColumn(
            "Axe", "Numéro de l'axe (1, 2…), « Axe 1 » ou son nom (Compétences…).", "axis"
        ),
        snapshot=(
            Snapshot("axis_number", attrgetter("axis.number")),
            Snapshot("axis_name", attrgetter("axis.name")),
        ),
    ),
    ActionField(
        "title",
        columns=(Column("intitule", "text", "Intitulé de l'action."),),
        sheet=SheetColumn("Intitulé", "Titre de la fiche action. Obligatoire.", "text"),
        snapshot=(Snapshot("title"),),
    ),
    ActionField(
        "summary",
        columns=(Column("resume", "text", "Résumé en quelques lignes."),),
        sheet=SheetColumn("Résumé", "Quelques lignes de présentation.", "text"),
    ),
    ActionField(
        "status",
        columns=(
            Column(
                "statut",
                "text",
                "Code du statut : planned, in_progress, done, paused, blocked ou abandoned.",
                "in_progress",
            ),
            Column(
                "statut_libelle",
                "text",
                "Statut en clair : À venir, En cours, Réalisée, En pause, Bloquée ou Abandonnée.",
                "En cours",
                read=lambda action: action.get_status_display(),
            ),
        ),
        sheet=SheetColumn(
            "Statut",
            "À venir, En cours, Réalisée, En pause, Bloquée ou Abandonnée.",
            "status",
            keep_when_empty=True,
        ),
        snapshot=(Snapshot("status"),),
        compared=True,
    ),
    ActionField(
        "priority",
        columns=(
            Column("priorite", "text", "Code de la priorité : high, medium ou low.", "high"),
            Column(
                "priorite_libelle",
                "text",
                "Priorité en clair : Élevée, Moyenne ou Basse.",
                "Élevée",
                read=lambda action: action.get_priority_display(),
            ),
        ),
        sheet=SheetColumn(
            "Priorité", "Élevée, Moyenne ou Basse.", "priority", keep_when_empty=True
        ),
    ),
    ActionField(
        "pilot",
        columns=(
            Column(
                "pilote",
                "text",
                "Nom de l'organisation qui pilote l'action.",
                read=attrgetter("pilot.name"),
            ),
            Column(
                "pilote_slug",
                "text",
                "Identifiant stable de l'organisation pilote.",
                read=attrgetter("pilot.slug"),
            ),
        ),
        sheet=SheetColumn("Pilote", "Sigle ou nom de l'organisation pilote. Obligatoire.", "pilot"),
        snapshot=(Snapshot("pilot_name", lambda action: str(action.pilot)),),
    ),
    ActionField(
        "partners",
        columns=(
            Column(
                "partenaires",
                "list",
                "Noms des organisations partenaires.",
                read=_names("partners", "name"),
            ),
            Column(
                "partenaires_slugs",
                "list",
                "Identifiants stables des organisations partenaires.",
                read=_names("partners", "slug"),
            ),
        ),
        sheet=SheetColumn(
            "Partenaires",
            "Sigles ou noms des organisations partenaires, séparés par « ; ».",
            "organisations",
        ),
    ),
    ActionField(
        "intercommunalities",
        columns=(
            Column(
                "communautes_de_communes",
                "list",
                "Communautés de communes concernées par l'action.",
                read=_names("intercommunalities", "name"),
            ),
            Column(
                "communautes_de_communes_siren",
                "list",
                "Numéros SIREN de ces communautés de communes, dans le même ordre.",
                "200073161",
                read=_names("intercommunalities", "siren"),
            ),
        ),
        sheet=SheetColumn(
            "Communautés de communes",
            "Noms des communautés de communes concernées, séparés par « ; ».",
            "intercommunalities",
        ),
    ),
    ActionField(
        "start_date",
        columns=(
            Column(
                "date_debut", "date", "Date de début (AAAA-MM-JJ), vide si non fixée.", "2024-01-01"
            ),
        ),
        sheet=SheetColumn("Date de début", "JJ/MM/AAAA.", "date"),
    ),
    ActionField(
        "end_date",
        columns=(
            Column(
                "date_fin",
                "date",
                "Date de fin prévue (AAAA-MM-JJ), vide si non fixée.",
                "2026-12-31",
            ),
        ),
        sheet=SheetColumn("Date de fin", "JJ/MM/AAAA, après la date de début.", "date"),
    ),
    ActionField(
        "progress",
        columns=(Column("avancement", "integer", "Avancement en pourcentage, de 0 à 100.", "40"),),
        sheet=SheetColumn(
            "Avancement (%)", "Nombre entier de 0 à 100.", "percent", keep_when_empty=True
        ),
    ),
    ActionField(
        "is_public",
        sheet=SheetColumn(
            "Publique",
            "oui ou non : la fiche est visible sur le site public.",
            "yes_no",
            keep_when_empty=True,
        ),
    ),
    ActionField(
        "is_archived",
        sheet=SheetColumn("Archivée", "oui ou non.", "yes_no", keep_when_empty=True),
    ),
    ActionField(
        "fundings",
        columns=(
            Column(
                "budget_prevu_total",
                "decimal",
                "Somme des montants prévus de tous les financements, toutes années, en euros.",
                "125000.00",
                read=planned_total,
            ),
            Column(
                "budget_realise_total",
                "decimal",
                "Somme des montants réalisés connus, en euros ; vide si aucun n'est encore connu.",
                "48000.00",
                read=actual_total,
            ),
        ),
    ),
    ActionField(
        "updated_at",
        columns=(
            Column(
                "modifiee_le",
                "datetime",
                "Date et heure de la dernière modification de la fiche (ISO 8601 avec fuseau).",
                "2024-06-01T10:30:00+02:00",
            ),
        ),
    ),
    ActionField(
        "get_absolute_url",
        columns=(
            Column(
                "url",
                "url",
                "Adresse de la fiche action sur le portail.",
                read=lambda action: action.get_absolute_url(),
            ),
        ),
    ),
    ActionField(
        "is_demo",
        columns=(
            Column(
                "demonstration",
                "text",
                "oui si la fiche est une donnée de démonstration (fictive, chargée pour essayer "
                "le portail), non sinon.",
                "non",
                read=lambda action: "oui" if action.is_demo else "non",
            ),
        ),
    ),
]


def _with_reader(item, attribute):
    return item if item.read else replace(item, read=attrgetter(attribute))


# The spreadsheet opens with the columns that identify a fiche on import: its phase, its code.
SHEET_KEY = ("phase", "code")

# What each reader of the declaration needs, in the declaration's order (the sheet's key first).
OPEN_DATA_COLUMNS = [_with_reader(c, f.attribute) for f in ACTION_FIELDS for c in f.columns]
_sheet = {f.attribute: f.sheet for f in ACTION_FIELDS if f.sheet}
SHEET_COLUMNS = {attribute: _sheet[attribute] for attribute in SHEET_KEY} | _sheet
SNAPSHOT_VALUES = [_with_reader(s, f.attribute) for f in ACTION_FIELDS for s in f.snapshot]
COMPARED = [f.attribute for f in ACTION_FIELDS if f.compared]


def snapshot_values(action):
    """The ActionSnapshot attributes frozen from `action`, as keyword arguments."""
    return {value.name: value.read(action) for value in SNAPSHOT_VALUES}
