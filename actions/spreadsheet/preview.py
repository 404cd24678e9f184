"""What the import preview shows of each row, without a deep copy of the row's action.

import-export deep-copies every row's instance to compare it afterwards (`skip_unchanged`) and
show what changes; with its related objects, that copy cost more than the rest of the row. The
resource turns import-export's copy off (`skip_diff`) and this mixin does the same work on a
shallow copy (`loading.row_copy`): a row is skipped when it changes nothing, and a row that
creates or changes something gets its diff, as import-export would show it. The preview
(templates/admin/actions/action/import.html) lists those rows and counts the unchanged ones.
"""

from import_export import widgets
from import_export.resources import Diff
from import_export.results import RowResult

from .loading import row_copy


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
                read = [] if original.pk is None else field.get_value(original).all()
                if given != sorted(item.pk for item in read):
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
        diff = Diff(self, self._row_original, row_result.import_type == RowResult.IMPORT_TYPE_NEW)
        diff.compare_with(self, self._row_instance)
        row_result.diff = diff.as_html()
