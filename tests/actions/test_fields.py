"""The declaration of an action's exported fields (actions.fields) holds together."""

from dataclasses import fields as dataclass_fields

from actions.diff import Current, Frozen
from actions.fields import (
    ACTION_FIELDS,
    COMPARED,
    KIND_LABELS,
    OPEN_DATA_COLUMNS,
    SHEET_COLUMNS,
    SNAPSHOT_VALUES,
)
from actions.models import Action, ActionSnapshot
from actions.spreadsheet.resources import COLUMNS, WIDGETS, ActionResource


def test_each_attribute_is_declared_once():
    attributes = [field.attribute for field in ACTION_FIELDS]
    assert len(attributes) == len(set(attributes))
    names = [column.name for column in OPEN_DATA_COLUMNS]
    assert len(names) == len(set(names))
    assert {column.kind for column in OPEN_DATA_COLUMNS} <= set(KIND_LABELS)
    assert all(column.read for column in OPEN_DATA_COLUMNS)


def test_the_sheet_reads_its_action_columns_from_the_declaration():
    assert [attribute for attribute, _, _ in COLUMNS][: len(SHEET_COLUMNS)] == list(SHEET_COLUMNS)
    assert {column.widget for column in SHEET_COLUMNS.values()} <= set(WIDGETS)
    resource = ActionResource()
    for attribute, column in SHEET_COLUMNS.items():
        assert resource.fields[attribute].column_name == column.header
        Action._meta.get_field(attribute)  # a model field the import can write


def test_the_snapshot_freezes_declared_attributes_only():
    frozen = {value.name for value in SNAPSHOT_VALUES}
    own = {f.name for f in ActionSnapshot._meta.fields}
    assert frozen <= own
    # is_public: whether the public could see the action when frozen (set by the validation).
    assert own - frozen == {
        "id",
        "plan",
        "action",
        "planned_total",
        "budget_by_funder",
        # the year's funding follow-through, summed from the lines like planned_total
        "granted_total",
        "spent_total",
        "paid_total",
        "is_public",
    }


def test_compared_attributes_are_frozen_under_their_own_name():
    frozen = {value.name for value in SNAPSHOT_VALUES}
    assert COMPARED and set(COMPARED) <= frozen
    for record in (Frozen, Current):
        assert set(COMPARED) <= {f.name for f in dataclass_fields(record)}
