"""Load the demonstration data (fictitious actions, budgets, follow-up, COPIL, plans, news,
accounts), or take it all out again with --remove.

Loads the reference data first when it is missing. Creates what is missing and changes nothing
that exists, in one transaction. Refuses to run with production settings: the demo accounts have a
published password.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from actions.demo import MissingReferenceData, load_demo
from actions.demo_specs import ACCOUNTS, DEMO_PASSWORD
from actions.models import (
    Action,
    ActionSnapshot,
    AnnualPlan,
    Document,
    Funding,
    Indicator,
    Measurement,
    Milestone,
    ProgressUpdate,
    ReminderLog,
    UpdateCampaign,
    UpdateConfirmation,
)
from partners.models import User
from programme.models import CopilMeeting, Decision, NewsItem


def demo_plans():
    """Plans validated at a demonstration meeting, and those an earlier version of the demo hung
    on a real meeting (every frozen action of theirs is a demonstration one)."""
    not_demo = ActionSnapshot.objects.filter(plan=OuterRef("pk")).exclude(action__is_demo=True)
    return AnnualPlan.objects.filter(
        Q(meeting__is_demo=True)
        | Q(Exists(ActionSnapshot.objects.filter(plan=OuterRef("pk"))), ~Exists(not_demo))
    )


def remove_demo():
    """Delete every demonstration row and the history of each; returns {model: rows deleted}.

    The reference data (territory, organisations, the real COPIL, the phase-1 achievements) is
    untouched. The demo's data file declares no organisation of its own: none is deleted.
    """
    actions = Action.objects.filter(is_demo=True)
    meetings = CopilMeeting.objects.filter(is_demo=True)
    owned = {  # the rows to delete, each model with its history (if it keeps one)
        ReminderLog: ReminderLog.objects.filter(campaign__meeting__in=meetings),
        UpdateConfirmation: UpdateConfirmation.objects.filter(
            Q(action__in=actions) | Q(campaign__meeting__in=meetings)
        ),
        UpdateCampaign: UpdateCampaign.objects.filter(meeting__in=meetings),
        AnnualPlan: demo_plans(),
        Milestone: Milestone.objects.filter(action__in=actions),
        Document: Document.objects.filter(Q(action__in=actions) | Q(meeting__in=meetings)),
        Measurement: Measurement.objects.filter(indicator__action__in=actions),
        Indicator: Indicator.objects.filter(action__in=actions),
        Funding: Funding.objects.filter(action__in=actions),
        ProgressUpdate: ProgressUpdate.objects.filter(action__in=actions),
        Action: actions,
        Decision: Decision.objects.filter(Q(is_demo=True) | Q(meeting__in=meetings)),
        CopilMeeting: meetings,
        NewsItem: NewsItem.objects.filter(is_demo=True),
        User: User.objects.filter(email__in=[account.email for account in ACCOUNTS]),
    }
    removed = {}
    for model, rows in owned.items():
        pks = list(rows.values_list("pk", flat=True))
        removed[model] = len(pks)
        model.objects.filter(pk__in=pks).delete()
        history = getattr(model, "history", None)
        if history is not None:
            _delete_history(history.filter(id__in=pks))
    return removed


def _delete_history(rows):
    """Historical rows and what hangs on them (the history of many-to-many relations)."""
    for relation in rows.model._meta.related_objects:
        related = relation.related_model._base_manager
        related.filter(**{f"{relation.field.name}__in": rows}).delete()
    rows.delete()


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration : fiches actions fictives de la phase 2, budgets, "
        "indicateurs, notes de suivi, COPIL, plans annuels validés, actualité et comptes de "
        "démonstration. Crée ce qui manque et ne modifie rien de ce qui existe. Avec --remove, "
        "les retire toutes, sans toucher aux données réelles."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--remove",
            action="store_true",
            help="Retirer toutes les données de démonstration (et leur historique).",
        )

    def handle(self, *args, remove=False, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "Les données de démonstration ne se chargent pas en production : leurs comptes "
                "ont un mot de passe public."
            )
        if remove:
            with transaction.atomic():
                removed = remove_demo()
            self.stdout.write(
                self.style.SUCCESS(
                    "Données de démonstration retirées\u00a0: "
                    + ", ".join(
                        f"{count} {model._meta.verbose_name_plural}"
                        for model, count in removed.items()
                    )
                    + "."
                )
            )
            return
        with transaction.atomic():
            try:
                result = load_demo()
            except MissingReferenceData:
                self.stdout.write("Données de référence absentes : chargement préalable.")
                call_command("load_territory", stdout=self.stdout, stderr=self.stderr)
                result = load_demo()
        self._report(result)

    def _report(self, result):
        actions = result.actions
        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration : {len(actions)} fiches actions, "
                f"{Funding.objects.filter(action__in=actions).count()} lignes de financement, "
                f"{Indicator.objects.filter(action__in=actions).count()} indicateurs, "
                f"{Measurement.objects.filter(indicator__action__in=actions).count()} mesures, "
                f"{ProgressUpdate.objects.filter(action__in=actions).count()} notes de suivi, "
                f"{len(result.meetings)} COPIL et {len(result.plans)} plans annuels validés "
                f"({result.created} lignes créées ; rien de ce qui existait n'a été modifié)."
            )
        )
        self.stdout.write(f"Comptes de démonstration (mot de passe « {DEMO_PASSWORD} ») :")
        for _key, email, *_rest in ACCOUNTS:
            self.stdout.write(f"  {email}")
