from django.core.management.base import BaseCommand, CommandError

from teritoire import pagecache
from teritoire.backup import BackupError, restore_database, restore_media


class Command(BaseCommand):
    help = "Restaure une sauvegarde (base et, si donnée, archive des fichiers) dans une base vide."

    def add_arguments(self, parser):
        parser.add_argument("dump", help="Fichier de base produit par « backup ».")
        parser.add_argument("--media", help="Archive des fichiers produite par « backup ».")

    def handle(self, *args, dump, media=None, **options):
        try:
            restore_database(dump)
            if media:
                restore_media(media)
        except BackupError as error:
            raise CommandError(str(error)) from error
        finally:
            self._drop_cached_pages()
        self.stdout.write(self.style.SUCCESS("Restauration terminée."))

    def _drop_cached_pages(self):
        """A restore writes no row through the models (no signal): the public pages kept in the
        cache describe the data from before, so the content version moves on."""
        try:
            pagecache.bump_version()
        except Exception as error:  # noqa: BLE001 - the data is back; say what is left to do
            self.stderr.write(
                f"Les pages publiques gardées en cache n'ont pas pu être écartées ({error}) : "
                "videz le cache partagé (CACHE_URL) avant de rouvrir le site."
            )
