"""E-mail the editors of each pilot organisation the actions that wait for news.

For cron: `manage.py remind_stale_actions` reminds the actions without a progress note for
`STALE_AFTER_DAYS` days (`--days`); `--campaign` reminds the actions still waiting in the current
update campaigns instead, as the admin's « Relancer » button does. Both run `actions.reminders`:
every e-mail is logged in `ReminderLog` (« Relances envoyées » in the admin), and nobody
gets the same reminder twice the same day, however often the command runs.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions import reminders
from actions.models import STALE_AFTER_DAYS, UpdateCampaign


class Command(BaseCommand):
    help = (
        "Envoie aux contributeurs de chaque organisation pilote la liste de ses fiches actions "
        "sans note de suivi depuis --days jours, ou encore en attente de la campagne de mise à "
        "jour en cours (--campaign) ; une fois par jour au plus."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=STALE_AFTER_DAYS,
            help=f"Ancienneté de la dernière note ({STALE_AFTER_DAYS} jours par défaut).",
        )
        parser.add_argument(
            "--campaign",
            action="store_true",
            help="Relance les fiches en attente des campagnes de mise à jour en cours.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche qui recevrait quoi, sans rien envoyer.",
        )

    def handle(self, *args, days, campaign, dry_run, **options):
        if days < 1:
            raise CommandError("--days doit être un nombre entier de jours, au moins 1.")
        today = timezone.localdate()
        if campaign:
            campaigns = list(UpdateCampaign.objects.current().select_related("meeting"))
            if not campaigns:
                self.stdout.write("Aucune campagne de mise à jour en cours : rien n'est envoyé.")
                return
            reports = []
            for item in campaigns:
                self.stdout.write(f"{item} :")
                reports.append(reminders.remind_campaign(item, today=today, dry_run=dry_run))
        else:
            reports = [reminders.remind_stale(days, today=today, dry_run=dry_run)]
        for report in reports:
            self.describe(report)
        self.conclude(reports, dry_run)

    def describe(self, report):
        for batch in report.without_editor:
            self.stdout.write(
                f"{batch.organisation} : aucun contributeur à relancer pour "
                f"{len(batch.actions)} fiche(s) ({batch.codes})."
            )
        for batch in report.already:
            self.stdout.write(
                f"{batch.organisation} : déjà relancée aujourd'hui, rien n'est envoyé."
            )
        for batch, user in report.simulated:
            self.stdout.write(
                f"[simulation] {user.email} ({batch.organisation}) recevrait "
                f"{len(batch.actions)} fiche(s) : {batch.codes}"
            )
        for log in report.failed:
            self.stderr.write(
                f"Échec de l'envoi à {log.recipient_email} ({log.organisation}) : {log.error}"
            )

    def conclude(self, reports, dry_run):
        if dry_run:
            self.stdout.write("Simulation : aucun e-mail envoyé.")
            return
        sent = sum(len(report.sent) for report in reports)
        organisations = set().union(*(report.organisations for report in reports))
        self.stdout.write(
            self.style.SUCCESS(
                f"{sent} e-mail(s) envoyé(s) à {len(organisations)} organisation(s) pilote(s)."
            )
        )
        failed = sum(len(report.failed) for report in reports)
        if failed:
            raise CommandError(
                f"{failed} e-mail(s) en échec, consigné(s) dans « Relances envoyées » de "
                "l'administration ; relancez la commande pour réessayer."
            )
