"""What the import preview shows of each row, without a deep copy of the row's action, and
without writing anything (`WritesNothing`, at the end).

import-export deep-copies every row's instance to compare it afterwards (`skip_unchanged`) and
show what changes; with its related objects, that copy cost more than the rest of the row. The
resource turns import-export's copy off (`skip_diff`) and this mixin does the same work on a
shallow copy (`loading.row_copy`): a row is skipped when it changes nothing, and a row that
creates or changes something gets its diff, as import-export would show it. The preview
(templates/admin/actions/action/import.html) lists those rows and counts the unchanged ones.
"""

from django.db import transaction
from import_export import widgets
from import_export.resources import Diff
from import_export.results import RowResult

from .loading import listed, row_copy


class Items:
    """What a list widget renders (`value.all()`): the list as the rows so far left it."""

    def __init__(self, items):
        self.items = items

    def all(self):
        return self.items


class PreviewDiff(Diff):
    """import-export's diff, its lists read from memory: in the preview (a dry run) a row's
    action is never saved, and an action the file creates has no pk to read a list by."""

    def __init__(self, resource, instance, new):
        self.left, self.right, self.new = self.read(resource, instance), [], new

    def compare_with(self, resource, instance):
        self.right = self.read(resource, instance)

    @staticmethod
    def read(resource, instance):
        return [
            field.widget.render(Items(listed(instance, field.attribute)))
            if isinstance(field.widget, widgets.ManyToManyWidget)
            else field.export(instance)
            for field in resource.get_import_fields()
        ]


class RowDiffs:
    """For a resource whose Meta sets `skip_diff = True` and `skip_unchanged = True`."""

    _row_original = _row_instance = None

    def import_instance(self, instance, row, **kwargs):
        self._row_original = row_copy(instance)  # as it was before the row's cells
        self._row_instance = instance
        return super().import_instance(instance, row, **kwargs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row that changes nothing (import-export's own test, on our copy)."""
        original = self._row_original
        if import_validation_errors:
            return False
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget):
                if field.column_name not in row:
                    continue
                given = sorted(item.pk for item in field.clean(row))
                if given != sorted(item.pk for item in listed(original, field.attribute)):
                    return False
            elif field.get_value(instance) != field.get_value(original):
                return False
        return True

    def after_import_row(self, row, row_result, **kwargs):
        """The diff of a row that creates or changes something, and its number.

        An unchanged row has no diff: the preview counts those rows, it does not list them.
        """
        super().after_import_row(row, row_result, **kwargs)
        row_result.number = kwargs.get("row_number")
        if row_result.import_type not in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
            return
        new = row_result.import_type == RowResult.IMPORT_TYPE_NEW
        diff = PreviewDiff(self, self._row_original, new)
        diff.compare_with(self, self._row_instance)
        row_result.diff = diff.as_html()


class WritesNothing:
    """For the action resource: its preview (import-export's dry run) writes nothing.

    Each row changes its action, lists and funding line in memory only (`actions.spreadsheet.
    resources`, `loading.ReadOnce`): no history, no version, no funding line is written and
    rolled back, and import-export's savepoint around each row (two statements a row, there
    to undo a failed row's writes) has nothing to undo. The preview still runs in one
    transaction, rolled back, so that it holds the row locks of `loading.FileActions` as the
    confirmation does and could never leave a write behind.
    """

    def import_data(self, dataset, dry_run=False, **kwargs):
        self.dry_run = dry_run
        if not dry_run:
            return super().import_data(dataset, dry_run, **kwargs)
        raise_errors = kwargs.pop("raise_errors", False)
        collect_failed_rows = kwargs.pop("collect_failed_rows", False)
        for rolled_back_anyway in ("use_transactions", "rollback_on_validation_errors"):
            kwargs.pop(rolled_back_anyway, None)
        using = self.get_db_connection_name()
        with transaction.atomic(using=using):
            # using_transactions=False: no savepoint per row, and import-export saves nothing
            result = self.import_data_inner(
                dataset, True, raise_errors, False, collect_failed_rows, **kwargs
            )
            transaction.set_rollback(True, using=using)
        return result

    def db_checks(self, instance, validate_unique):
        """Which of the model validation's database checks the row needs (`full_clean`
        arguments): in the preview, none for an action whose unique and constrained fields are
        as the database holds them (`FileActions.as_stored`): a query and, for each check
        constraint, a savepoint, that could only pass. The confirmation checks everything."""
        if self.dry_run and self.file_actions.as_stored(instance):
            return {"validate_unique": False, "validate_constraints": False}
        return {"validate_unique": validate_unique}

    def save_m2m(self, instance, row, **kwargs):
        """import-export skips the lists in such a dry run; the rows read them in memory."""
        if not kwargs.get("dry_run"):
            return super().save_m2m(instance, row, **kwargs)
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget):
                self.import_field(field, instance, row, is_m2m=True)
