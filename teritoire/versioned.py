"""Writing a row only if it is still at the version the user read.

The partner space's write paths of rows two people may edit at once (a decision's follow-up, a
milestone, the spent amount of a funding line; a fiche has its own in `actions.writes`) take the
version the user read and write only if nobody saved since: a conditional
`UPDATE … SET version = version + 1 WHERE pk = … AND version = expected`, which on PostgreSQL also
holds the row's lock until the transaction ends; then the changes on the row read back, saved
with their history author and reason. A stale or missing version raises the caller's
`StaleVersion` subclass and writes nothing. The admin's forms of the same rows check the version
the page was opened at (`SeenVersionForm`).
"""

from django import forms
from django.db import transaction
from django.db.models import F


class StaleVersion(Exception):
    """Someone saved the row after `expected` was read; nothing was written."""

    subject = "row"

    def __init__(self, pk, expected):
        self.pk = pk
        self.expected = expected
        super().__init__(f"{self.subject} {pk}: version {expected} is no longer the current one")


def claim_version(model, pk, expected_version, conflict=StaleVersion):
    """Inside the caller's transaction: move the row's version on, or raise `conflict`."""
    if expected_version is None:
        raise conflict(pk, expected_version)
    bumped = model.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1)
    if not bumped:
        raise conflict(pk, expected_version)


def stamp(row, user, reason):
    """The author and reason the history records for the next save of `row`."""
    if user is not None and user.is_authenticated:
        row._history_user = user
    row._change_reason = reason


def write_at_version(rows, pk, changes, *, fields, expected_version, user, reason, conflict):
    """Write `changes` to the row `pk` of the queryset `rows` read at `expected_version`; returns
    the saved row (read through `rows`, with its select_related). `changes` may only name
    `fields`, the ones this write path owns: any other is a programming error."""
    unknown = set(changes) - set(fields)
    if unknown:
        model = rows.model.__name__
        raise ValueError(f"{model}: not a field of this write: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        claim_version(rows.model, pk, expected_version, conflict)
        row = rows.get(pk=pk)
        for name, value in changes.items():
            setattr(row, name, value)
        stamp(row, user, reason)
        row.save(update_fields=list(changes))
    return row


class SeenVersionForm(forms.ModelForm):
    """An admin form (or inline form) at the version its row had when the page opened: a save
    over a change made since (in the partner space, or by someone else here) is refused with
    `version_conflict`, in French, instead of overwriting it. `clean` compares under a row lock,
    held until the admin's transaction ends (PostgreSQL), and moves the version on — unless the
    model's own `save` does (`saves_bump_version`)."""

    seen_version = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": "Le formulaire est incomplet : rechargez la page."},
    )
    version_conflict = "Cette ligne a été modifiée depuis l'ouverture de la page : rechargez-la."
    saves_bump_version = False
    # An inline reads its rows fresh: their version is the row's, with no query per row. A
    # row's own page (a history revert shows an old version) reads it from the database.
    version_from_row = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            version = self.instance.version
            if self.version_from_row:
                version = self._stored_version()
            self.fields["seen_version"].initial = version

    def _stored_version(self, lock=False):
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        if lock:
            rows = rows.select_for_update()
        return rows.values_list("version", flat=True).first()

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            seen = cleaned.get("seen_version")
            current = self._stored_version(lock=True)
            if seen is None or seen != current:
                raise forms.ValidationError(self.version_conflict, code="stale_version")
            self.instance.version = current if self.saves_bump_version else current + 1
        return cleaned
