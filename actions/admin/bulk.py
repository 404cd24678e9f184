"""Bulk changes from the action changelist: each row written at the version the list showed.

The list carries each row's version beside its checkbox, so a bulk change never overwrites a
fiche that someone changed after the list was displayed: that row is left as it is and named in
the message. With « sélectionner tous les objets » (rows never shown), the version read now
stands.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html

from ..models import Status
from ..writes import VersionConflict, save_action


def version_input_name(pk):
    return f"version-{pk}"


def status_action(status):
    def change_status(modeladmin, request, queryset):
        modeladmin.bulk_write(
            request,
            queryset,
            lambda action: None if action.status == status else {"status": status},
            reason=f"Statut passé à « {status.label} » (action groupée)",
            done=f"passée(s) au statut « {status.label} »",
            already="y étai(en)t déjà",
        )

    change_status.__name__ = f"set_status_{status.value}"
    return admin.action(description=f"Passer au statut « {status.label} »", permissions=["change"])(
        change_status
    )


def flag_action(field, value, *, name, description, label, done, already):
    """A bulk action that sets a boolean field of the selected fiches (archive, publish…),
    skipping those that already have the value."""

    def set_flag(modeladmin, request, queryset):
        modeladmin.bulk_write(
            request,
            queryset,
            lambda action: None if getattr(action, field) == value else {field: value},
            reason=f"Fiche {label} (action groupée)",
            done=done,
            already=already,
        )

    set_flag.__name__ = name
    return admin.action(
        description=f"{description} les fiches sélectionnées", permissions=["change"]
    )(set_flag)


def archive_action(archived):
    label = "archivée" if archived else "désarchivée"
    return flag_action(
        "is_archived",
        archived,
        name="archive" if archived else "unarchive",
        description="Archiver" if archived else "Désarchiver",
        label=label,
        done=f"{label}(s)",
        already="l'étai(en)t déjà",
    )


def publish_action(public):
    """Publish the selected drafts (a new fiche is a draft), or take fiches back to draft."""
    return flag_action(
        "is_public",
        public,
        name="publish" if public else "unpublish",
        description="Publier" if public else "Repasser en brouillon",
        label="publiée" if public else "repassée en brouillon",
        done="publiée(s)" if public else "repassée(s) en brouillon",
        already="l'étai(en)t déjà" if public else "y étai(en)t déjà",
    )


class BulkChangesMixin:
    """For an ActionAdmin: the version beside each checkbox and the bulk write that checks it."""

    actions = [
        publish_action(True),
        publish_action(False),
        *(status_action(status) for status in Status),
        archive_action(True),
        archive_action(False),
    ]

    def action_checkbox(self, obj):
        return format_html(
            '{}<input type="hidden" name="{}" value="{}">',
            super().action_checkbox(obj),
            version_input_name(obj.pk),
            obj.version,
        )

    def bulk_write(self, request, queryset, changes_for, *, reason, done, already):
        """Apply `changes_for(action)` (None: nothing to do) to each selected action."""
        across = request.POST.get("select_across") == "1"
        changed, skipped, stale, unversioned = 0, 0, [], []
        with transaction.atomic():
            for action in queryset.order_by("code_sort", "pk"):
                changes = changes_for(action)
                if not changes:
                    skipped += 1
                    continue
                posted = request.POST.get(version_input_name(action.pk), "")
                expected = int(posted) if posted.isascii() and posted.isdigit() else None
                if expected is None and across:
                    expected = action.version
                if expected is None:
                    unversioned.append(action.code)
                    continue
                try:
                    save_action(
                        action.pk,
                        changes,
                        expected_version=expected,
                        user=request.user,
                        reason=reason,
                    )
                except VersionConflict:
                    stale.append(action.code)
                    continue
                self.log_change(request, action, reason)
                changed += 1
        message = f"{changed} fiche(s) {done}."
        if skipped:
            message += f" {skipped} fiche(s) {already}."
        self.message_user(request, message, messages.SUCCESS if changed else messages.INFO)
        if stale:
            self.message_user(
                request,
                "Non modifiée(s) car changée(s) par quelqu'un d'autre depuis l'affichage de la "
                f"liste : {', '.join(stale)}. Rechargez la liste et recommencez.",
                messages.WARNING,
            )
        if unversioned:
            self.message_user(
                request,
                "Non modifiée(s) car la liste envoyée était incomplète : "
                f"{', '.join(unversioned)}. Rechargez la liste et recommencez.",
                messages.WARNING,
            )
