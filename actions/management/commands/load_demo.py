"""Load the demonstration data (fictitious actions, budgets, follow-up, COPIL, plans, accounts).

Loads the reference data first when it is missing. Idempotent, in one transaction. Refuses to run
with production settings: the demo accounts have a published password.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.demo import ACCOUNTS, DEMO_PASSWORD, MissingReferenceData, load_demo
from actions.models import Funding, Indicator, Measurement, ProgressUpdate


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : fiches actions fictives de la phase 2, budgets, "
        "indicateurs, notes de suivi, COPIL, plans annuels validés et comptes de démonstration. "
        "Sans effet si elles sont déjà chargées."
    )

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "Les données de démonstration ne se chargent pas en production : leurs comptes "
                "ont un mot de passe public."
            )
        with transaction.atomic():
            try:
                result = load_demo()
            except MissingReferenceData:
                self.stdout.write("Données de référence absentes : chargement préalable.")
                call_command("load_territory", stdout=self.stdout, stderr=self.stderr)
                result = load_demo()

        actions = result.actions
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration : {len(actions)} fiches actions, "
                f"{Funding.objects.filter(action__in=actions).count()} lignes de financement, "
                f"{Indicator.objects.filter(action__in=actions).count()} indicateurs, "
                f"{Measurement.objects.filter(indicator__action__in=actions).count()} mesures, "
                f"{ProgressUpdate.objects.filter(action__in=actions).count()} notes de suivi, "
                f"{len(result.meetings)} COPIL et {len(result.plans)} plans annuels validés."
            )
        )
        self.stdout.write(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
        for _key, email, *_rest in ACCOUNTS:
            self.stdout.write(f"  {email}")
