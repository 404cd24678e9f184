"""The plan of a year as a COPIL validated it, with one frozen snapshot per action."""

from django.conf import settings
from django.db import models
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from programme.models import CopilMeeting, Phase

from .action import Action
from .choices import YEAR_RANGE, Status


def public_snapshot(prefix=""):
    """A frozen row the public may see: public when it was frozen, and its action, if it still
    exists, still published (twin: `ActionSnapshot.is_visible_to_public`)."""
    return Q(**{f"{prefix}is_public": True}) & (
        Q(**{f"{prefix}action__isnull": True}) | Q(**{f"{prefix}action__is_public": True})
    )


class AnnualPlanQuerySet(models.QuerySet):
    def with_public_figures(self):
        """Annotate `public_action_count` and `public_total`: the figures the public may see.

        `action_count` and `total_planned` are the staff's figures, non-public actions included;
        a public page shows these annotations instead (the sums of the rows /plans/<year>/ shows).
        """
        public = public_snapshot("snapshots__")
        zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))
        return self.annotate(
            public_action_count=Count("snapshots", filter=public),
            public_total=Coalesce(Sum("snapshots__planned_total", filter=public), zero),
        )


class AnnualPlan(models.Model):
    """The plan of a year as a COPIL validated it; its snapshots never change afterwards.

    `validated_at` is when the validation was recorded in the portal, which may be later than
    the meeting that validated it (`meeting.date`).
    """

    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="annual_plans", verbose_name="phase"
    )
    year = models.PositiveSmallIntegerField("année", validators=YEAR_RANGE)
    meeting = models.ForeignKey(
        CopilMeeting,
        on_delete=models.PROTECT,
        related_name="annual_plans",
        verbose_name="COPIL de validation",
    )
    validated_at = models.DateTimeField("enregistré le", auto_now_add=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="validé par",
    )
    total_planned = models.DecimalField(
        "budget prévu total (€)", max_digits=14, decimal_places=2, default=0
    )
    action_count = models.PositiveIntegerField("nombre d'actions", default=0)

    objects = AnnualPlanQuerySet.as_manager()

    class Meta:
        verbose_name = "plan d'actions annuel validé"
        verbose_name_plural = "plans d'actions annuels validés"
        ordering = ["-year", "-validated_at"]
        get_latest_by = "validated_at"

    def __str__(self):
        return f"Plan {self.year} validé au {self.meeting}"

    def get_absolute_url(self):
        return reverse("actions:plan", args=[self.year])

    @property
    def recorded_on(self):
        """The local day the validation was recorded in the portal."""
        return timezone.localdate(self.validated_at)

    @property
    def recorded_later(self):
        """Whether the validation was recorded after the day of its meeting."""
        return self.recorded_on > self.meeting.date


class ActionSnapshotQuerySet(models.QuerySet):
    def public(self):
        """The frozen rows the public may see (twin: `is_visible_to_public`)."""
        return self.filter(public_snapshot())


class ActionSnapshot(models.Model):
    plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="snapshots", verbose_name="plan"
    )
    action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshots",
        verbose_name="action",
    )
    code = models.CharField("code", max_length=20)
    code_sort = models.CharField(max_length=60, default="")
    title = models.CharField("intitulé", max_length=250)
    axis_number = models.PositiveSmallIntegerField("numéro d'axe")
    axis_name = models.CharField("axe", max_length=200)
    status = models.CharField("statut", max_length=20, choices=Status.choices)
    pilot_name = models.CharField("pilote", max_length=200)
    planned_total = models.DecimalField(
        "budget prévu de l'année (€)", max_digits=14, decimal_places=2, default=0
    )
    budget_by_funder = models.JSONField(
        "budget prévu par financeur", default=dict, help_text="{financeur: montant en euros}"
    )
    # The follow-through of the year's funding lines when the plan was frozen; empty on a plan
    # frozen before these totals were kept (its diff then does not compare them).
    granted_total = models.DecimalField(
        "accordé de l'année (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    spent_total = models.DecimalField(
        "réalisé de l'année (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    paid_total = models.DecimalField(
        "versé de l'année (€)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    milestones = models.JSONField(
        "jalons à la validation",
        default=list,
        blank=True,
        help_text="[{titre, echeance, atteint_le}] : les jalons de la fiche quand le plan a été "
        "figé, dans leur ordre.",
    )
    is_public = models.BooleanField(
        "publique à la validation",
        default=False,
        help_text="Une fiche qui n'était pas publique quand le plan a été figé n'apparaît jamais "
        "sur les pages publiques du plan, ni dans leurs totaux.",
    )

    objects = ActionSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche action figée"
        verbose_name_plural = "fiches actions figées"
        ordering = ["plan", "code_sort"]

    def __str__(self):
        return f"{self.code} — {self.title}"

    @property
    def is_visible_to_public(self):
        """Public when frozen, and its action (if not deleted) still published."""
        return self.is_public and (self.action is None or self.action.is_public)
