"""The plan of a year as a COPIL validated it, with one frozen snapshot per action."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from programme.models import CopilMeeting, Phase

from .action import Action
from .choices import YEAR_RANGE, Status


class AnnualPlan(models.Model):
    """The plan of a year as a COPIL validated it; its snapshots never change afterwards."""

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
    validated_at = models.DateTimeField("validé le", auto_now_add=True)
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

    class Meta:
        verbose_name = "plan d'actions annuel validé"
        verbose_name_plural = "plans d'actions annuels validés"
        ordering = ["-year", "-validated_at"]
        get_latest_by = "validated_at"

    def __str__(self):
        return f"Plan {self.year} validé au {self.meeting}"

    def get_absolute_url(self):
        return reverse("actions:plan", args=[self.year])


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

    class Meta:
        verbose_name = "fiche action figée"
        verbose_name_plural = "fiches actions figées"
        ordering = ["plan", "code_sort"]

    def __str__(self):
        return f"{self.code} — {self.title}"
