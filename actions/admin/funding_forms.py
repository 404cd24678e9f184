"""A funding line in the admin, at the version it was opened.

The pilot's editors enter what was spent in the partner space (`actions.funding.record_spending`)
while the staff enter the funder's decision and payment here: a save over a change made since
the page opened is refused with a French error instead of overwriting it, as the decisions'
admin does (`teritoire.versioned.SeenVersionForm`).
"""

from teritoire.versioned import SeenVersionForm

from ..models import Funding

FUNDING_CONFLICT = (
    "Cette ligne de financement a été modifiée depuis l'ouverture de la page (le réalisé a "
    "peut-être été saisi par la structure pilote) : rechargez la page, puis recommencez."
)


class FundingAdminForm(SeenVersionForm):
    version_conflict = FUNDING_CONFLICT
    saves_bump_version = True  # `Funding.save` moves it on

    class Meta:
        model = Funding
        fields = [
            "action", "year", "kind", "funder", "planned_amount", "status", "decision_date",
            "decision_reference", "granted_amount", "actual_amount", "spent_on", "spent_note",
            "paid_amount", "paid_on",
        ]  # fmt: skip


class FundingChangeForm(FundingAdminForm):
    version_from_row = True  # the line's own page (and its history revert)
