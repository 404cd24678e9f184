"""Who uploaded a document, who wrote a note or a measurement: filled in from the request."""

from pathlib import Path

from ..models import Document, Measurement, ProgressUpdate


def stamp_related(request, obj):
    """Fill in the uploader or the author the staff member left empty: the staff member."""
    if isinstance(obj, Document):
        if not obj.uploaded_by_id:
            obj.uploaded_by = request.user
        if obj.file and not obj.original_name:
            obj.original_name = Path(obj.file.name).name[:255]
    if isinstance(obj, ProgressUpdate | Measurement) and not obj.author_id:
        obj.author = request.user


class StampInlinesMixin:
    """An admin page whose inline rows are saved with `stamp_related`."""

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            stamp_related(request, obj)
            obj.save()
        formset.save_m2m()
