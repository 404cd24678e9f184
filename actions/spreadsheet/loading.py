"""The actions and funding lines an imported file names, read once for the whole file.

import-export's instance loader reads one action per row, and each row then read its phase, axis,
pilot, partners, communautés de communes, version and funding line, one query each: a 3,000-row
preview made some 40,000 queries and outlived the server's 30 s. `FileActions` reads every action
the file names in a few queries per 500 actions (locked until the import's transaction ends, as
the version check requires) with all the rows read; each row gets a copy of its action as the
rows before it left it. import-export's `CachedInstanceLoader` keys on one column only; an action
is found by two, its phase and its code.
"""

from copy import copy
from functools import cache

from django.db.models import prefetch_related_objects
from import_export.instance_loaders import ModelInstanceLoader

from ..models import Action, Funding

CHUNK_SIZE = 500
KEY_FIELDS = ("phase", "code")


def row_copy(action):
    """A copy of `action` that a row may change without changing `action`.

    A shallow copy is enough, and a deep copy would cost more than the rest of the row: a row
    sets the action's fields and relations, it never changes the objects they point at.
    """
    clone = copy(action)  # Model.__getstate__ copies its state and its cache of related objects
    if hasattr(action, "_prefetched_objects_cache"):
        clone._prefetched_objects_cache = dict(action._prefetched_objects_cache)
    return clone


def _chunks(items):
    items = list(items)
    for first in range(0, len(items), CHUNK_SIZE):
        yield items[first : first + CHUNK_SIZE]


@cache
def constrained_fields():
    """The attributes of an action that its model validation checks against the database (its
    unique fields and those of its constraints), or None if some check cannot be told apart."""
    meta, names = Action._meta, set()
    for field in meta.concrete_fields:
        if field.unique_for_date or field.unique_for_month or field.unique_for_year:
            return None
        names |= {field.name} if field.unique else set()
    for constraint in meta.constraints:
        if getattr(constraint, "expressions", None):
            return None
        names |= set(getattr(constraint, "fields", None) or ())
        condition = getattr(constraint, "condition", None)
        names |= condition.referenced_base_fields if condition is not None else set()
    names |= {name for together in meta.unique_together for name in together}
    return tuple(sorted(meta.get_field(name).attname for name in names))


class FileActions:
    """The existing actions of a file by (phase pk, code), and their funding lines."""

    def __init__(self, resource, dataset):
        self.actions = {}
        self.fundings = {}
        self.stored = {}  # pk: the constrained fields as the database holds them
        keys = self._keys(resource, dataset)
        for chunk in _chunks(sorted(keys)):
            self._load(chunk)

    @staticmethod
    def _keys(resource, dataset):
        fields = [resource.fields[name] for name in KEY_FIELDS]
        if dataset is None or not all(f.column_name in (dataset.headers or []) for f in fields):
            return set()
        keys = set()
        for row in dataset.dict:
            try:
                phase, code = (field.clean(row) for field in fields)
            except ValueError:
                continue  # the row gets its error from the resource
            keys.add((phase.pk, code))
        return keys

    def _load(self, keys):
        keys = set(keys)
        actions = (
            Action.objects.filter(
                phase__in={phase for phase, _ in keys}, code__in={code for _, code in keys}
            )
            .select_related("phase", "axis", "pilot")
            .prefetch_related("partners", "intercommunalities")
            .select_for_update(of=("self",))
        )
        loaded = [action for action in actions if (action.phase_id, action.code) in keys]
        for action in loaded:
            self.saved(action)
            self.stored[action.pk] = self._constrained(action)
        for funding in Funding.objects.filter(action__in=[action.pk for action in loaded]):
            self.saved_funding(funding)

    @staticmethod
    def _constrained(action):
        fields = constrained_fields()
        return None if fields is None else [getattr(action, name) for name in fields]

    def as_stored(self, action):
        """Whether the action's constrained fields are as the database holds them: its unique
        and check constraints then hold them already, and checking them again could only pass."""
        stored = self.stored.get(action.pk)
        return stored is not None and stored == self._constrained(action)

    def action(self, phase, code):
        """A copy of the action as the import left it so far, or None."""
        action = self.actions.get((phase.pk, code))
        return None if action is None else row_copy(action)

    def saved(self, action):
        """An action a row wrote: the next rows of that action start from it."""
        self.actions[(action.phase_id, action.code)] = action

    def funding(self, action, year, funder, kind):
        return self.fundings.get((_owner(action), year, funder.pk, kind))

    def saved_funding(self, funding):
        """A funding line a row wrote (or, in the preview, would write)."""
        owner = funding.action_id or _owner(funding.action)
        self.fundings[(owner, funding.year, funding.funder_id, funding.kind)] = funding


def _owner(action):
    """An action's key among the funding lines: its pk, or, for an action the preview would
    create (never saved, so without a pk), its phase and code."""
    return action.pk or ("new", action.phase_id, action.code)


class ActionLoader(ModelInstanceLoader):
    """Finds each row's action in the resource's `file_actions`, read when the import starts."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        resource.file_actions = FileActions(resource, dataset)

    def get_instance(self, row):
        phase, code = (self.resource.fields[name].clean(row) for name in KEY_FIELDS)
        return self.resource.file_actions.action(phase, code)


def listed(instance, attribute):
    """The items of the list `attribute` (partners…) as the rows so far left them."""
    cache = getattr(instance, "_prefetched_objects_cache", {})
    if attribute in cache:
        return list(cache[attribute])
    return [] if instance.pk is None else list(getattr(instance, attribute).all())


def keep_list(instance, attribute, items):
    """Give `instance` the list `items` in memory only, as a prefetch would have read it: the
    preview writes no list, and the next rows and the diff read this one."""
    model = instance._meta.get_field(attribute).related_model
    queryset = model._base_manager.filter(pk__in=[item.pk for item in items])
    queryset._result_cache, queryset._prefetch_done = list(items), True
    instance._prefetched_objects_cache = {
        **getattr(instance, "_prefetched_objects_cache", {}),
        attribute: queryset,
    }


class ReadOnce:
    """For the action resource: its `file_actions`, and list columns (partners, communautés de
    communes) written only when they change the list, read again once after writing it; the
    preview (a dry run) keeps the new list in memory and writes nothing."""

    file_actions = None  # set by ActionLoader when an import starts
    dry_run = False  # set by the resource when an import starts

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if is_m2m and field.column_name in row:
            items = field.clean(row)
            read = getattr(instance, "_prefetched_objects_cache", {}).get(field.attribute)
            if read is not None and {i.pk for i in items} == {i.pk for i in read}:
                return  # writing would change nothing, and forget the list read
            if self.dry_run:
                return keep_list(instance, field.attribute, items)
        elif is_m2m and self.dry_run:
            return  # no such column: nothing to write, the list read stays
        super().import_field(field, instance, row, is_m2m, **kwargs)
        if is_m2m:
            prefetch_related_objects([instance], field.attribute)  # for the next rows
