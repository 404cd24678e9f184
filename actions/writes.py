"""The one write path of an action's own fields.

Every screen that changes an action — the partner fiche, a progress note that moves status or
progress, archiving, the admin change form, the admin bulk actions, the spreadsheet import —
calls `save_action` (or `add_progress_note`). It takes the version the user read and writes only
if nobody saved since: a conditional `UPDATE … WHERE version = expected` that bumps the version
(and, on PostgreSQL, holds the row lock until the transaction ends), then the changes applied to
the row read back after it, `updated_by`, the history record with its reason, and the staff
notification queued for after the commit. A stale version raises `VersionConflict` and writes
nothing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from .models import Action, ProgressUpdate, UpdateConfirmation
from .models.action import axis_phase_mismatch
from .notifications import notify_staff


class VersionConflict(Exception):
    """Someone saved the action after `expected` was read; nothing was written."""

    def __init__(self, pk, expected):
        self.pk = pk
        self.expected = expected
        super().__init__(f"action {pk}: version {expected} is no longer the current one")


def _write(pk, changes, *, expected_version, user, reason):
    """The conditional UPDATE, then the changes on the row read back. Inside a transaction."""
    if expected_version is None:
        raise VersionConflict(pk, expected_version)
    bumped = Action.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1)
    if not bumped:
        raise VersionConflict(pk, expected_version)
    action = Action.objects.select_related("axis", "pilot").get(pk=pk)
    before = {name: getattr(action, name) for name in changes}
    for name, value in changes.items():
        setattr(action, name, value)
    if "axis" in changes or "phase" in changes:
        # Before the database's trigger: a French message rather than an IntegrityError.
        mismatch = axis_phase_mismatch(action.axis, action.phase)
        if mismatch:
            raise ValidationError({"axis": mismatch}, code="axis_of_another_phase")
    if user is not None and user.is_authenticated:
        action.updated_by = user
        action._history_user = user
    action._change_reason = reason
    action.save()
    return action, before


def save_action(pk, changes, *, expected_version, user, reason):
    """Write `changes` ({field name: value}) to the action `pk` read at `expected_version`.

    Returns the saved action; raises `VersionConflict` (nothing written) when the action changed
    since, or when no version is given. Callers validate the values beforehand; an axis of
    another phase than the action's raises `ValidationError` (nothing written) all the same.
    """
    with transaction.atomic():
        action, before = _write(
            pk, changes, expected_version=expected_version, user=user, reason=reason
        )
        archived = action.is_archived if "is_archived" in changes else None
        if archived == before.get("is_archived"):
            archived = None
        notify_staff(action, user, status_before=before.get("status"), archived=archived)
    return action


def add_progress_note(action, *, user, date, text, status=None, progress=None, version=None):
    """Publish a progress note; a new status or progress goes through the version check.

    `status` and `progress` that equal the action's values as the user read them change nothing
    on the fiche, and then no version is needed. Returns the note.
    """
    changes = {}
    if status and status != action.status:
        changes["status"] = status
    if progress is not None and progress != action.progress:
        changes["progress"] = progress
    with transaction.atomic():
        if changes:
            current, before = _write(
                action.pk,
                changes,
                expected_version=version,
                user=user,
                reason="Note de suivi de l'espace partenaire",
            )
            status_before = before.get("status", current.status)
        else:
            current = Action.objects.get(pk=action.pk)
            status_before = current.status
        note = ProgressUpdate.objects.create(
            action=current,
            author=user,
            date=date,
            text=text,
            status_before=status_before,
            status_after=current.status,
            progress_after=progress,
        )
        notify_staff(current, user, status_before=status_before, update=note)
    return note


def confirm_nothing_new(campaign, action, *, user):
    """« Rien de nouveau »: `action` is up to date for `campaign` without a note. The fiche is
    not written (no version needed); sent twice, it records one confirmation. Returns it."""
    confirmation, _ = UpdateConfirmation.objects.get_or_create(
        campaign=campaign, action=action, defaults={"confirmed_by": user}
    )
    return confirmation
