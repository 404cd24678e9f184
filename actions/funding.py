"""The one write path of what the pilot spent on a funding line (réalisé).

`record_spending` is what every screen that changes a line's spent amount, its date and its note
calls (the partner space; the admin keeps its own form, for the staff, who also enter the
funder's decision and what it paid): like `actions.writes`, it takes the version the user read
and writes only if nobody saved since — a conditional `UPDATE … WHERE version = expected` that
bumps the version and, on PostgreSQL, holds the row lock until the transaction ends — then the
three fields on the row read back, and the history record with its author and reason. A stale or
missing version raises `FundingConflict` and writes nothing.
"""

from teritoire.versioned import StaleVersion, write_at_version

from .models import Funding

SPENDING_FIELDS = ("actual_amount", "spent_on", "spent_note")


class FundingConflict(StaleVersion):
    subject = "funding"


def record_spending(pk, changes, *, expected_version, user, reason):
    """Write `changes` (actual_amount, spent_on, spent_note) to the line `pk` read at
    `expected_version`; returns the saved line. Callers validate the values beforehand (the
    database's constraints hold anyway)."""
    rows = Funding.objects.select_related("action", "funder")
    return write_at_version(
        rows,
        pk,
        changes,
        fields=SPENDING_FIELDS,
        expected_version=expected_version,
        user=user,
        reason=reason,
        conflict=FundingConflict,
    )
