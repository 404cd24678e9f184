"""What each reader of `ACTION_FIELDS` needs, in the declaration's order: the open-data columns,
the spreadsheet's columns (its key first), the snapshot's attributes and the diff's compared
ones."""

from dataclasses import replace
from operator import attrgetter

from .action_fields import ACTION_FIELDS


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
