"""Every field of an action that leaves it, declared once.

`ACTION_FIELDS` holds one `ActionField` per attribute of the action, in the order of the open-data
files. Each says which open-data columns it gives (CSV, XLSX, JSON and the /donnees/ page, through
`actions.opendata`), its column in the import/export spreadsheet (`actions.spreadsheet`), the
`ActionSnapshot` attributes it fills when a COPIL validates the annual plan (`actions.services`),
and whether the plan's diff compares its frozen and current values (`actions.diff`). Adding a field
to any of these is one entry in that list (and, for a snapshot attribute, its column on
`ActionSnapshot`). Others import from here: `columns` holds the shapes of an entry, `action_fields`
the list, `column_sets` what each reader takes from it.

The funding lines' own columns are declared beside their writers, in `actions.opendata.exports`
and `actions.spreadsheet.resources`.
"""

from .action_fields import ACTION_FIELDS
from .column_sets import (
    COMPARED,
    OPEN_DATA_COLUMNS,
    SHEET_COLUMNS,
    SHEET_KEY,
    SNAPSHOT_VALUES,
    snapshot_values,
)
from .columns import KIND_LABELS, LIST_SEPARATOR, ActionField, Column, SheetColumn, Snapshot

__all__ = [
    "ACTION_FIELDS",
    "COMPARED",
    "KIND_LABELS",
    "LIST_SEPARATOR",
    "OPEN_DATA_COLUMNS",
    "SHEET_COLUMNS",
    "SHEET_KEY",
    "SNAPSHOT_VALUES",
    "ActionField",
    "Column",
    "SheetColumn",
    "Snapshot",
    "snapshot_values",
]
