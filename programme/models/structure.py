"""The programme's structure: its phases and, within each phase, its axes."""

from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from .territory import Territory


class Phase(models.Model):
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, related_name="phases", verbose_name="territoire"
    )
    number = models.PositiveSmallIntegerField("numéro")
    name = models.CharField("nom", max_length=200)
    start_date = models.DateField("début")
    end_date = models.DateField("fin", null=True, blank=True)
    labelled_on = models.DateField("labellisée le", null=True, blank=True)
    description = models.TextField("présentation (Markdown)", blank=True)

    class Meta:
        verbose_name = "phase"
        verbose_name_plural = "phases"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "number"], name="phase_unique_number"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="phase_end_after_start",
                violation_error_message="La date de fin doit suivre la date de début.",
            ),
        ]

    def __str__(self):
        return f"Phase {self.number}"


class Axis(models.Model):
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="axes", verbose_name="phase"
    )
    number = models.PositiveSmallIntegerField("numéro")
    name = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant d'URL", max_length=200, unique=True)
    description = models.TextField("objectifs (Markdown)", blank=True)
    colour = models.CharField("couleur", max_length=7, default="#1f6f8b")

    class Meta:
        verbose_name = "axe"
        verbose_name_plural = "axes"
        ordering = ["phase__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "number"], name="axis_unique_number"),
        ]

    def __str__(self):
        return f"Axe {self.number} — {self.name}"

    def get_absolute_url(self):
        return reverse("programme:axis", args=[self.slug])
