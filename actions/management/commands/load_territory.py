"""Load the reference data of Grand Est Touraine and the phase-1 achievements, in one transaction.

Idempotent: a second run creates, changes and historises nothing. A missing or malformed data file
stops it before anything is written (and the transaction undoes any partial write).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from actions.models import Action, Priority, Status
from programme.reference import (
    SyncStats,
    french_number,
    load_reference,
    read_reference_files,
    sync,
    sync_m2m,
)
from programme.reference_files import DATA_DIR, ReferenceDataError

TOURAINE_EST_VALLEES = "cc-touraine-est-vallees"

# What phase 1 delivered, as completed actions. Only the facts of the design notes: no amount, no
# date that is not known. The axis each is filed under is the closest national phase-1 axis.
PHASE_1_ACHIEVEMENTS = [
    {
        "code": "1.1",
        "axis": "phase-1-attirer",
        "slug": "tiers-lieu-le-rubixco",
        "title": "Tiers-lieu Le Rubixco à Montlouis-sur-Loire",
        "summary": (
            "Un tiers-lieu ouvert en juin 2020 à Montlouis-sur-Loire : espace de coworking, "
            "pépinière et hôtel d'entreprises, géré par la communauté de communes Touraine-Est "
            "Vallées."
        ),
        "description": (
            "Réalisation de la phase 1 du Territoire d'industrie. **Le Rubixco**, à "
            "Montlouis-sur-Loire, réunit en un même lieu :\n\n"
            "- un espace de coworking ;\n"
            "- une pépinière d'entreprises ;\n"
            "- un hôtel d'entreprises.\n\n"
            "Ouvert en juin 2020, il est géré par la communauté de communes Touraine-Est Vallées."
        ),
        "pilot": TOURAINE_EST_VALLEES,
        "intercommunalities": [TOURAINE_EST_VALLEES],
    },
    {
        "code": "2.1",
        "axis": "phase-1-recruter",
        "slug": "plateforme-rh-des-entreprises",
        "title": "Plateforme de ressources humaines pour les entreprises",
        "summary": (
            "Une plateforme de ressources humaines au service des entreprises du territoire : "
            "recrutement, formation, attractivité."
        ),
        "description": (
            "Réalisation de la phase 1 du Territoire d'industrie : une plateforme de ressources "
            "humaines pour les entreprises du territoire, qui les aide à :\n\n"
            "- recruter ;\n"
            "- former leurs salariés ;\n"
            "- faire connaître leurs métiers et rendre l'industrie attractive."
        ),
        "pilot": "territoire-d-industrie-grand-est-touraine",
        "intercommunalities": None,  # the whole territory
    },
]


def load_phase_1_achievements(reference):
    """The phase-1 achievements as completed, public, non-demonstration actions."""
    all_intercommunalities = list(reference.intercommunalities.values())
    by_slug = {i.slug: i for i in all_intercommunalities}
    actions = []
    for spec in PHASE_1_ACHIEVEMENTS:
        action = sync(
            Action,
            {"phase": reference.phase_1, "code": spec["code"]},
            {
                "axis": reference.axes[spec["axis"]],
                "slug": spec["slug"],
                "title": spec["title"],
                "summary": spec["summary"],
                "description": spec["description"],
                "status": Status.DONE,
                "priority": Priority.MEDIUM,
                "pilot": reference.organisations[spec["pilot"]],
                "progress": 100,
                "is_public": True,
                "is_archived": False,
                "is_demo": False,
            },
            stats=reference.stats,
        )
        concerned = (
            [by_slug[slug] for slug in spec["intercommunalities"]]
            if spec["intercommunalities"]
            else all_intercommunalities
        )
        sync_m2m(action.intercommunalities, concerned)
        actions.append(action)
    return actions


def load_territory(data_dir=DATA_DIR):
    """Read, check and write everything; the caller wraps it in a transaction."""
    files = read_reference_files(data_dir)
    reference = load_reference(files, SyncStats())
    return reference, load_phase_1_achievements(reference)


class Command(BaseCommand):
    help = (
        "Charge les données de référence du Territoire d'industrie Grand Est Touraine "
        "(communautés de communes, communes, partenaires, phases, axes, premier COPIL, "
        "première actualité, réalisations de la phase 1). Sans effet si elles sont déjà à jour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Dossier des fichiers de référence (par défaut programme/data/).",
        )

    def handle(self, *args, data_dir, **options):
        try:
            with transaction.atomic():
                reference, achievements = load_territory(data_dir)
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
                f"{len(reference.organisations)} organisations, 2 phases, "
                f"{len(reference.axes)} axes, 1 COPIL, 1 actualité et "
                f"{len(achievements)} réalisations de la phase 1 chargés "
                f"({stats.created} créations, {stats.updated} mises à jour)."
            )
        )
