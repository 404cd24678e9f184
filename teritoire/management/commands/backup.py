from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from teritoire.backup import BackupError, backup_database, backup_media


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les fichiers déposés (horodatés)."

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default="backups", help="Dossier de destination.")

    def handle(self, *args, output_dir, **options):
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        try:
            dump = backup_database(output_dir, stamp)
            media = backup_media(output_dir, stamp)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Base sauvegardée : {dump}"))
        self.stdout.write(self.style.SUCCESS(f"Fichiers sauvegardés : {media}"))
