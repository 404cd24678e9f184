"""The achievements of earlier phases, loaded as completed public actions with the reference data.

They live in the territory's data folder (`achievements.json`); `load_territory` (in `programme`,
which cannot import actions) sends `reference_loaded`, and this receiver writes them.
"""

import json

from programme.reference_files import ReferenceDataError
from programme.reference_sync import sync, sync_m2m

from .models import Action, Priority, Status

FILE_NAME = "achievements.json"


def read_achievements(data_dir):
    path = data_dir / FILE_NAME
    if not path.exists():
        return []
    try:
        return json.loads(path.read_text(encoding="utf-8"))["achievements"]
    except (ValueError, KeyError, TypeError) as error:
        raise ReferenceDataError(f"Le fichier {FILE_NAME} est illisible ({error}).") from error


def load_achievements(sender, reference, data_dir, **kwargs):
    """Write the achievements; every name they cite must be in the reference data."""
    specs = read_achievements(data_dir)
    all_intercommunalities = list(reference.intercommunalities.values())
    by_slug = {i.slug: i for i in all_intercommunalities}
    phases = reference.phases
    for spec in specs:
        try:
            phase = phases[spec["phase"]]
            fields = {
                "axis": reference.axes[spec["axis"]],
                "slug": spec["slug"],
                "title": spec["title"],
                "summary": spec["summary"],
                "description": spec["description"],
                "pilot": reference.organisations[spec["pilot"]],
            }
            concerned = [by_slug[slug] for slug in spec["intercommunalities"]]
        except KeyError as error:
            raise ReferenceDataError(
                f"{FILE_NAME} : la réalisation {spec.get('code', '?')} cite {error}, "
                "absent des données de référence."
            ) from error
        fields.update(
            status=Status.DONE,
            priority=Priority.MEDIUM,
            progress=100,
            is_public=True,
            is_archived=False,
            is_demo=False,
        )
        action = sync(Action, {"phase": phase, "code": spec["code"]}, fields, stats=reference.stats)
        sync_m2m(action.intercommunalities, concerned or all_intercommunalities)
    if not specs:
        return None
    count = len(specs)
    return f"{count} réalisation{'s' if count > 1 else ''} des phases précédentes"
