"""An action's funding lines and the two figures every page shows of them.

A line goes from the plan to the funder's money: planned (prévu) → requested (demandé) →
granted (accordé) or refused (refusé); the pilot's editors then enter what was spent (réalisé)
in the partner space, and the staff what the funder paid (versé). Two figures are named once,
here, for every page that shows them: the funding gap (planned − granted) and the execution
(spent / granted).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from partners.models import Organisation

from .action import Action
from .choices import AMOUNT_MIN, YEAR_RANGE

ZERO = Decimal("0.00")
AMOUNT = models.DecimalField(max_digits=14, decimal_places=2)


def funding_gap(planned, granted):
    """What is planned and not granted (yet): planned − granted, a missing amount being 0."""
    return (planned or ZERO) - (granted or ZERO)


def execution_rate(spent, granted):
    """Spent / granted as a percentage (Decimal), None while nothing is granted."""
    if not granted:
        return None
    return (spent or ZERO) * 100 / granted


def funding_sums():
    """The sums every funding table shows, as annotations: `planned`, `granted`, `spent`,
    `paid`, the `gap` (see `funding_gap`) and `demo`, the number of demonstration lines (the
    tables mark figures that count any)."""
    zero = Value(ZERO, output_field=AMOUNT)
    return {
        "planned": Coalesce(Sum("planned_amount"), zero, output_field=AMOUNT),
        "granted": Sum("granted_amount", output_field=AMOUNT),
        "spent": Sum("actual_amount", output_field=AMOUNT),
        "paid": Sum("paid_amount", output_field=AMOUNT),
        "gap": Coalesce(Sum("planned_amount"), zero, output_field=AMOUNT)
        - Coalesce(Sum("granted_amount"), zero, output_field=AMOUNT),
        "demo": Count("pk", filter=Q(action__is_demo=True)),
    }


class FundingQuerySet(models.QuerySet):
    def in_reading_order(self):
        """The lines with their funder, by year, funder and nature: how every page lists them."""
        return self.select_related("funder").order_by("year", "funder__name", "kind", "pk")

    def of_public_actions(self):
        """The lines of the actions the public sees: the only ones a public figure sums."""
        return self.filter(action__in=Action.objects.public())

    def sums_by(self, *fields):
        """One row per value of `fields` (none: one row for everything) with `funding_sums`."""
        if not fields:
            return self.order_by().aggregate(**funding_sums())
        return self.order_by().values(*fields).annotate(**funding_sums())


# The rules of a line, each once: the model's constraints and the partner form's messages.
SPENT_OVER_GRANTED = (
    "Le montant réalisé dépasse le montant accordé : expliquez-le dans la note sur le réalisé."
)
SPENT_DATE_WITHOUT_AMOUNT = "La date du réalisé accompagne un montant réalisé."


class Funding(models.Model):
    class Kind(models.TextChoices):
        INVESTMENT = "investment", "Investissement"
        OPERATING = "operating", "Fonctionnement"

    class Status(models.TextChoices):
        PLANNED = "planned", "Prévu"
        REQUESTED = "requested", "Demandé"
        GRANTED = "granted", "Accordé"
        REFUSED = "refused", "Refusé"

    DECIDED = (Status.GRANTED, Status.REFUSED)

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="fundings", verbose_name="action"
    )
    year = models.PositiveSmallIntegerField("année", validators=YEAR_RANGE)
    funder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="fundings", verbose_name="financeur"
    )
    kind = models.CharField("nature", max_length=12, choices=Kind.choices, default=Kind.OPERATING)
    planned_amount = models.DecimalField(
        "montant prévu (€)", max_digits=12, decimal_places=2, default=0, validators=AMOUNT_MIN
    )
    status = models.CharField(
        "statut de la demande",
        max_length=10,
        choices=Status.choices,
        default=Status.PLANNED,
        help_text="Prévu, demandé au financeur, accordé ou refusé par lui.",
    )
    decision_date = models.DateField(
        "date de la décision du financeur",
        null=True,
        blank=True,
        help_text="Pour une ligne accordée ou refusée.",
    )
    decision_reference = models.CharField(
        "référence de la décision",
        max_length=100,
        blank=True,
        help_text="Numéro de l'arrêté, de la convention ou du courrier du financeur.",
    )
    granted_amount = models.DecimalField(
        "montant accordé (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=AMOUNT_MIN,
        help_text="Obligatoire pour une ligne accordée, vide sinon.",
    )
    # The spent amount (réalisé), entered by the pilot's editors in the partner space.
    actual_amount = models.DecimalField(
        "montant réalisé (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=AMOUNT_MIN,
    )
    spent_on = models.DateField(
        "réalisé à la date du",
        null=True,
        blank=True,
        help_text="La date à laquelle le montant réalisé a été arrêté.",
    )
    spent_note = models.TextField(
        "note sur le réalisé",
        blank=True,
        help_text="Obligatoire quand le réalisé dépasse le montant accordé.",
    )
    paid_amount = models.DecimalField(
        "montant versé (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=AMOUNT_MIN,
        help_text="Ce que le financeur a versé ; saisi par l'équipe projet.",
    )
    paid_on = models.DateField("versé à la date du", null=True, blank=True)
    # Read by the partner form, checked by `actions.funding.record_spending`.
    version = models.PositiveIntegerField("version", default=1, editable=False)
    history = HistoricalRecords()

    objects = FundingQuerySet.as_manager()

    class Meta:
        verbose_name = "financement"
        verbose_name_plural = "financements"
        ordering = ["action", "year", "funder__name", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "year", "funder", "kind"],
                name="funding_unique_line",
                violation_error_message=(
                    "Une ligne existe déjà pour cette action, cette année, ce financeur "
                    "et cette nature."
                ),
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0),
                name="funding_planned_amount_positive",
                violation_error_message="Le montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(actual_amount__isnull=True) | Q(actual_amount__gte=0),
                name="funding_actual_amount_positive",
                violation_error_message="Le montant ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(granted_amount__isnull=True) | Q(granted_amount__gte=0),
                name="funding_granted_amount_positive",
                violation_error_message="Le montant accordé ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__isnull=True) | Q(paid_amount__gte=0),
                name="funding_paid_amount_positive",
                violation_error_message="Le montant versé ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(granted_amount__isnull=False),
                name="funding_granted_has_amount",
                violation_error_message="Une ligne accordée indique le montant accordé.",
            ),
            models.CheckConstraint(
                condition=Q(status="granted") | Q(granted_amount__isnull=True),
                name="funding_amount_only_when_granted",
                violation_error_message=(
                    "Le montant accordé ne se renseigne que pour une ligne accordée."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["granted", "refused"])
                | (Q(decision_date__isnull=True) & Q(decision_reference="")),
                name="funding_decision_only_when_decided",
                violation_error_message=(
                    "La date et la référence de la décision ne se renseignent que pour une "
                    "ligne accordée ou refusée."
                ),
            ),
            models.CheckConstraint(
                condition=Q(actual_amount__isnull=True)
                | Q(granted_amount__isnull=True)
                | Q(actual_amount__lte=F("granted_amount"))
                | ~Q(spent_note=""),
                name="funding_spent_within_granted",
                violation_error_message=SPENT_OVER_GRANTED,
            ),
            models.CheckConstraint(
                condition=Q(spent_on__isnull=True) | Q(actual_amount__isnull=False),
                name="funding_spent_date_with_amount",
                violation_error_message=SPENT_DATE_WITHOUT_AMOUNT,
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__isnull=True)
                | Q(status="granted", paid_amount__lte=F("granted_amount")),
                name="funding_paid_within_granted",
                violation_error_message=(
                    "Un versement suppose une ligne accordée, et ne dépasse pas le montant accordé."
                ),
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True) | Q(paid_amount__isnull=False),
                name="funding_paid_date_with_amount",
                violation_error_message="La date du versement accompagne un montant versé.",
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True)
                | Q(decision_date__isnull=True)
                | Q(paid_on__gte=F("decision_date")),
                name="funding_paid_after_decision",
                violation_error_message=(
                    "Le versement ne peut pas précéder la décision du financeur."
                ),
            ),
        ]
        indexes = [models.Index(fields=["year", "action"])]

    def __str__(self):
        return f"{self.action.code} · {self.year} · {self.funder} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        # A whole-row save (admin, import, demo) moves the version on, so that a partner form
        # opened before it ends in a conflict, not a silent overwrite; the partner's own write
        # (`actions.funding.record_spending`) bumps it in its conditional UPDATE and saves only
        # its fields.
        if not self._state.adding and kwargs.get("update_fields") is None:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    @property
    def gap(self):
        """Planned − granted (twin of the `gap` of `funding_sums`)."""
        return funding_gap(self.planned_amount, self.granted_amount)

    @property
    def execution(self):
        """Spent / granted, in percent; None while nothing is granted."""
        return execution_rate(self.actual_amount, self.granted_amount)

    @property
    def is_decided(self):
        return self.status in self.DECIDED
