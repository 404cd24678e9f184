from django.core.management.base import BaseCommand, CommandError

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
        self.stdout.write(self.style.SUCCESS("Restauration terminée."))
