"""The one write path of milestones (jalons).

Every screen that changes a milestone outside the admin — the partner space's forms (create,
edit, mark done, delete, reorder) — calls these functions. Each runs in a transaction and records
the history with its author and reason. A change of an existing milestone takes the version the
user read and writes only if nobody saved since: a conditional `UPDATE … WHERE version = expected`
that bumps the version (and, on PostgreSQL, holds the row lock until the transaction ends), then
the changes on the row read back. A stale or missing version raises `MilestoneConflict` and
writes nothing. Callers validate the values beforehand (the forms, `Milestone.clean`).
"""

from django.db import transaction
from django.db.models import F, Max

from .models import Milestone

EDIT_FIELDS = ("title", "due_date", "done_on", "note")
DONE_FIELDS = ("done_on", "note")


class MilestoneConflict(Exception):
    """Someone saved the milestone after `expected` was read; nothing was written."""

    def __init__(self, pk, expected):
        self.pk = pk
        self.expected = expected
        super().__init__(f"milestone {pk}: version {expected} is no longer the current one")


def _stamp(milestone, user, reason):
    if user is not None and user.is_authenticated:
        milestone._history_user = user
    milestone._change_reason = reason


def create_milestone(action, values, *, user, reason="Jalon ajouté", order=None):
    """A new milestone of `action`, last in its order unless `order` is given (the spreadsheet
    import names it). `values`: EDIT_FIELDS."""
    with transaction.atomic():
        if order is None:
            last = action.milestones.select_for_update().aggregate(last=Max("order"))["last"]
            order = (last or 0) + 1
        milestone = Milestone(action=action, order=order, **values)
        _stamp(milestone, user, reason)
        milestone.save()
    return milestone


def _bump(pk, expected_version):
    if expected_version is None:
        raise MilestoneConflict(pk, expected_version)
    bumped = Milestone.objects.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not bumped:
        raise MilestoneConflict(pk, expected_version)


def update_milestone(pk, changes, *, expected_version, user, reason):
    """Write `changes` (of EDIT_FIELDS) to the milestone `pk` read at `expected_version`."""
    unknown = set(changes) - set(EDIT_FIELDS)
    if unknown:
        raise ValueError(f"not a milestone field: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        _bump(pk, expected_version)
        milestone = Milestone.objects.select_related("action").get(pk=pk)
        for name, value in changes.items():
            setattr(milestone, name, value)
        _stamp(milestone, user, reason)
        milestone.save()
    return milestone


def mark_done(pk, *, done_on, note, expected_version, user):
    """A contributor marks the milestone reached on `done_on`, with a note."""
    return update_milestone(
        pk,
        {"done_on": done_on, "note": note},
        expected_version=expected_version,
        user=user,
        reason="Jalon marqué atteint dans l'espace partenaire",
    )


def delete_milestone(pk, *, expected_version, user):
    """Delete the milestone read at `expected_version` (its deletion stays in the history)."""
    with transaction.atomic():
        _bump(pk, expected_version)
        milestone = Milestone.objects.get(pk=pk)
        _stamp(milestone, user, "Jalon supprimé dans l'espace partenaire")
        milestone.delete()
    return milestone


def move_milestone(milestone, offset, *, user):
    """Move `milestone` one place up (-1) or down (+1) among its action's milestones; every
    milestone is renumbered 1, 2, 3… in the new order. Returns whether anything moved."""
    with transaction.atomic():
        rows = list(
            Milestone.objects.select_for_update().filter(action_id=milestone.action_id).in_order()
        )
        index = next((i for i, row in enumerate(rows) if row.pk == milestone.pk), None)
        target = None if index is None else index + offset
        if target is None or not 0 <= target < len(rows):
            return False
        rows[index], rows[target] = rows[target], rows[index]
        for order, row in enumerate(rows, start=1):
            if row.order != order:
                row.order = order
                _stamp(row, user, "Jalons réordonnés dans l'espace partenaire")
                row.save(update_fields=["order"])
    return True
