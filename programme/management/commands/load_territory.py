"""Load the territory's reference data (and, through `reference_loaded`, its achievements) at once.

Idempotent: a second run creates, changes and historises nothing. A reference row is updated
only where its file changed since the last load, never where a user edited it since: those rows
are left as they are and listed. A missing or malformed data file
stops it before anything is written (and the transaction undoes any partial write).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from programme.reference import french_number, load_reference, read_reference_files
from programme.reference_files import DATA_DIR, ReferenceDataError
from programme.reference_sync import SyncStats
from programme.signals import reference_loaded


def load_territory(data_dir=DATA_DIR):
    """Read, check and write everything; the caller wraps it in a transaction.

    Returns the reference and the phrases of what the apps above `programme` loaded with it.
    """
    files = read_reference_files(data_dir)
    reference = load_reference(files, SyncStats())
    results = reference_loaded.send(sender=None, reference=reference, data_dir=data_dir)
    return reference, [phrase for _, phrase in results if phrase]


class Command(BaseCommand):
    help = (
        "Charge les données de référence du territoire "
        "(communautés de communes, communes, partenaires, phases, axes, premier COPIL, "
        "actualités, réalisations des phases précédentes) depuis un dossier de données. "
        "Sans effet si elles sont déjà à jour ; les lignes modifiées depuis par un utilisateur "
        "sont laissées telles quelles."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help=(
                "Dossier des fichiers de référence du territoire, programme.json en tête "
                "(par défaut programme/data/)."
            ),
        )

    def handle(self, *args, data_dir, **options):
        try:
            with transaction.atomic():
                reference, loaded = load_territory(data_dir)
        except ReferenceDataError as error:
            raise CommandError(
                f"Données de référence non chargées, la base n'a pas été modifiée. {error}"
            ) from error
        except DatabaseError as error:
            raise CommandError(
                "Données de référence non chargées, la base n'a pas été modifiée : conflit avec "
                f"des données existantes ({error})."
            ) from error

        files, stats = reference.files, reference.stats
        self.stdout.write(
            self.style.SUCCESS(
                f"Territoire « {reference.territory.name} » : "
                f"{len(reference.intercommunalities)} communautés de communes, "
                f"{files.commune_count} communes ({french_number(files.population)} habitants), "
                f"{len(reference.organisations)} organisations, {len(reference.phases)} phases, "
                f"{len(reference.axes)} axes, {int(reference.first_copil is not None)} COPIL, "
                f"{reference.news_count} actualité{'s' if reference.news_count > 1 else ''}"
                + "".join(f", {phrase}" for phrase in loaded)
                + " chargés "
                f"({stats.created} créations, {stats.updated} mises à jour)."
            )
        )
        if stats.kept:
            self.stdout.write(kept_report(stats.kept))


def kept_report(kept):
    """« 2 lignes modifiées par un utilisateur laissées telles quelles : … »."""
    if len(kept) == 1:
        head = "1 ligne modifiée par un utilisateur laissée telle quelle"
    else:
        head = f"{len(kept)} lignes modifiées par un utilisateur laissées telles quelles"
    return f"{head}\u00a0: {' ; '.join(kept)}."
