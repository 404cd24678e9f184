"""A funding line in the admin, at the version it was opened.

The pilot's editors enter what was spent in the partner space (`actions.funding.record_spending`)
while the staff enter the funder's decision and payment here: a save over a change made since
the page opened is refused with a French error instead of overwriting it, as the decisions'
admin does (`programme.admin.DecisionAdminForm`). `clean` compares under a row lock, held until
the admin's transaction ends (PostgreSQL); the save then moves the version on (`Funding.save`).
"""

from django import forms

from ..models import Funding

FUNDING_CONFLICT = (
    "Cette ligne de financement a été modifiée depuis l'ouverture de la page (le réalisé a "
    "peut-être été saisi par la structure pilote) : rechargez la page, puis recommencez."
)


def funding_version(pk, lock=False):
    rows = Funding.objects.filter(pk=pk)
    if lock:
        rows = rows.select_for_update()
    return rows.values_list("version", flat=True).first()


class FundingAdminForm(forms.ModelForm):
    seen_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "Le formulaire est incomplet : rechargez la page."},
    )

    class Meta:
        model = Funding
        fields = [
            "action", "year", "kind", "funder", "planned_amount", "status", "decision_date",
            "decision_reference", "granted_amount", "actual_amount", "spent_on", "spent_note",
            "paid_amount", "paid_on",
        ]  # fmt: skip

    # The inline of an action reads its lines fresh: their version is the row's, with no query
    # per line. The line's own page reads it from the row (`FundingChangeForm`).
    version_from_row = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            version = self.instance.version
            if self.version_from_row:
                version = funding_version(self.instance.pk)
            self.fields["seen_version"].initial = version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            seen = cleaned.get("seen_version")
            current = funding_version(self.instance.pk, lock=True)
            if seen is None or seen != current:
                raise forms.ValidationError(FUNDING_CONFLICT, code="funding_version")
            self.instance.version = current  # `Funding.save` moves it on
        return cleaned


class FundingChangeForm(FundingAdminForm):
    # A history revert form shows an old version of the line: read the row's.
    version_from_row = True
