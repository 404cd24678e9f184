"""History pages in plain French: field labels, display values, whole texts.

django-simple-history's page lists raw values (`in_progress`, `None`, `True`, `2024-02-01`),
shortens long texts (« Beauc[211 chars]cale ») and reads the many-to-many rows of each record with
queries of their own. `PlainHistoryMixin` keeps its views (list, revert form) and replaces how a
change is worked out and shown: each value as the change form shows it, many-to-many fields as
what was added and removed, the page's many-to-many rows read in one query per field.

The module only knows Django and simple-history: it fits any `SimpleHistoryAdmin`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import capfirst
from simple_history.models import DeletedObject
from simple_history.utils import get_m2m_reverse_field_name

from teritoire.templatetags.portal import date_fr, number

EMPTY = "—"
# A value longer than this, or on several lines, is shown as whole blocks « avant » / « après ».
SHORT_TEXT = 60
HISTORY_TYPES = {"+": "Création", "~": "Modification", "-": "Suppression"}


@dataclass
class Change:
    label: str
    old: str = ""
    new: str = ""
    added: list = field(default_factory=list)  # many-to-many: names added and removed
    removed: list = field(default_factory=list)

    @property
    def is_relation(self):
        return bool(self.added or self.removed)

    @property
    def is_long(self):
        return any(len(text) > SHORT_TEXT or "\n" in text for text in (self.old, self.new))


def display_value(model_field, value):
    """A stored value as a reader says it: « En cours », « oui », « 1er février 2024 », « — »."""
    if value is None or value == "" or (isinstance(value, FieldFile) and not value):
        return EMPTY
    if isinstance(value, DeletedObject):
        return f"{capfirst(value.model._meta.verbose_name)} n° {value.pk} (n'existe plus)"
    if getattr(model_field, "flatchoices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        return date_fr(timezone.localtime(value), "j F Y à H:i")
    if isinstance(value, datetime.date):
        return date_fr(value)
    if isinstance(value, (Decimal, float)):
        return number(value, 2)
    if isinstance(value, FieldFile):
        return value.name.rsplit("/", 1)[-1]
    return str(value)


class PlainHistoryMixin:
    """For a `SimpleHistoryAdmin`: the history page in plain French (see the module)."""

    object_history_template = "admin/simple_history/object_history.html"
    object_history_list_template = "admin/simple_history/object_history_list.html"
    object_history_form_template = "admin/simple_history/object_history_form.html"
    # Fields left out of the changes besides those nobody edits (version, creation date…).
    history_hidden_fields = ()

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {"history_columns": self.history_column_labels(request)} | (
            extra_context or {}
        )
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """The revert form, named by the date of its version."""
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        dates = history.filter(history_id=version_id).values_list("history_date", flat=True)
        extra_context = {"historical_date": dates.first()} | (extra_context or {})
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_column_labels(self, request):
        labels = []
        for name in self.get_history_list_display(request):
            method = getattr(self, name, None)
            if callable(method):
                labels.append(capfirst(getattr(method, "short_description", name)))
            else:
                labels.append(capfirst(self.model._meta.get_field(name).verbose_name))
        return labels

    def history_fields(self):
        """The model's fields shown in a change, in the form's order."""
        hidden = set(self.history_hidden_fields)
        return [
            model_field
            for model_field in self.model._meta.get_fields()
            if model_field.concrete
            and model_field.editable
            and not model_field.primary_key
            and model_field.name not in hidden
        ]

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each record gets `plain_changes` (from the record before it) and `plain_columns`."""
        records = list(getattr(historical_records, "object_list", historical_records))
        if not records:
            return
        columns = self.get_history_list_display(request)
        for record in records:
            record.plain_columns = [self.history_column_value(record, name) for name in columns]
            record.plain_type = HISTORY_TYPES.get(record.history_type, record.history_type)
        # The record just before the page's oldest, so that one shows its changes too.
        before = records[-1].prev_record
        chain = records + ([before] if before is not None else [])
        tracked = self.tracked_history_fields(records[0])
        m2m = {
            model_field.name: self.m2m_names(chain, model_field)
            for model_field in tracked
            if model_field.many_to_many
        }
        for newer, older in zip(chain, chain[1:], strict=False):
            newer.plain_changes = [
                change
                for model_field in tracked
                if (change := self.history_change(model_field, older, newer, m2m))
            ]

    def tracked_history_fields(self, record):
        tracked = {model_field.name for model_field in record.tracked_fields}
        tracked |= {model_field.name for model_field in record._history_m2m_fields}
        return [f for f in self.history_fields() if f.name in tracked]

    def history_column_value(self, record, name):
        method = getattr(self, name, None)
        if callable(method):  # set on the record by simple-history's view
            return display_value(None, getattr(record, name))
        model_field = self.model._meta.get_field(name)
        return display_value(model_field, getattr(record, name))

    def history_change(self, model_field, older, newer, m2m):
        label = capfirst(model_field.verbose_name)
        if model_field.many_to_many:
            before = m2m[model_field.name].get(older.history_id, [])
            after = m2m[model_field.name].get(newer.history_id, [])
            added = [name for name in after if name not in before]
            removed = [name for name in before if name not in after]
            return Change(label, added=added, removed=removed) if added or removed else None
        attname = model_field.attname
        if getattr(older, attname) == getattr(newer, attname):
            return None
        old, new = (self.history_value(model_field, record) for record in (older, newer))
        return Change(label, old=old, new=new)

    def history_value(self, model_field, record):
        if model_field.is_relation:
            key = getattr(record, model_field.attname)
            if key is None:
                return EMPTY
            try:
                related = getattr(record, model_field.name)
            except model_field.related_model.DoesNotExist:
                related = None
            if related is None:
                return display_value(model_field, DeletedObject(model_field.related_model, key))
            return str(related)
        return display_value(model_field, getattr(record, model_field.attname))

    def m2m_names(self, records, model_field):
        """{history_id: [names of the related objects]} of `records`, in one query."""
        through = getattr(records[0], model_field.name).model
        target = get_m2m_reverse_field_name(model_field)
        rows = (
            through.objects.filter(history__in=[record.history_id for record in records])
            .select_related(target)
            .order_by(target, "pk")
        )
        names = {}
        for row in rows:
            related = getattr(row, target)
            if related is None:
                related = DeletedObject(model_field.related_model, getattr(row, f"{target}_id"))
            names.setdefault(row.history_id, []).append(display_value(None, related))
        return names
