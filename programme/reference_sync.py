"""Writing reference rows without ever undoing a user's edit.

`sync()` creates a row, or updates only the fields whose reference value changed since the last
load and that nobody edited since: a `ReferenceFingerprint` keeps a digest of what was loaded in
each field. `sync_m2m()` does the same for a many-to-many relation. `SyncStats` counts what was
written and names what was kept. Used by `programme.reference` and `actions.achievements`.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.db import models

from .models import ReferenceFingerprint


@dataclass
class SyncStats:
    created: int = 0
    updated: int = 0
    kept: list = field(default_factory=list)  # "commune « Amboise (37003) » (population…)"

    def count(self, outcome):
        if outcome == "created":
            self.created += 1
        elif outcome == "updated":
            self.updated += 1

    def keep(self, obj, names):
        """A row a user edited since the last load, left as it is."""
        meta = obj._meta
        labels = [str(meta.get_field(name).verbose_name) for name in names]
        self.kept.append(f"{meta.verbose_name} «\u00a0{obj}\u00a0» ({', '.join(labels)})")


def _digest(value):
    """A short digest of a field's value (a related row counts by its primary key)."""
    if isinstance(value, models.Model):
        value = value.pk
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _current(obj, name):
    field_ = obj._meta.get_field(name)
    return getattr(obj, field_.attname if field_.is_relation else name)


def _fingerprint(obj):
    found = ReferenceFingerprint.objects.filter(model=obj._meta.label_lower, object_id=obj.pk)
    return found.first() or ReferenceFingerprint(model=obj._meta.label_lower, object_id=obj.pk)


def _remember(fingerprint, wanted):
    """Record what the reference file says now; written only when it differs."""
    if fingerprint.pk is None or fingerprint.digests != {**fingerprint.digests, **wanted}:
        fingerprint.digests = {**fingerprint.digests, **wanted}
        fingerprint.save()


def _triage(current, loaded, wanted):
    """`write` when the file changed and the value is as last loaded; `keep` when a user changed
    it (or it predates the fingerprints); None when nothing is to be done."""
    if current == wanted or loaded == wanted:
        return None  # up to date, or the file did not change there: a user's value stands
    return "write" if current == loaded else "keep"


def sync(model, lookup, values, *, history_user=None, stats=None):
    """Create the row found by `lookup`, or update the fields whose reference value changed since
    the last load and that nobody edited since (`ReferenceFingerprint`); report the others.

    Returns the object. An unchanged row is not saved, so neither its `auto_now` dates nor its
    history move.
    """
    stats = stats if stats is not None else SyncStats()
    wanted = {name: _digest(value) for name, value in values.items()}
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj, changed, kept, fingerprint = model(**lookup, **values), list(values), [], None
    else:
        fingerprint = _fingerprint(obj)
        outcomes = {
            name: _triage(_digest(_current(obj, name)), fingerprint.digests.get(name), digest)
            for name, digest in wanted.items()
        }
        changed = [name for name, outcome in outcomes.items() if outcome == "write"]
        kept = [name for name, outcome in outcomes.items() if outcome == "keep"]
        for name in changed:
            setattr(obj, name, values[name])
    if changed:
        if history_user is not None:
            obj._history_user = history_user
        obj.save()
        stats.count("created" if fingerprint is None else "updated")
    if kept:
        stats.keep(obj, kept)
    _remember(fingerprint or _fingerprint(obj), wanted)
    return obj


def sync_m2m(manager, objects, stats=None):
    """Set a many-to-many relation as `sync` sets a field: only where the reference changed and
    nobody edited the relation since."""
    name = f"m2m:{manager.prefetch_cache_name}"
    wanted = _digest(sorted(obj.pk for obj in objects))
    current = _digest(sorted(manager.values_list("pk", flat=True)))
    fingerprint = _fingerprint(manager.instance)
    outcome = _triage(current, fingerprint.digests.get(name, current), wanted)
    if outcome == "write":
        manager.set(objects)
    elif outcome == "keep" and stats is not None:
        stats.keep(manager.instance, [manager.prefetch_cache_name])
    _remember(fingerprint, {name: wanted})
