"""Synthetic actions for load tests and benchmarks; never for a real database."""

import datetime
import random
import sys
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from actions.models import (
    Action,
    Funding,
    Indicator,
    Measurement,
    Priority,
    ProgressUpdate,
    Status,
    code_sort_key,
)
from partners.models import Organisation
from programme.models import Axis, Intercommunality, Phase
from teritoire import pagecache

BATCH = 500
WORDS = [
    "recrutement",
    "formation",
    "apprentissage",
    "attractivité",
    "innovation",
    "numérique",
    "foncier",
    "friche",
    "décarbonation",
    "énergie",
    "mobilité",
    "compétences",
    "industrie",
    "atelier",
    "filière",
    "circuit",
    "export",
]


class Command(BaseCommand):
    help = (
        "Crée N actions synthétiques de phase 2 (avec notes de suivi, financements, indicateurs "
        "et mesures) pour les essais de charge. Refusé hors DEBUG sans --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--actions", type=int, required=True, help="Nombre d'actions.")
        parser.add_argument("--seed", type=int, default=37, help="Graine du hasard.")
        parser.add_argument("--yes", action="store_true", help="Confirme hors DEBUG.")

    def handle(self, *args, actions, seed, yes, **options):
        if not (settings.DEBUG or yes):
            raise CommandError(
                "Refusé : cette commande ajoute des données fictives. Relancez avec --yes "
                "si cette base est bien une base d'essai."
            )
        if actions < 1:
            raise CommandError("Le nombre d'actions doit être positif.")
        phase = Phase.objects.filter(number=2).first()
        axes = list(Axis.objects.filter(phase=phase)) if phase else []
        organisations = list(Organisation.objects.order_by("pk"))
        epcis = list(Intercommunality.objects.order_by("pk"))
        if not axes or len(organisations) < 2:
            raise CommandError(
                "Chargez d'abord les données de référence : manage.py load_territory"
            )
        started = time.monotonic()
        with transaction.atomic():
            self._generate(actions, random.Random(seed), phase, axes, organisations, epcis)
        pagecache.bump_version()  # bulk inserts send no signal
        self.stdout.write(
            self.style.SUCCESS(
                f"{actions} actions synthétiques créées en {time.monotonic() - started:.1f} s."
            )
        )

    def _progress(self, label, done, total):
        if "pytest" not in sys.modules:
            self.stdout.write(f"\r{label} : {done}/{total}", ending="")
            if done == total:
                self.stdout.write("")

    def _generate(self, count, rng, phase, axes, organisations, epcis):
        created = synthetic_actions(count, rng, phase, axes, organisations)
        self._bulk_create("Actions", Action, created, BATCH)
        if connection_lacks_returning_ids(created):
            slugs = [a.slug for a in created]
            created = list(Action.objects.filter(slug__in=slugs).order_by("pk"))
        self._link(created, rng, organisations, epcis)

        fundings, updates, indicators = [], [], []
        for action in created:
            # One action after the other, so that a seed always gives the same data.
            fundings += synthetic_fundings(action, rng, organisations)
            updates += synthetic_updates(action, rng)
            indicators += synthetic_indicators(action, rng)
        for label, model, rows in (
            ("Financements", Funding, fundings),
            ("Notes de suivi", ProgressUpdate, updates),
            ("Indicateurs", Indicator, indicators),
        ):
            self._bulk_create(label, model, rows, BATCH * 4)
        if connection_lacks_returning_ids(indicators):
            indicators = list(
                Indicator.objects.filter(action__in=[a.pk for a in created]).order_by("pk")
            )
        measurements = synthetic_measurements(indicators, rng)
        self._bulk_create("Mesures", Measurement, measurements, BATCH * 4)

    def _bulk_create(self, label, model, rows, size):
        for first in range(0, len(rows), size):
            model.objects.bulk_create(rows[first : first + size])
            self._progress(label, min(first + size, len(rows)), len(rows))

    def _link(self, created, rng, organisations, epcis):
        """Partners (other than the pilot) and intercommunalities for every action."""
        partner_links, epci_links = [], []
        PartnerLink = Action.partners.through
        EpciLink = Action.intercommunalities.through
        for action in created:
            for org in rng.sample(organisations, 2):
                if org.pk != action.pilot_id:
                    partner_links.append(PartnerLink(action_id=action.pk, organisation_id=org.pk))
            if epcis:
                for epci in rng.sample(epcis, rng.randrange(1, len(epcis) + 1)):
                    epci_links.append(EpciLink(action_id=action.pk, intercommunality_id=epci.pk))
        PartnerLink.objects.bulk_create(partner_links, batch_size=BATCH)
        EpciLink.objects.bulk_create(epci_links, batch_size=BATCH)


def next_action_numbers(phase, axes):
    """By axis, the number of the next action after the existing ones (1.1, 1.2… 1.12)."""
    next_number = {}
    for axis in axes:
        codes = Action.objects.filter(phase=phase, axis=axis).values_list("code", flat=True)
        numbers = [int(c.rsplit(".", 1)[-1]) for c in codes if c.rsplit(".", 1)[-1].isdigit()]
        next_number[axis.pk] = max(numbers, default=0) + 1
    return next_number


def synthetic_actions(count, rng, phase, axes, organisations):
    """`count` unsaved actions, spread over the axes in turn."""
    next_number = next_action_numbers(phase, axes)
    statuses = [s.value for s in Status]
    priorities = [p.value for p in Priority]
    start = datetime.date(2023, 1, 1)
    created = []
    for index in range(count):
        axis = axes[index % len(axes)]
        number = next_number[axis.pk]
        next_number[axis.pk] += 1
        code = f"{axis.number}.{number}"
        words = rng.sample(WORDS, 3)
        begin = start + datetime.timedelta(days=rng.randrange(0, 900))
        created.append(
            Action(
                phase=phase,
                axis=axis,
                code=code,
                code_sort=code_sort_key(code),
                title=f"Action synthétique {code} : {' '.join(words)}",
                slug=f"synthetique-{axis.number}-{number}",
                summary=f"Action générée pour les essais de charge ({', '.join(words)}).",
                description="Texte de **démonstration** généré automatiquement.",
                status=rng.choice(statuses),
                priority=rng.choice(priorities),
                pilot=rng.choice(organisations),
                start_date=begin,
                end_date=begin + datetime.timedelta(days=rng.randrange(180, 1200)),
                progress=rng.randrange(0, 101),
                is_public=rng.random() > 0.05,
                is_demo=True,
            )
        )
    return created


def synthetic_fundings(action, rng, organisations):
    """Two funders, each for 2024 (spent) and 2025 (planned only)."""
    fundings = []
    funders = rng.sample(organisations, 2)
    for year in (2024, 2025):
        for funder in funders:
            fundings.append(
                Funding(
                    action_id=action.pk,
                    year=year,
                    funder=funder,
                    kind=rng.choice(["investment", "operating"]),
                    planned_amount=Decimal(rng.randrange(1_000, 250_000)),
                    actual_amount=Decimal(rng.randrange(0, 200_000)) if year == 2024 else None,
                )
            )
    return fundings


def synthetic_updates(action, rng):
    """Ten monthly progress notes from the action's start."""
    return [
        ProgressUpdate(
            action_id=action.pk,
            date=action.start_date + datetime.timedelta(days=30 * k + 7),
            text=f"Point d'étape {k + 1} : {rng.choice(WORDS)} en cours.",
            status_after=action.status if k == 9 else "",
        )
        for k in range(10)
    ]


def synthetic_indicators(action, rng):
    return [
        Indicator(
            action_id=action.pk,
            name=name,
            unit="nombre",
            baseline=Decimal(0),
            target=Decimal(rng.randrange(10, 200)),
            target_date=datetime.date(2027, 12, 31),
        )
        for name in ("Entreprises accompagnées", "Emplois concernés")
    ]


def synthetic_measurements(indicators, rng):
    measurements = []
    for position, indicator in enumerate(indicators):
        # 5 measurements for every action, spread over its two indicators (3 + 2).
        for k in range(3 if position % 2 == 0 else 2):
            measurements.append(
                Measurement(
                    indicator_id=indicator.pk,
                    date=datetime.date(2024, 3, 31) + datetime.timedelta(days=91 * k),
                    value=Decimal(rng.randrange(0, int(indicator.target or 10) + 1)),
                )
            )
    return measurements


def connection_lacks_returning_ids(objects):
    return bool(objects) and objects[0].pk is None
