"""The import's version check: no row undoes a change made after the preview.

The preview reads the version of every action the file touches (`seen_versions`, which the admin
signs into the confirmation form); the confirmation compares each row's action with it, under a
row lock, and writes the action's own fields through `actions.writes.save_action`.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from ..writes import save_action


class VersionChecks:
    """For the action resource: `previewed_versions` on confirmation, None on the preview."""

    def __init__(self, previewed_versions=None, seen_versions=None, **kwargs):
        super().__init__(**kwargs)
        self.previewed_versions = previewed_versions
        self.seen_versions = {} if seen_versions is None else seen_versions
        self._expected = {}

    def start_version_checks(self):
        self.seen_versions.clear()
        previewed = self.previewed_versions or {}
        # The actions' versions by pk; the milestones' under their own key (`.milestones`).
        self._expected = {int(pk): v for pk, v in previewed.items() if str(pk).isdigit()}

    def check_version(self, instance):
        """The row's action must be as the preview read it (or as this import left it).

        `instance` comes from `actions.spreadsheet.loading`, read under a row lock held until
        the import's transaction ends: its version is the current one.
        """
        if instance.pk is None:
            return  # an action of this file that the preview would create: nothing to compare
        current = instance.version
        if instance.pk not in self._expected and self.previewed_versions is None:
            self._expected[instance.pk] = self.seen_versions[instance.pk] = current
            return
        expected = self._expected.get(instance.pk)
        if current != expected:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        f"La fiche {instance.code} a été modifiée par quelqu'un d'autre depuis "
                        "l'aperçu de l'import : importez le fichier à nouveau pour voir ces "
                        "changements."
                    ]
                }
            )

    def save_checked(self, instance, changes):
        """Write an existing action's own fields at the version this import expects."""
        saved = save_action(
            instance.pk,
            changes,
            expected_version=self._expected.get(instance.pk),
            user=getattr(instance, "_import_user", None),
            reason="Import de tableur",
        )
        instance.version = self._expected[instance.pk] = saved.version

    def written(self, instance):
        """An action this import created: later rows of it expect the version it has now."""
        self._expected[instance.pk] = instance.version
