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
from django.db.models import Max

from teritoire.versioned import StaleVersion, claim_version, stamp, write_at_version

from .models import Milestone

EDIT_FIELDS = ("title", "due_date", "done_on", "note")
DONE_FIELDS = ("done_on", "note")


class MilestoneConflict(StaleVersion):
    subject = "milestone"


def create_milestone(action, values, *, user, reason="Jalon ajouté", order=None):
    """A new milestone of `action`, last in its order unless `order` is given (the spreadsheet
    import names it). `values`: EDIT_FIELDS."""
    with transaction.atomic():
        if order is None:
            last = action.milestones.select_for_update().aggregate(last=Max("order"))["last"]
            order = (last or 0) + 1
        milestone = Milestone(action=action, order=order, **values)
        stamp(milestone, user, reason)
        milestone.save()
    return milestone


def update_milestone(pk, changes, *, expected_version, user, reason):
    """Write `changes` (of EDIT_FIELDS) to the milestone `pk` read at `expected_version`."""
    rows = Milestone.objects.select_related("action")
    return write_at_version(
        rows,
        pk,
        changes,
        fields=EDIT_FIELDS,
        expected_version=expected_version,
        user=user,
        reason=reason,
        conflict=MilestoneConflict,
    )


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
        claim_version(Milestone, pk, expected_version, MilestoneConflict)
        milestone = Milestone.objects.get(pk=pk)
        stamp(milestone, user, "Jalon supprimé dans l'espace partenaire")
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
                stamp(row, user, "Jalons réordonnés dans l'espace partenaire")
                row.save(update_fields=["order"])
    return True
