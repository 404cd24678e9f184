"""The shapes of the declaration in `actions.fields.action_fields`: the kinds of an open-data
column, an open-data `Column`, a spreadsheet `SheetColumn`, a `Snapshot` attribute, and the
`ActionField` that gathers them for one attribute of the action."""

from collections.abc import Callable
from dataclasses import dataclass, field

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
