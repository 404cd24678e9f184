"""What hangs off an action: its funding lines, indicators and measurements, progress notes and
documents."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from partners.models import Organisation
from programme.models import CopilMeeting

from .action import Action
from .choices import AMOUNT_MIN, PROGRESS_RANGE, YEAR_RANGE, Status


def form_token_field():
    """The one-time token of the partner-space form that created the row (see
    `actions.space.followup`): the same form sent twice creates one row. Empty for rows made
    elsewhere (admin, import, demo)."""
    return models.UUIDField("jeton du formulaire", null=True, blank=True, editable=False)


def unique_form_token(name):
    return models.UniqueConstraint(fields=["form_token"], name=name)


class FundingQuerySet(models.QuerySet):
    def in_reading_order(self):
        """The lines with their funder, by year, funder and nature: how every page lists them."""
        return self.select_related("funder").order_by("year", "funder__name", "kind", "pk")


class Funding(models.Model):
    class Kind(models.TextChoices):
        INVESTMENT = "investment", "Investissement"
        OPERATING = "operating", "Fonctionnement"

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
    actual_amount = models.DecimalField(
        "montant réalisé (€)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=AMOUNT_MIN,
    )
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
        ]
        indexes = [models.Index(fields=["year", "action"])]

    def __str__(self):
        return f"{self.action.code} · {self.year} · {self.funder} ({self.get_kind_display()})"


class Indicator(models.Model):
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="indicators", verbose_name="action"
    )
    name = models.CharField("indicateur", max_length=200)
    unit = models.CharField("unité", max_length=50, blank=True)
    baseline = models.DecimalField(
        "valeur de départ", max_digits=14, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)
    target_date = models.DateField("échéance de la cible", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "indicateur"
        verbose_name_plural = "indicateurs"
        ordering = ["action", "name"]

    def __str__(self):
        return f"{self.name} ({self.unit})" if self.unit else self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name="indicateur"
    )
    date = models.DateField("date")
    value = models.DecimalField("valeur", max_digits=14, decimal_places=2)
    comment = models.CharField("commentaire", max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisie par",
    )
    form_token = form_token_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "mesure"
        verbose_name_plural = "mesures"
        ordering = ["indicator", "date", "pk"]
        constraints = [unique_form_token("measurement_unique_form_token")]

    def __str__(self):
        return f"{self.indicator.name} : {self.value} au {self.date:%d/%m/%Y}"


class ProgressUpdate(models.Model):
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="updates", verbose_name="action"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    date = models.DateField("date")
    text = models.TextField("note de suivi")
    status_before = models.CharField(
        "statut avant", max_length=20, choices=Status.choices, blank=True
    )
    status_after = models.CharField(
        "statut après", max_length=20, choices=Status.choices, blank=True
    )
    progress_after = models.PositiveSmallIntegerField(
        "avancement après (%)", null=True, blank=True, validators=PROGRESS_RANGE
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    form_token = form_token_field()

    class Meta:
        verbose_name = "note de suivi"
        verbose_name_plural = "notes de suivi"
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["action", "-date"])]
        constraints = [unique_form_token("progressupdate_unique_form_token")]

    def __str__(self):
        return f"{self.action.code} · {self.date:%d/%m/%Y}"


def document_upload_to(instance, filename):
    """Stored under a random name; the original name is kept in `original_name`."""
    suffix = Path(filename).suffix.lower()[:10]
    return f"documents/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PARTNERS = "partners", "Partenaires de l'action"
        STAFF = "staff", "Équipe projet seulement"

    action = models.ForeignKey(
        Action,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="action",
    )
    meeting = models.ForeignKey(
        CopilMeeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name="réunion du COPIL",
    )
    title = models.CharField("titre", max_length=200)
    file = models.FileField("fichier", upload_to=document_upload_to)
    original_name = models.CharField("nom d'origine", max_length=255, blank=True)
    visibility = models.CharField(
        "visibilité", max_length=10, choices=Visibility.choices, default=Visibility.PARTNERS
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déposé par",
    )
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    form_token = form_token_field()
    history = HistoricalRecords()

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(action__isnull=False) & Q(meeting__isnull=True))
                | (Q(action__isnull=True) & Q(meeting__isnull=False)),
                name="document_attached_to_one_parent",
                violation_error_message=(
                    "Un document est rattaché soit à une action, soit à une réunion du COPIL."
                ),
            ),
            unique_form_token("document_unique_form_token"),
        ]

    def __str__(self):
        return self.title
